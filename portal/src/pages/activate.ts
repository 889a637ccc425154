import { api, ApiError } from '../api';
import { checks } from '../checks';
import { h } from '../dom';
import { Form, buttons, requestForm } from '../forms';
import { t } from '../i18n';
import { link, screen } from '../router';
import { newPasswordBody, newPasswordFields, newPasswordPasses } from './newPassword';
import { showTerms } from './terms';

interface ActivationView {
  email: string;
  name: string;
  kind: 'customer' | 'dealer';
  expiresAt: string;
}

/**
 * 本登録 from the mail's link activate#<token> (manual 1-2 STEP3): terms again → password, confirmation and phone →
 * 本登録済み → ログインに戻る. Without a token, or with a used or expired one, it offers a new link.
 */
export async function activatePage(main: HTMLElement): Promise<void> {
  const token = decodeURIComponent(location.hash.slice(1));
  if (token === '') {
    newLinkForm(main);
    return;
  }

  screen(main, t('activateHeading'), h('p', {}, t('loading')));
  let activation: ActivationView;
  try {
    activation = await api<ActivationView>('GET', `/api/activations/${encodeURIComponent(token)}`);
  } catch (error) {
    newLinkForm(main, error);
    return;
  }

  await showTerms(main, (termsVersion) => passwordForm(main, token, activation, termsVersion));
}

function passwordForm(main: HTMLElement, token: string, activation: ActivationView, termsVersion: string): void {
  const form = new Form(async (f) => {
    if (!newPasswordPasses(f)) {
      return;
    }

    try {
      const done = await api<{ email: string; dealerId?: number }>('POST', `/api/activations/${encodeURIComponent(token)}`, {
        termsVersion, ...newPasswordBody(f),
      });
      history.replaceState(null, '', '/activate');
      activated(main, done.dealerId);
    } catch (error) {
      if (error instanceof ApiError && error.status === 410) {
        newLinkForm(main, error);
        return;
      }
      f.showProblem(error);
    }
  });
  form.add(
    ...newPasswordFields(form, 'hintActivationPhone'),
    buttons(h('button', { type: 'submit', class: 'primary' }, t('submit'))));
  screen(main, t(activation.kind === 'dealer' ? 'activateDealerHeading' : 'activateHeading'),
    h('p', { class: 'account-name' }, t('activateFor', activation.name, activation.email)),
    h('p', {}, t('activateIntro')),
    form.element);
}

function activated(main: HTMLElement, dealerId?: number): void {
  screen(main, t('activatedHeading'),
    h('p', { class: 'notice notice-success', role: 'status' }, t('activatedText')),
    dealerId === undefined ? null : h('p', { class: 'dealer-id' }, t('activatedDealerId', dealerId)),
    buttons(link('/login', 'backToLogin', 'button primary')));
}

/** POST /api/activations {email}: a fresh link for a provisional account (the answer is the same for any address). */
function newLinkForm(main: HTMLElement, problem?: unknown): void {
  screen(main, t('newLinkHeading'),
    problem === undefined ? null : h('p', { class: 'notice notice-error', role: 'alert' }, problem instanceof ApiError ? problem.problem.title : t('unexpectedError')),
    h('p', {}, t('newLinkText')),
    requestForm({
      fields: (form) => [form.field({ path: 'email', label: 'fieldEmail', required: true, type: 'email', autocomplete: 'email' })],
      check: (form, errors) => { checks.required(form, errors, 'email'); checks.email(form, errors, 'email'); },
      send: (form) => api('POST', '/api/activations', { email: form.value('email') }),
      submit: 'newLinkSend',
      sent: 'newLinkSent',
    }));
}
