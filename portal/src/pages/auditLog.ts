import { h } from '../dom';
import { formatDateTime, t, type MessageKey } from '../i18n';
import { link, screen } from '../router';
import { load, table } from './shared';

interface AuditEntry {
  at: string;
  dealerId: number | null;
  dealerName: string | null;
  gatewayId: string;
  fields: string[];
  /** Set when the operator acted for the customer (a support action) instead of viewing data. */
  action?: string;
}

/** The API's names of what a dealer saw (DealersApi's ListedFields and DetailFields), as the customer's forms call them. */
export const fieldLabels: Record<string, MessageKey> = {
  'site.name': 'fieldSiteName',
  'site.address': 'gatewaySiteAddress',
  name: 'fieldName',
  kana: 'fieldKana',
  phone: 'fieldPhone',
  address: 'fieldAddress',
  email: 'fieldEmail',
  company: 'auditFieldCompany',
  mail: 'opFieldMail',
};

function dealer(entry: AuditEntry): string {
  if (entry.dealerId === null || entry.action) {
    return t('opAuditViewer');
  }
  return entry.dealerName ? t('auditDealer', entry.dealerName, entry.dealerId) : t('menuDealerId', entry.dealerId);
}

/**
 * 個人情報の閲覧履歴: which dealer or the operator (運営) saw which of the customer's registration data and when, and what the
 * operator did for them (GET /api/me/audit-log, newest first).
 */
export async function auditLogPage(main: HTMLElement): Promise<void> {
  const title = t('auditLogHeading');
  const entries = await load<AuditEntry[]>(main, title, '/api/me/audit-log');
  if (entries === null) {
    return;
  }
  screen(main, title,
    h('p', {}, t('auditLogIntro')),
    table([t('auditViewedAt'), t('auditDealerColumn'), t('fieldGatewayId'), t('auditFields')],
      entries.map((entry) => [
        h('time', { datetime: entry.at, class: 'nowrap' }, formatDateTime(entry.at)),
        dealer(entry),
        h('span', { class: 'nowrap' }, entry.gatewayId),
        entry.action
          ? t(`opAction_${entry.action}` as MessageKey)
          : entry.fields.map((field) => (field in fieldLabels ? t(fieldLabels[field]) : field)).join(t('listSeparator')),
      ]),
      t('auditLogEmpty'), true),
    h('p', {}, link('/menu', 'backToMenu')));
}
