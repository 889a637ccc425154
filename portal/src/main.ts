import './styles.css';
import { h } from './dom';
import { language, setLanguage, t } from './i18n';
import { activatePage } from './pages/activate';
import { auditLogPage } from './pages/auditLog';
import { campaignPage, notFoundPage, startPage } from './pages/entry';
import { loginPage } from './pages/login';
import { manualsPage } from './pages/manuals';
import { menuPage } from './pages/menu';
import { linkDealerPage, unlinkDealerPage } from './pages/dealerLinks';
import { dealerGatewayPage, dealerGatewaysPage, dealerSignUpPage, staffEmailsPage } from './pages/dealerSite';
import { addGatewayPage, disposeGatewayPage, gatewayListPage, gatewayViewPage, replaceGatewayPage } from './pages/gateways';
import { monitoringPage } from './pages/monitoring';
import { operatorPages } from './pages/operator/routes';
import { privacyPage } from './pages/privacy';
import { emailChangePage, profileEditPage, profileEmailPage, profilePage, profilePasswordPage } from './pages/profile';
import { forgotIdPage, passwordResetPage, resetPasswordPage } from './pages/recovery';
import { registerPage } from './pages/register';
import { siteNav } from './pages/siteNav';
import { termsPage } from './pages/terms';
import { refresh, startRouter, type Page } from './router';
import { supportFooter } from './support';

const pages: Record<string, Page> = {
  '/': campaignPage,
  '/start': startPage,
  '/terms': termsPage,
  '/register': registerPage,
  '/activate': activatePage,
  '/login': loginPage,
  '/password-reset': passwordResetPage,
  '/reset-password': resetPasswordPage,
  '/forgot-id': forgotIdPage,
  '/menu': menuPage,
  '/gateways': gatewayListPage,
  '/gateways/new': (main) => addGatewayPage(main),
  '/gateways/view': gatewayViewPage,
  '/gateways/replace': replaceGatewayPage,
  '/gateways/dispose': disposeGatewayPage,
  '/dealers/link': linkDealerPage,
  '/dealers/unlink': unlinkDealerPage,
  '/audit-log': auditLogPage,
  '/monitoring': monitoringPage,
  '/dealer-signup': dealerSignUpPage,
  // Maintenance mails sent before they linked the gateway itself opened /dealer.
  '/dealer': dealerGatewaysPage,
  '/dealer/gateways': dealerGatewaysPage,
  '/dealer/gateways/view': dealerGatewayPage,
  '/dealer/staff-emails': staffEmailsPage,
  '/privacy': privacyPage,
  '/manuals': manualsPage,
  '/profile': profilePage,
  '/profile/edit': profileEditPage,
  '/profile/email': profileEmailPage,
  '/profile/password': profilePasswordPage,
  '/email-change': emailChangePage,
  ...operatorPages,
};

const root = document.getElementById('app')!;

function render(): void {
  document.documentElement.lang = language();
  const main = h('main', { id: 'main' });
  root.replaceChildren(header(), main, footer());
  const path = location.pathname.replace(/\/+$/, '') || '/';
  void (pages[path] ?? notFoundPage)(main);
}

function header(): HTMLElement {
  const other = language() === 'ja' ? 'en' : 'ja';
  const title = h('a', { href: '/', 'data-route': '', class: 'site-title' }, t('siteTitle'));
  return h('header', { class: 'site-header' },
    title,
    h('button', {
      type: 'button', class: 'language-switch', lang: other, 'aria-label': t('switchLanguageLabel'),
      onclick: () => { setLanguage(other); refresh(); },
    }, t('switchLanguage')),
    siteNav(title));
}

function footer(): HTMLElement {
  return h('footer', { class: 'site-footer' },
    h('span', {}, t('siteOperator')),
    supportFooter(),
    h('a', { href: '/privacy', 'data-route': '' }, t('privacyPolicy')));
}

startRouter(render);
