import { api } from './api';
import { h } from './dom';
import { t } from './i18n';

export interface SupportContact {
  name: string;
  phone: string;
  hours: string;
}

let loading: Promise<SupportContact | null> | null = null;
let loaded: SupportContact | null = null;

/** 運営's contact (GET /api/support, from the app's settings), asked once; null when the app has none. */
export function supportContact(): Promise<SupportContact | null> {
  loading ??= api<SupportContact>('GET', '/api/support').then((contact) => (loaded = contact)).catch(() => null);
  return loading;
}

/** "お問い合わせ：… 電話 …（…）" once known (the footer asks on every screen), for messages that send the user to 運営. */
export function supportLine(): string | null {
  return loaded === null ? null : t('supportContact', loaded.name, loaded.phone, loaded.hours);
}

/** The footer's contact line, filled when the contact is known; the values are the operator's (Japanese) settings. */
export function supportFooter(): HTMLElement {
  const slot = h('span', { class: 'support-contact', hidden: true });
  void supportContact().then((contact) => {
    if (contact !== null) {
      slot.append(t('supportContactLabel'), ' ', h('span', { lang: 'ja' }, `${contact.name} ${contact.phone}（${contact.hours}）`));
      slot.hidden = false;
    }
  });
  return slot;
}
