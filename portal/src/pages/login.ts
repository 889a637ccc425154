import { api } from '../api';
import { checks } from '../checks';
import { h } from '../dom';
import { Form, buttons } from '../forms';
import { t } from '../i18n';
import { link, navigate, screen } from '../router';
import { sessionChanged, signedInUser } from '../session';

/** Set by pages that found the session gone, shown once on the login screen. */
let pendingNotice: string | null = null;
/** The screen that asked for a login (e.g. a mail's link opened while signed out), opened again after it. */
let returnTo: string | null = null;

export function requireLogin(): void {
  sessionChanged();
  pendingNotice = t('sessionExpired');
  returnTo = location.pathname + location.search + location.hash;
  navigate('/login');
}

/** ログイン: the API sets the HttpOnly session cookie; the portal keeps nothing of the token. */
export function loginPage(main: HTMLElement): void {
  // Someone already signed in (a bookmark, Back after logging in) goes on to the menu.
  void signedInUser().then((profile) => {
    if (profile !== null && location.pathname === '/login') {
      navigate('/menu', true);
    }
  }).catch(() => undefined);
  const notice = pendingNotice;
  pendingNotice = null;
  const form = new Form(async (f) => {
    if (!f.passes((errors) => checks.required(f, errors, 'email', 'password'))) {
      return;
    }
    try {
      await api('POST', '/api/sessions', { email: f.value('email'), password: f.value('password') });
      sessionChanged();
      const next = returnTo ?? '/menu';
      returnTo = null;
      navigate(next);
    } catch (error) {
      f.showProblem(error);
    }
  });
  form.add(
    form.field({ path: 'email', label: 'fieldUserId', required: true, type: 'email', autocomplete: 'username', placeholder: 'email@example.net' }),
    form.field({ path: 'password', label: 'fieldPassword', required: true, type: 'password', autocomplete: 'current-password' }),
    buttons(h('button', { type: 'submit', class: 'primary' }, t('loginButton'))),
    h('p', {}, link('/password-reset', 'forgotLink')));
  screen(main, t('loginHeading'), notice === null ? null : h('p', { class: 'notice', role: 'status' }, notice), form.element);
}
