import { api, ApiError } from '../api';
import { checks } from '../checks';
import { h } from '../dom';
import { Form, buttons, type Errors } from '../forms';
import { t } from '../i18n';
import { Flow } from '../flow';
import { phone } from '../format';
import { link, navigate, param, screen } from '../router';
import { gatewaySearchPage } from './gatewaySearch';
import { dealersTable, gatewaySummary, type DealerView, type GatewayDetail } from './gateways';
import { completed, details, load, problemSlot } from './shared';

interface DealerPreview {
  dealer: DealerView;
  currentDealers: DealerView[];
}

const maxDealers = 5;
const linkSearch = gatewaySearchPage('dealerLinkSearchHeading', 'dealerLinkSearchIntro', (id) => `/dealers/link?id=${encodeURIComponent(id)}`);
const unlinkSearch = gatewaySearchPage('dealerUnlinkSearchHeading', 'dealerUnlinkSearchIntro', (id) => `/dealers/unlink?id=${encodeURIComponent(id)}`);

/** 保守を任せる販売店様登録: 販売店ID + 電話番号 → 登録確認 (dealer, gateway, current dealers, personal-data warning) → 登録完了. */
export function linkDealerPage(main: HTMLElement): void {
  const id = param('id');
  if (id === null) {
    linkSearch(main);
    return;
  }
  const flow: LinkFlow = Flow.named(`dealer-link:${id}`);
  flow.show({
    form: async (values, errors) => {
      const gateway = await load<GatewayDetail>(main, t('dealerLinkHeading'), `/api/gateways/${encodeURIComponent(id)}`);
      if (gateway !== null) {
        linkForm(main, flow, gateway, values, errors);
      }
    },
    confirm: (values, { gateway, preview }) => confirmLink(main, flow, gateway, values, preview),
    done: () => completed(main, t('dealerLinkDoneHeading'), t('dealerLinkDone'), t('dealerLinkDoneText')),
  });
}

type LinkFlow = Flow<{ gateway: GatewayDetail; preview: DealerPreview }>;

function linkForm(main: HTMLElement, flow: LinkFlow, gateway: GatewayDetail, values: Record<string, string>, errors?: Errors): void {
  const form = new Form(async (f) => {
    const typed = f.values();
    if (!f.passes((e) => { checks.required(f, e, 'dealerId', 'phone'); checks.phone(f, e, 'phone'); })) {
      return;
    }
    try {
      const preview = await api<DealerPreview>('POST', `/api/gateways/${encodeURIComponent(gateway.id)}/dealers/preview`, typed);
      flow.confirm(typed, { gateway, preview });
    } catch (error) {
      f.showProblem(error);
    }
  });
  flow.keep(form);
  const full = gateway.dealers.length >= maxDealers;
  form.add(
    form.field({ path: 'dealerId', label: 'fieldDealerId', required: true, inputmode: 'numeric', autocomplete: 'off', placeholder: '4002', hint: 'hintDealerId' }, values.dealerId ?? ''),
    form.field({ path: 'phone', label: 'fieldPhone', required: true, type: 'tel', autocomplete: 'off', placeholder: '000-0000-0000', hint: 'hintDealerPhone' }, values.phone ?? ''),
    buttons(link('/dealers/link', 'back', 'button'), h('button', { type: 'submit', class: 'primary', disabled: full }, t('next'))));
  screen(main, t('dealerLinkHeading'),
    h('p', {}, t('dealerLinkIntro')),
    full ? h('p', { class: 'notice notice-error', role: 'alert' }, t('dealerLimit', maxDealers)) : null,
    details([[t('fieldGatewayId'), gateway.id], [t('fieldSiteName'), gateway.site.name]]),
    h('h2', {}, t('currentDealers')),
    dealersTable(gateway.dealers),
    form.element);
  if (errors) {
    form.showErrors(errors);
  }
}

