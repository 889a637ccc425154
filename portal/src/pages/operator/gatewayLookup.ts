import { api } from '../../api';
import { checks } from '../../checks';
import { h } from '../../dom';
import { Form, buttons } from '../../forms';
import { formatDateTime, t, type MessageKey } from '../../i18n';
import { link, param, screen } from '../../router';
import { formatAddress, formatPostalCode } from '../gatewaySearch';
import { dealersTable, type SiteView } from '../gateways';
import { alertsTable, type Alert } from '../monitoring';
import { details, load, table } from '../shared';
import { doneThen, takeDone } from './flash';

type ClaimStatus = 'free' | 'provisional' | 'active' | 'retired';

interface GatewayMatch {
  id: string;
  model: string | null;
  serial: string | null;
  product: string | null;
  claimStatus: ClaimStatus;
  matchedBy: 'id' | 'serial' | 'email' | 'phone';
}

interface OperatorGateway {
  id: string;
  model: string | null;
  serial: string | null;
  product: string | null;
  owner: { userId: string; email: string; name: string | null; phone: string; status: 'provisional' | 'active' | null; locked: boolean } | null;
  claim: { status: ClaimStatus; claimedAt: string | null; expiresAt: string | null };
  site: SiteView | null;
  links: { dealerId: number; name: string | null; phone: string | null; linkedAt: string }[];
  firstCommunicatedAt: string | null;
  lastCommunicatedAt: string | null;
  alerts: Alert[];
  deadLetters: { receivedAt: string; reason: string; field: string | null }[];
  history: { kind: string; at: string; actorUserId: string; otherGatewayId: string | null; dealerId: number | null }[];
}

function productName(product: string | null): string {
  return product === 'multi-v2x' ? t('opProduct_multiV2x') : product === 'kpac-b' ? t('opProduct_kpacB') : product ?? '';
}

function claimState(status: ClaimStatus): string {
  return t(`opClaim_${status}`);
}

function viewPath(id: string): string {
  return `/operator/gateways/view?id=${encodeURIComponent(id)}`;
}

/** ゲートウェイの照会: one box for what the customer on the phone can tell (gateway ID, serial, e-mail, phone). */
export function gatewayLookupPage(main: HTMLElement): void {
  const results = h('div', { class: 'search-results', 'aria-live': 'polite' });
  const form = new Form(async (f) => {
    if (!f.passes((errors) => checks.required(f, errors, 'q'))) {
      return;
    }
    try {
      const matches = await api<GatewayMatch[]>('GET', `/api/operator/gateway-search?q=${encodeURIComponent(f.value('q'))}`);
      f.clearErrors();
      results.replaceChildren(table([t('fieldGatewayId'), t('gatewayModel'), t('gatewaySerial'), t('opProduct'), t('opClaimState'), t('opMatchedBy')],
        matches.map((match) => [
          h('a', { href: viewPath(match.id), 'data-route': '' }, match.id), match.model ?? '', match.serial ?? '', productName(match.product),
          claimState(match.claimStatus), t(`opMatched_${match.matchedBy}`),
        ]),
        t('opLookupNone'), true));
    } catch (error) {
      results.replaceChildren();
      f.showProblem(error);
    }
  });
  form.add(
    form.field({ path: 'q', label: 'opLookupField', required: true, type: 'search', autocomplete: 'off', maxlength: 254 }),
    buttons(h('button', { type: 'submit', class: 'primary' }, t('opLookupButton'))));
  screen(main, t('opLookupHeading'), h('p', {}, t('opLookupIntro')), form.element, results, h('p', {}, link('/menu', 'backToMenu')));
}

function historyDetail(entry: OperatorGateway['history'][number]): string {
  return [entry.otherGatewayId, entry.dealerId === null ? null : t('menuDealerId', entry.dealerId)].filter(Boolean).join(t('listSeparator'));
}

interface SupportAction {
  label: string;
  path: string;
}

/** What the operator may do for this gateway's customer, each an API path that takes {"reason"}. */
function supportActions(gateway: OperatorGateway): SupportAction[] {
  const id = encodeURIComponent(gateway.id);
  const actions: SupportAction[] = [];
  const owner = gateway.owner;
  if (owner?.status === 'provisional') {
    actions.push({ label: t('opAction_activation-link-sent'), path: `/api/operator/accounts/${encodeURIComponent(owner.userId)}/activation-link` });
  }
  if (gateway.claim.status === 'provisional' && owner?.status !== 'active') {
    actions.push({ label: t('opAction_claim-released'), path: `/api/operator/gateways/${id}/release` });
  }
  for (const dealer of gateway.links) {
    actions.push({ label: t('opUnlinkDealer', dealer.name ?? '', dealer.dealerId), path: `/api/operator/gateways/${id}/dealers/${dealer.dealerId}/unlink` });
  }
  if (owner?.status === 'active') {
    actions.push(owner.locked
      ? { label: t('opAction_account-unlocked'), path: `/api/operator/accounts/${encodeURIComponent(owner.userId)}/unlock` }
      : { label: t('opAction_account-locked'), path: `/api/operator/accounts/${encodeURIComponent(owner.userId)}/lock` });
  }
  return actions;
}


