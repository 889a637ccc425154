import { api } from '../../api';
import { h } from '../../dom';
import { Form, buttons } from '../../forms';
import { formatDateTime, t, type MessageKey } from '../../i18n';
import { link, screen } from '../../router';
import { fieldLabels } from '../auditLog';
import { table } from '../shared';

interface OperatorAuditEntry {
  at: string;
  dealerId: number | null;
  dealerName: string | null;
  gatewayId: string;
  fields: string[];
  viewerUserId: string;
  customerUserId: string;
  action?: string;
  reason?: string;
}

const parameters = ['customer', 'dealerId', 'operator', 'from', 'to'];

function what(entry: OperatorAuditEntry): string {
  if (entry.action) {
    return t(`opAction_${entry.action}` as MessageKey);
  }
  return entry.fields.map((field) => (field in fieldLabels ? t(fieldLabels[field]) : field)).join(t('listSeparator'));
}

function viewer(entry: OperatorAuditEntry): string {
  return entry.dealerId !== null && !entry.action
    ? `${entry.viewerUserId} (${entry.dealerName ? t('auditDealer', entry.dealerName, entry.dealerId) : t('menuDealerId', entry.dealerId)})`
    : entry.viewerUserId;
}

/** 監査ログの検索: by customer, dealer or operator and Japan-time days; the same search downloads as CSV. */
export function auditSearchPage(main: HTMLElement): void {
  const results = h('div', { class: 'search-results', 'aria-live': 'polite' });
  const form = new Form(async (f) => {
    const query = new URLSearchParams(parameters.map((name) => [name, f.value(name)] as [string, string]).filter(([, value]) => value !== ''));
    try {
      const entries = await api<OperatorAuditEntry[]>('GET', `/api/operator/audit-log?${query.toString()}`);
      f.clearErrors();
      results.replaceChildren(
        h('p', {}, h('a', { href: `/api/operator/audit-log/export?${query.toString()}`, download: 'audit-log.csv', class: 'button' }, t('opAuditExport'))),
        table([t('opAuditAt'), t('opAuditCustomerColumn'), t('opAuditViewerColumn'), t('fieldGatewayId'), t('opAuditWhat'), t('opReason')],
          entries.map((entry) => [
            h('time', { datetime: entry.at, class: 'nowrap' }, formatDateTime(entry.at)), entry.customerUserId, viewer(entry),
            entry.gatewayId, what(entry), entry.reason ?? '',
          ]),
          t('opAuditNone'), true));
    } catch (error) {
      results.replaceChildren();
      f.showProblem(error);
    }
  });
  form.add(
    form.field({ path: 'customer', label: 'opAuditCustomer', autocomplete: 'off', maxlength: 254 }),
    form.field({ path: 'dealerId', label: 'opAuditDealerId', inputmode: 'numeric', maxlength: 10 }),
    form.field({ path: 'operator', label: 'opAuditOperator', type: 'email', autocomplete: 'off', maxlength: 254 }),
    form.field({ path: 'from', label: 'opAuditFrom', type: 'date' }),
    form.field({ path: 'to', label: 'opAuditTo', type: 'date' }),
    buttons(h('button', { type: 'submit', class: 'primary' }, t('opAuditSearch'))));
  screen(main, t('opAuditHeading'), h('p', {}, t('opAuditIntro')), form.element, results, h('p', {}, link('/menu', 'backToMenu')));
}