function confirmLink(main: HTMLElement, flow: LinkFlow, gateway: GatewayDetail, values: Record<string, string>, preview: DealerPreview): void {
  const problem = problemSlot();
  const register = async (button: HTMLButtonElement) => {
    button.disabled = true;
    try {
      await api('POST', `/api/gateways/${encodeURIComponent(gateway.id)}/dealers`, values);
      flow.complete({ dealerId: values.dealerId });
    } catch (error) {
      if (error instanceof ApiError && error.problem.errors) {
        flow.refuse(error.problem.errors);
        return;
      }
      problem.show(error);
      button.disabled = false;
    }
  };
  const registerButton: HTMLButtonElement = h('button', { type: 'button', class: 'primary', onclick: () => void register(registerButton) }, t('submit'));
  screen(main, t('dealerLinkConfirmHeading'),
    h('p', {}, t('dealerLinkConfirmIntro')),
    h('p', { class: 'notice notice-warning', role: 'note' }, t('dealerLinkPrivacyWarning')),
    problem.element,
    h('h2', {}, t('newDealer')),
    details([[t('dealerName'), preview.dealer.name], [t('fieldDealerId'), String(preview.dealer.dealerId)], [t('fieldPhone'), phone(preview.dealer.phone)]]),
    ...gatewaySummary(gateway),
    h('h2', {}, t('currentDealers')),
    dealersTable(preview.currentDealers),
    buttons(h('button', { type: 'button', onclick: () => history.back() }, t('back')), registerButton));
}

/** 保守している販売店様解除: the gateway's dealers → 解除確認 → 解除完了 (mails go to the customer and the dealer). */
export function unlinkDealerPage(main: HTMLElement): void {
  const id = param('id');
  if (id === null) {
    unlinkSearch(main);
    return;
  }
  const flow = Flow.named<never>(`dealer-unlink:${id}`);
  flow.show({
    form: () => chooseAndConfirmUnlink(main, flow, id),
    confirm: () => undefined,
    done: () => completed(main, t('dealerUnlinkDoneHeading'), t('dealerUnlinkDone'), t('dealerUnlinkDoneText')),
  });
}

/** The gateway's dealers to choose from, then (…&dealer=<ID>, its own history entry) the 解除確認. */
async function chooseAndConfirmUnlink(main: HTMLElement, flow: Flow<never>, id: string): Promise<void> {
  const gateway = await load<GatewayDetail>(main, t('dealerUnlinkHeading'), `/api/gateways/${encodeURIComponent(id)}`);
  if (gateway === null) {
    return;
  }
  const dealer = gateway.dealers.find((d) => String(d.dealerId) === param('dealer'));
  if (dealer === undefined) {
    screen(main, t('dealerUnlinkHeading'),
      h('p', {}, t('dealerUnlinkIntro')),
      details([[t('fieldGatewayId'), gateway.id], [t('fieldSiteName'), gateway.site.name]]),
      dealersTable(gateway.dealers, (d) => h('a', {
        href: `/dealers/unlink?id=${encodeURIComponent(gateway.id)}&dealer=${d.dealerId}`, 'data-route': '', class: 'dealer-link',
      }, String(d.dealerId))),
      buttons(link('/dealers/unlink', 'back', 'button')));
    return;
  }

  const problem = problemSlot();
  const unlink = async (button: HTMLButtonElement) => {
    button.disabled = true;
    try {
      await api('DELETE', `/api/gateways/${encodeURIComponent(gateway.id)}/dealers/${dealer.dealerId}`);
      flow.complete({ dealerId: String(dealer.dealerId) });
    } catch (error) {
      problem.show(error);
      button.disabled = false;
    }
  };
  const unlinkButton: HTMLButtonElement = h('button', { type: 'button', class: 'primary danger', onclick: () => void unlink(unlinkButton) }, t('unlink'));
  screen(main, t('dealerUnlinkConfirmHeading'),
    h('p', { class: 'notice notice-warning', role: 'note' }, t('dealerUnlinkConfirmIntro')),
    problem.element,
    h('h2', {}, t('unlinkedDealer')),
    details([[t('fieldDealerId'), String(dealer.dealerId)], [t('dealerName'), dealer.name], [t('fieldPhone'), phone(dealer.phone)]]),
    ...gatewaySummary(gateway),
    h('h2', {}, t('remainingDealers')),
    dealersTable(gateway.dealers.filter((d) => d.dealerId !== dealer.dealerId)),
    buttons(h('button', { type: 'button', onclick: () => navigate(`/dealers/unlink?id=${encodeURIComponent(gateway.id)}`) }, t('back')), unlinkButton));
}
