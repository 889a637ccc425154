import { api, ApiError } from '../api';
import { checks } from '../checks';
import { h } from '../dom';
import { clearDraft, loadDraft, saveDraft } from '../drafts';
import { Flow } from '../flow';
import { Form, buttons, nest, type Errors, type FieldOptions } from '../forms';
import { katakana, normalize, phone, postalCode } from '../format';
import { t } from '../i18n';
import { link, screen } from '../router';
import { sessionChanged, type Profile } from '../session';
import { formatPostalCode } from './gatewaySearch';
import { requireLogin } from './login';
import { addressFields, companyFieldset, nameFields } from './register';
import { completed, details, failure, load, loadVersioned, problemSlot } from './shared';

/** GET /api/me and /api/me/profile: what 登録情報の変更 shows and starts from. */
interface Registration extends Profile {
  kana: { family: string; given: string } | null;
  phone: string;
  postalCode: string;
  prefecture: string;
  city: string;
  street: string;
}

/**
 * The flows' confirmation data is only that the form passed its checks (what they show is the typed values); for the
 * registration data, the version (ETag) of the data the form started from, which the change sends back in If-Match.
 */
const detailsFlow = Flow.named<string>('profile');
/** Where that version is kept beside the form's draft, so that a reload or Back goes on from the data the draft began with. */
const detailsVersion = 'profile.version';
const emailFlow = Flow.named<true>('profile-email');
const passwordFlow = Flow.named<true>('profile-password');

/** The paths of the registration data form, as PUT /api/me/profile names them. */
const detailPaths = ['name.family', 'name.given', 'kana.family', 'kana.given', 'postalCode', 'prefecture', 'city', 'street', 'phone', 'company.name', 'company.department'];

/** 登録情報の変更: the registration data as stored, and the three changes (data, e-mail address, password). */
export async function profilePage(main: HTMLElement): Promise<void> {
  const me = await load<Registration>(main, t('profileHeading'), '/api/me');
  if (me === null) {
    return;
  }
  const values = valuesOf(me);
  screen(main, t('profileHeading'),
    h('p', {}, t('profileIntro')),
    h('h2', {}, t('sectionUser')),
    registrationDetails(values, me.email),
    h('h2', {}, t('sectionCompany')),
    details([[t('fieldCompanyName'), orNone(values['company.name'])], [t('fieldDepartment'), orNone(values['company.department'])]]),
    h('nav', { class: 'menu', 'aria-label': t('profileHeading') },
      h('ul', {},
        h('li', {}, link('/profile/edit', 'profileEditHeading', 'menu-link')),
        h('li', {}, link('/profile/email', 'profileEmailHeading', 'menu-link')),
        h('li', {}, link('/profile/password', 'profilePasswordHeading', 'menu-link')))),
    buttons(link('/menu', 'backToMenu', 'button')));
}

/** 登録情報（氏名・住所・電話番号）の変更: form → 変更内容の確認 (with the current password) → 変更完了, each its own step. */
export async function profileEditPage(main: HTMLElement): Promise<void> {
  const me = await loadVersioned<Registration>(main, t('profileEditHeading'), '/api/me/profile');
  if (me === null) {
    return;
  }
  detailsFlow.show({
    form: (draft, errors) => showDetailsForm(main, { ...valuesOf(me.value), ...draft }, startedFrom(draft, me.version ?? ''), errors),
    confirm: (draft, version) => showDetailsConfirmation(main, draft, me.value.email, version),
    done: () => completed(main, t('profileEditDoneHeading'), t('profileEditDone'), t('profileMailNote')),
  });
}

/** The version the form's values began with: the one kept with a draft, or else the data just read. */
function startedFrom(draft: Record<string, string>, current: string): string {
  const kept = loadDraft(detailsVersion).version;
  if (Object.keys(draft).length > 0 && kept !== undefined) {
    return kept;
  }
  saveDraft(detailsVersion, { version: current });
  return current;
}

