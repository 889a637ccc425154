import { api, ApiError } from '../api';
import { checks } from '../checks';
import { h } from '../dom';
import { Form, buttons, requestForm } from '../forms';
import { t, type MessageKey } from '../i18n';
import { link, screen } from '../router';
import { newPasswordBody, newPasswordFields, newPasswordPasses } from './newPassword';

/** ユーザID・パスワードを忘れた場合: a reset link by mail (POST /api/password-resets, 202 whatever the address). */
export function passwordResetPage(main: HTMLElement): void {
  screen(main, t('recoveryHeading'),
    h('h2', {}, t('passwordResetHeading')),
    h('p', {}, t('passwordResetText')),
    requestForm({
      fields: (form) => [form.field({ path: 'email', label: 'fieldUserId', required: true, type: 'email', autocomplete: 'username' })],
      check: (form, errors) => { checks.required(form, errors, 'email'); checks.email(form, errors, 'email'); },
      send: (form) => api('POST', '/api/password-resets', { email: form.value('email') }),
      submit: 'passwordResetSend',
      sent: 'passwordResetSent',
      back: link('/login', 'back', 'button'),
    }),
    h('p', {}, link('/forgot-id', 'forgotIdLink')));
}

/** The mailed link reset-password#<token>: new password twice + the registered phone. */
export function resetPasswordPage(main: HTMLElement): void {
  const token = decodeURIComponent(location.hash.slice(1));
  const form = new Form(async (f) => {
    if (!newPasswordPasses(f)) {
      return;
    }
    try {
      await api('POST', `/api/password-resets/${encodeURIComponent(token)}`, newPasswordBody(f));
      history.replaceState(null, '', '/reset-password');
      done(main, 'resetHeading', 'resetDone');
    } catch (error) {
      if (error instanceof ApiError && error.status === 410) {
        screen(main, t('resetHeading'),
          h('p', { class: 'notice notice-error', role: 'alert' }, error.problem.title),
          buttons(link('/password-reset', 'passwordResetHeading', 'button primary')));
        return;
      }
      f.showProblem(error);
    }
  });
  form.add(
    ...newPasswordFields(form),
    buttons(h('button', { type: 'submit', class: 'primary' }, t('submit'))));
  screen(main, t('resetHeading'), h('p', {}, t('resetIntro')), form.element);
}

/** Forgotten user ID: name + phone; the ID goes by mail to the registered address (POST /api/account-ids/recovery). */
export function forgotIdPage(main: HTMLElement): void {
  screen(main, t('forgotIdHeading'),
    h('p', {}, t('forgotIdText')),
    requestForm({
      fields: (form) => [
        form.group('fieldName', true,
          form.field({ path: 'name.family', label: 'fieldFamily', required: true, autocomplete: 'family-name' }),
          form.field({ path: 'name.given', label: 'fieldGiven', required: true, autocomplete: 'given-name' })),
        form.field({ path: 'phone', label: 'fieldPhone', required: true, type: 'tel', autocomplete: 'tel', placeholder: '000-0000-0000' }),
      ],
      check: (form, errors) => { checks.required(form, errors, 'name.family', 'name.given', 'phone'); checks.phone(form, errors, 'phone'); },
      send: (form) => api('POST', '/api/account-ids/recovery', {
        name: { family: form.value('name.family'), given: form.value('name.given') }, phone: form.value('phone'),
      }),
      submit: 'passwordResetSend',
      sent: 'forgotIdSent',
      back: link('/password-reset', 'back', 'button'),
    }));
}

function done(main: HTMLElement, heading: MessageKey, text: MessageKey): void {
  screen(main, t(heading),
    h('p', { class: 'notice notice-success', role: 'status' }, t(text)),
    buttons(link('/login', 'backToLogin', 'button primary')));
}
