import { api, ApiError } from '../api';
import { h } from '../dom';
import { formatDate, t, type MessageKey } from '../i18n';
import { link, screen } from '../router';
import { signedInUser, type Profile } from '../session';
import { requireLogin } from './login';
import { operatorMenu } from './operator/menu';
import { failure } from './shared';

interface Notice {
  id: string;
  date: string;
  title: string;
  body: string;
  audience: 'all' | 'customers' | 'dealers' | 'admins';
}

/** メインメニュー: the user's name (and 法人名), サイトからのお知らせ and the management entries; ログアウト is in the header. */
export async function menuPage(main: HTMLElement): Promise<void> {
  screen(main, t('menuHeading'), h('p', {}, t('loading')));
  let profile: Profile | null;
  let notices: Notice[];
  try {
    [profile, notices] = await Promise.all([signedInUser(), api<Notice[]>('GET', '/api/notices')]);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      requireLogin();
      return;
    }
    failure(main, t('menuHeading'), error);
    return;
  }
  if (profile === null) {
    requireLogin();
    return;
  }

  const entry = (path: string, key: MessageKey) => h('li', {}, link(path, key, 'menu-link'));
  screen(main, t('menuHeading'),
    h('p', { class: 'greeting' }, t('menuGreeting', [profile.company?.name, `${profile.name.family} ${profile.name.given}`.trim()].filter(Boolean).join(' '))),
    profile.dealerId === undefined ? null : h('p', { class: 'dealer-id' }, t('menuDealerId', profile.dealerId)),
    h('section', { class: 'notices', 'aria-labelledby': 'notices-heading' },
      h('h2', { id: 'notices-heading' }, t('noticesHeading')),
      notices.length === 0
        ? h('p', {}, t('noNotices'))
        : h('ul', { class: 'notice-list' }, notices.map((notice) => h('li', {},
          h('p', { class: 'notice-meta' }, h('time', { datetime: notice.date }, formatDate(notice.date)), ' ',
            h('span', { class: 'audience' }, t(`audience_${notice.audience}`))),
          h('p', { class: 'notice-title' }, notice.title),
          h('p', { class: 'notice-body' }, notice.body))))),
    profile.role === 'admin' ? operatorMenu() : null,
    profile.role === 'dealer'
      ? h('nav', { class: 'menu', 'aria-label': t('menuHeading') },
        h('h2', {}, t('menuDealerSite')),
        h('ul', {},
          entry('/dealer/gateways', 'dealerGatewaysHeading'),
          entry('/dealer/staff-emails', 'staffEmailsHeading')))
      : h('nav', { class: 'menu', 'aria-label': t('menuHeading') },
        h('h2', {}, t('menuGateways')),
        h('ul', {},
          entry('/gateways/new', 'menuGatewayRegister'),
          entry('/gateways', 'menuGatewayList'),
          entry('/gateways/replace', 'menuGatewayReplace'),
          entry('/gateways/dispose', 'menuGatewayDispose')),
        h('h2', {}, t('menuDealers')),
        h('ul', {},
          entry('/dealers/link', 'menuDealerLink'),
          entry('/dealers/unlink', 'menuDealerUnlink'),
          entry('/audit-log', 'menuAuditLog')),
        h('ul', { class: 'menu-links' }, entry('/monitoring', 'menuMonitoring')),
        h('h2', {}, t('menuAccount')),
        h('ul', {}, entry('/profile', 'menuProfile'))));
}