function showDetailsForm(main: HTMLElement, values: Record<string, string>, version: string, errors?: Errors): void {
  const form = new Form((f) => {
    if (f.passes((found) => {
      checks.required(f, found, 'name.family', 'name.given', 'kana.family', 'kana.given', 'postalCode', 'city', 'street', 'phone');
      checks.prefecture(f, found, 'prefecture');
      checks.kana(f, found, 'kana.family', 'kana.given');
      checks.postalCode(f, found, 'postalCode');
      checks.phone(f, found, 'phone');
    })) {
      detailsFlow.confirm(f.values(), version);
    }
  });
  detailsFlow.keep(form);
  const field = (options: FieldOptions) => form.field(options, values[options.path] ?? '');
  form.add(
    h('fieldset', { class: 'section' }, h('legend', {}, t('sectionUser')),
      nameFields(form, field),
      addressFields(field),
      field({ path: 'phone', label: 'fieldPhone', required: true, type: 'tel', autocomplete: 'tel', placeholder: '000-0000-0000', hint: 'hintPhone' })),
    companyFieldset(field),
    buttons(
      link('/profile', 'back', 'button'),
      h('button', { type: 'submit', class: 'primary' }, t('next'))));
  screen(main, t('profileEditHeading'), h('p', {}, t('profileEditIntro')), form.element);
  if (errors) {
    form.showErrors(errors);
  }
}

/** 変更内容の確認: what will be saved, formatted as registration's confirmation, and the current password to confirm it. */
function showDetailsConfirmation(main: HTMLElement, values: Record<string, string>, email: string, version: string): void {
  const form = new Form(async (f) => {
    if (!f.passes((found) => checks.required(f, found, 'currentPassword'))) {
      return;
    }
    try {
      const body = nest(Object.fromEntries(detailPaths
        .filter((path) => !path.startsWith('company.') || values[path] !== '')
        .map((path) => [path, values[path] ?? ''])));
      await api('PUT', '/api/me/profile', { ...body, currentPassword: f.value('currentPassword') }, version);
      sessionChanged();
      clearDraft(detailsVersion);
      detailsFlow.complete({ changed: 'true' });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        requireLogin();
      } else if (error instanceof ApiError && error.status === 412) {
        showChangedMeanwhile(main, error);
      } else if (error instanceof ApiError && error.problem.errors && !('currentPassword' in error.problem.errors)) {
        detailsFlow.refuse(error.problem.errors);
      } else {
        f.showProblem(error);
      }
    }
  });
  form.add(
    currentPasswordField(form),
    buttons(
      h('button', { type: 'button', class: 'button', onclick: () => history.back() }, t('back')),
      h('button', { type: 'submit', class: 'primary' }, t('profileChange'))));
  screen(main, t('profileConfirmHeading'),
    h('p', {}, t('profileConfirmIntro')),
    h('h2', {}, t('sectionUser')),
    registrationDetails(values, email),
    h('h2', {}, t('sectionCompany')),
    details([[t('fieldCompanyName'), orNone(values['company.name'])], [t('fieldDepartment'), orNone(values['company.department'])]]),
    form.element);
}

/** Another screen changed the data since this one read it: nothing was saved; start again from the data as it is now. */
function showChangedMeanwhile(main: HTMLElement, error: ApiError): void {
  const reload = () => {
    clearDraft(detailsVersion);
    detailsFlow.restart();
  };
  screen(main, t('profileConfirmHeading'),
    h('p', { class: 'notice notice-error', role: 'alert' }, error.problem.title),
    buttons(
      link('/profile', 'back', 'button'),
      h('button', { type: 'button', class: 'primary', onclick: reload }, t('profileReload'))));
}

/** メールアドレスの変更: the new address twice and the current password; a link goes to the new address. */
export function profileEmailPage(main: HTMLElement): void {
  emailFlow.show({
    form: () => showEmailForm(main),
    confirm: () => showEmailForm(main),
    done: (result) => completed(main, t('profileEmailSentHeading'), t('profileEmailSent', result.email ?? ''), t('profileEmailSentNote')),
  });
}

function showEmailForm(main: HTMLElement): void {
  const form = new Form(async (f) => {
    if (!f.passes((found) => {
      checks.required(f, found, 'email', 'emailConfirm', 'currentPassword');
      checks.email(f, found, 'email', 'emailConfirm');
    })) {
      return;
    }
    try {
      await api('POST', '/api/me/email-change', { email: f.value('email'), emailConfirm: f.value('emailConfirm'), currentPassword: f.value('currentPassword') });
      emailFlow.complete({ email: normalize(f.value('email')) });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        requireLogin();
        return;
      }
      f.showProblem(error);
    }
  });
  emailFlow.keep(form);
  form.add(
    form.field({ path: 'email', label: 'profileNewEmail', required: true, type: 'email', autocomplete: 'email', placeholder: 'email@example.net', hint: 'hintEmail' }),
    form.field({ path: 'emailConfirm', label: 'fieldEmailConfirm', required: true, type: 'email', autocomplete: 'off' }),
    currentPasswordField(form),
    buttons(
      link('/profile', 'back', 'button'),
      h('button', { type: 'submit', class: 'primary' }, t('profileEmailSend'))));
  screen(main, t('profileEmailHeading'), h('p', {}, t('profileEmailIntro')), form.element);
}

