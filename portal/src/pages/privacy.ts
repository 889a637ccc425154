import { h } from '../dom';
import { t, type MessageKey } from '../i18n';
import { link, screen } from '../router';

const sections: [MessageKey, MessageKey][] = [
  ['privacyCollectHeading', 'privacyCollect'],
  ['privacyUseHeading', 'privacyUse'],
  ['privacyDealersHeading', 'privacyDealers'],
  ['privacyThirdHeading', 'privacyThird'],
  ['privacyContactHeading', 'privacyContact'],
];

/** 個人情報の取り扱いについて: what the service keeps, why, who sees it (linked dealers) and whom to ask. */
export function privacyPage(main: HTMLElement): void {
  screen(main, t('privacyPolicy'),
    h('p', {}, t('privacyIntro')),
    sections.flatMap(([heading, text]) => [h('h2', {}, t(heading)), h('p', {}, t(text))]),
    h('p', {}, link('/', 'toTop')));
}
