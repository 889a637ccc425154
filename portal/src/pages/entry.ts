import { h } from '../dom';
import { t } from '../i18n';
import { link, screen } from '../router';

/** The campaign notice the sheet's URL opens (manual 1-2 STEP1), then "次へ進む". */
export function campaignPage(main: HTMLElement): void {
  screen(main, t('campaignHeading'),
    h('p', {}, t('campaignText')),
    h('div', { class: 'buttons' }, link('/start', 'campaignNext', 'button primary')));
}

/** The three ways in: new customer, existing account, dealer. */
export function startPage(main: HTMLElement): void {
  screen(main, t('startHeading'),
    h('p', {}, t('startText')),
    h('div', { class: 'choices' },
      link('/terms', 'startCustomer', 'button primary'),
      link('/login', 'startExisting', 'button'),
      h('p', {}, t('startDealerText')),
      link('/dealer-signup', 'startDealer', 'button')));
}

export function notFoundPage(main: HTMLElement): void {
  screen(main, t('notFoundHeading'), h('p', {}, t('notFoundText')), h('p', {}, link('/', 'toTop')));
}
