import { h } from '../dom';
import { t } from '../i18n';
import { link, navigate } from '../router';
import { logout, signedInUser } from '../session';

/**
 * The header's links on every screen once signed in: メインメニュー, モニタリングサイト, 商品マニュアル, 登録情報の変更 (customers),
 * ログアウト; the site title then leads to the menu. Hidden (and empty) for visitors.
 */
export function siteNav(title: HTMLAnchorElement): HTMLElement {
  const nav = h('nav', { class: 'site-nav', 'aria-label': t('siteNavLabel'), hidden: true });
  void signedInUser().then((profile) => {
    if (profile === null || !nav.isConnected) {
      return;
    }
    title.href = '/menu';
    nav.append(h('ul', {},
      h('li', {}, link('/menu', 'menuHeading')),
      h('li', {}, link(profile.role === 'dealer' ? '/dealer/gateways' : '/monitoring', 'menuMonitoring')),
      h('li', {}, link('/manuals', 'manualsHeading')),
      profile.role === 'dealer' ? null : h('li', {}, link('/profile', 'menuProfile')),
      h('li', {}, h('button', { type: 'button', class: 'link-button', onclick: () => void logout(navigate) }, t('logout')))));
    nav.hidden = false;
  }).catch(() => undefined);
  return nav;
}
