import { api } from '../api';
import { h } from '../dom';
import { t } from '../i18n';
import { navigate, screen } from '../router';
import { failure } from './shared';

export interface Terms {
  version: string;
  text: string;
}

const agreedKey = 'kpnet.agreedTermsVersion';

/** The terms version the visitor agreed to in this tab (sent with the registration). */
export function agreedTermsVersion(): string | null {
  return sessionStorage.getItem(agreedKey);
}

/** The terms (GET /api/terms) with "同意する"; <paramref>onAgree</paramref> runs with the agreed version. */
export async function showTerms(main: HTMLElement, onAgree: (version: string) => void): Promise<void> {
  screen(main, t('termsHeading'), h('p', {}, t('loading')));
  let terms: Terms;
  try {
    terms = await api<Terms>('GET', '/api/terms');
  } catch (error) {
    failure(main, t('termsHeading'), error);
    return;
  }

  screen(main, t('termsHeading'),
    h('p', {}, t('termsIntro')),
    h('div', { class: 'terms-text', tabindex: 0, role: 'document' }, terms.text),
    h('div', { class: 'buttons' },
      h('button', { type: 'button', class: 'primary', onclick: () => onAgree(terms.version) }, t('termsAgree'))));
}

export async function termsPage(main: HTMLElement): Promise<void> {
  await showTerms(main, (version) => {
    sessionStorage.setItem(agreedKey, version);
    navigate('/register');
  });
}