/** サポート対応: pick an action, give the reason (required, kept in the audit log), carry it out, and see the gateway again. */
function supportSection(gateway: OperatorGateway): HTMLElement {
  const actions = supportActions(gateway);
  if (actions.length === 0) {
    return h('p', {}, t('opSupportNone'));
  }
  const form = new Form(async (f) => {
    if (!f.passes((errors) => checks.required(f, errors, 'action', 'reason'))) {
      return;
    }
    const action = actions[Number(f.value('action'))];
    try {
      await api('POST', action.path, { reason: f.value('reason') });
      doneThen(t('opSupportDone', action.label), viewPath(gateway.id));
    } catch (error) {
      f.showProblem(error);
    }
  });
  form.add(
    form.field({
      path: 'action', label: 'opSupportAction', required: true, choices: actions.map((_, index) => String(index)), choicePlaceholder: 'opSupportChoose',
      choiceLabels: Object.fromEntries(actions.map((action, index) => [String(index), action.label])),
    }),
    form.field({ path: 'reason', label: 'opSupportReason', required: true, maxlength: 200 }),
    buttons(h('button', { type: 'submit', class: 'primary' }, t('opSupportSubmit'))));
  return form.element;
}

function accountState(owner: NonNullable<OperatorGateway['owner']>): string {
  const state = owner.status === null ? t('opNone') : t(`opAccount_${owner.status}`);
  return owner.locked ? t('opAccountLocked', state) : state;
}

/** ゲートウェイの詳細: everything the operator needs on a call; the API records the view of the owner's data first. */
export async function operatorGatewayPage(main: HTMLElement): Promise<void> {
  const done = takeDone();
  const title = t('opGatewayHeading');
  const id = param('id') ?? '';
  const gateway = await load<OperatorGateway>(main, title, `/api/operator/gateways/${encodeURIComponent(id)}`);
  if (gateway === null) {
    return;
  }
  const when = (at: string | null) => (at ? formatDateTime(at) : t('opNone'));
  screen(main, title,
    done,
    h('h2', {}, t('sectionGateway')),
    details([
      [t('fieldGatewayId'), gateway.id],
      [t('gatewayModel'), gateway.model ?? ''],
      [t('gatewaySerial'), gateway.serial ?? ''],
      [t('opProduct'), productName(gateway.product)],
      [t('opClaimState'), claimState(gateway.claim.status)],
      [t('opClaimedAt'), when(gateway.claim.claimedAt)],
      ...(gateway.claim.expiresAt ? [[t('opClaimExpiresAt'), formatDateTime(gateway.claim.expiresAt)] as [string, string]] : []),
    ]),
    h('h2', {}, t('opOwner')),
    gateway.owner === null
      ? h('p', {}, t('opNoOwner'))
      : details([
        [t('fieldName'), gateway.owner.name ?? ''], [t('fieldEmail'), gateway.owner.email], [t('fieldPhone'), gateway.owner.phone],
        [t('opAccountState'), accountState(gateway.owner)],
      ]),
    gateway.site === null ? null : [
      h('h2', {}, t('sectionSite')),
      details([[t('fieldSiteName'), gateway.site.name], [t('fieldPostalCode'), formatPostalCode(gateway.site.postalCode)], [t('fieldAddress'), formatAddress(gateway.site)]]),
    ],
    h('h2', {}, t('opDealers')),
    dealersTable(gateway.links.map((l) => ({ dealerId: l.dealerId, name: l.name ?? '', phone: l.phone ?? '' }))),
    h('h2', {}, t('opCommunication')),
    details([[t('opFirstCommunication'), gateway.firstCommunicatedAt ? formatDateTime(gateway.firstCommunicatedAt) : t('notConnected')], [t('opLastCommunication'), when(gateway.lastCommunicatedAt)]]),
    h('h2', {}, t('opAlerts')),
    alertsTable(gateway.alerts),
    h('h2', {}, t('opDeadLetters')),
    table([t('opReceivedAt'), t('opReason'), t('opField')],
      gateway.deadLetters.map((letter) => [formatDateTime(letter.receivedAt), letter.reason, letter.field ?? '']), t('opNoDeadLetters'), true),
    h('h2', {}, t('opHistory')),
    table([t('opHistoryAt'), t('opHistoryKind'), t('opHistoryDetail')],
      gateway.history.map((entry) => [formatDateTime(entry.at), t(`opHistory_${entry.kind}` as MessageKey), historyDetail(entry)]), t('opNoHistory'), true),
    h('section', { class: 'support', 'aria-labelledby': 'support-heading' },
      h('h2', { id: 'support-heading' }, t('opSupportHeading')),
      h('p', {}, t('opSupportIntro')),
      supportSection(gateway)),
    h('ul', { class: 'action-links' }, h('li', {}, link('/operator/gateways', 'opBackToLookup')), h('li', {}, link('/menu', 'backToMenu'))));
}
