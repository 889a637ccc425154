import { h } from '../dom';
import { t, type MessageKey } from '../i18n';
import { link, screen } from '../router';

/** 商品マニュアル: the manuals' chapters (アカウント登録について, お客様用), each with the screen it explains. */
export function manualsPage(main: HTMLElement): void {
  const chapter = (title: MessageKey, text: MessageKey, path: string, screenName: MessageKey) =>
    h('section', { class: 'manual-chapter' }, h('h2', {}, t(title)), h('p', {}, t(text)), h('p', {}, link(path, screenName)));
  screen(main, t('manualsHeading'),
    h('p', {}, t('manualsIntro')),
    chapter('manualAccountHeading', 'manualAccountText', '/gateways/new', 'menuGatewayRegister'),
    chapter('manualDealersHeading', 'manualDealersText', '/dealers/link', 'menuDealerLink'),
    chapter('manualMonitoringHeading', 'manualMonitoringText', '/monitoring', 'menuMonitoring'),
    h('p', {}, link('/menu', 'backToMenu')));
}