/** パスワードの変更: the current password and the new one twice; every other login ends, this one stays. */
export function profilePasswordPage(main: HTMLElement): void {
  passwordFlow.show({
    form: () => showPasswordForm(main),
    confirm: () => showPasswordForm(main),
    done: () => completed(main, t('profilePasswordDoneHeading'), t('profilePasswordDone'), t('profileMailNote')),
  });
}

function showPasswordForm(main: HTMLElement): void {
  const form = new Form(async (f) => {
    if (!f.passes((found) => {
      checks.required(f, found, 'currentPassword', 'password', 'passwordConfirm');
      checks.password(f, found, 'password', 'passwordConfirm');
    })) {
      return;
    }
    try {
      await api('PUT', '/api/me/password', {
        currentPassword: f.value('currentPassword'), password: f.value('password'), passwordConfirm: f.value('passwordConfirm'),
      });
      passwordFlow.complete({ changed: 'true' });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        requireLogin();
        return;
      }
      f.showProblem(error);
    }
  });
  form.add(
    currentPasswordField(form),
    form.field({ path: 'password', label: 'profileNewPassword', required: true, type: 'password', autocomplete: 'new-password', maxlength: 16 }),
    form.field({ path: 'passwordConfirm', label: 'fieldPasswordConfirm', required: true, type: 'password', autocomplete: 'new-password', maxlength: 16 }),
    buttons(
      link('/profile', 'back', 'button'),
      h('button', { type: 'submit', class: 'primary' }, t('profileChange'))));
  screen(main, t('profilePasswordHeading'), h('p', {}, t('profilePasswordIntro')), form.element);
}

/**
 * The mailed link email-change#<token>: nothing changes until 変更を確定する is pressed (mail scanners open links). The
 * account then logs in with the new address; every session, this browser's too, has ended.
 */
export function emailChangePage(main: HTMLElement): void {
  const token = decodeURIComponent(location.hash.slice(1));
  const problem = problemSlot();
  const confirm = async (button: HTMLButtonElement) => {
    button.disabled = true;
    try {
      const changed = await api<{ email: string }>('POST', `/api/email-changes/${encodeURIComponent(token)}`);
      history.replaceState(null, '', '/email-change');
      sessionChanged();
      screen(main, t('emailChangeHeading'),
        h('p', { class: 'notice notice-success', role: 'status' }, t('emailChangeDone', changed.email)),
        buttons(link('/login', 'toLogin', 'button primary')));
    } catch (error) {
      if (error instanceof ApiError && (error.status === 409 || error.status === 410)) {
        failure(main, t('emailChangeHeading'), error);
        return;
      }
      problem.show(error);
      button.disabled = false;
    }
  };
  const button: HTMLButtonElement = h('button', { type: 'button', class: 'primary', onclick: () => void confirm(button) }, t('emailChangeConfirm'));
  screen(main, t('emailChangeHeading'), h('p', {}, t('emailChangeIntro')), problem.element, buttons(button));
}

function currentPasswordField(form: Form): HTMLElement {
  return form.field({ path: 'currentPassword', label: 'profileCurrentPassword', required: true, type: 'password', autocomplete: 'current-password', hint: 'profileCurrentPasswordHint' });
}

function valuesOf(me: Registration): Record<string, string> {
  return {
    'name.family': me.name.family, 'name.given': me.name.given, 'kana.family': me.kana?.family ?? '', 'kana.given': me.kana?.given ?? '',
    postalCode: me.postalCode, prefecture: me.prefecture, city: me.city, street: me.street, phone: phone(me.phone),
    'company.name': me.company?.name ?? '', 'company.department': me.company?.department ?? '',
  };
}

/** As registration's confirmation shows them: 〒 600-8530, katakana, phone numbers with hyphens. */
function registrationDetails(values: Record<string, string>, email: string): HTMLElement {
  const typed = (path: string) => (values[path] ?? '').trim();
  return details([
    [t('fieldName'), `${normalize(typed('name.family'))} ${normalize(typed('name.given'))}`],
    [t('fieldKana'), `${katakana(typed('kana.family'))} ${katakana(typed('kana.given'))}`],
    [t('fieldEmail'), email],
    [t('fieldPostalCode'), formatPostalCode(postalCode(typed('postalCode')))],
    [t('fieldAddress'), `${typed('prefecture')}${typed('city')}${typed('street')}`],
    [t('fieldPhone'), phone(typed('phone'))],
  ]);
}

function orNone(value: string | undefined): string {
  return value === undefined || value.trim() === '' ? t('notEntered') : value.trim();
}
