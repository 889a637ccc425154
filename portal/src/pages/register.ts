import { api, ApiError } from '../api';
import { checks } from '../checks';
import { h } from '../dom';
import { Form, buttons, nest, type Errors, type FieldOptions } from '../forms';
import { formatDate, formatDateTime, t } from '../i18n';
import { prefectures } from '../prefectures';
import { Flow } from '../flow';
import { link, navigate, screen } from '../router';
import { supportLine } from '../support';
import { katakana, normalize, phone, postalCode } from '../format';
import { formatPostalCode } from './gatewaySearch';
import { details } from './shared';
import { agreedTermsVersion } from './terms';

export interface GatewayView {
  id: string;
  model: string;
  serial: string;
  /** "kpac-b" or "multi-v2x". */
  product: string | null;
  firstCommunicatedAt: string | null;
  units: { unitNo: number; model: string | null; serial: string | null }[];
}

/** ユーザー アカウント登録 → 登録確認 → 登録完了 (manual 1-2 STEP2), each step its own address (flow.ts). */
const flow = Flow.named<GatewayView>('register');

export function registerPage(main: HTMLElement): void {
  const terms = agreedTermsVersion();
  if (terms === null) {
    navigate('/terms', true);
    return;
  }

  flow.show({
    form: (values, errors) => showForm(main, values, errors),
    confirm: (values, gateway) => showConfirmation(main, terms, values, gateway),
    done: (result) => showCompletion(main, result.expiresAt),
  });
}

function showForm(main: HTMLElement, draft: Record<string, string>, errors?: Errors): void {
  const form = new Form(async (f) => {
    const values = f.values();
    if (!f.passes((errors) => clientChecks(f, errors))) {
      return;
    }

    try {
      flow.confirm(values, await api<GatewayView>('POST', '/api/gateways/verify', { id: values['gateway.id'], password: values['gateway.password'] }));
    } catch (error) {
      f.showProblem(onForm(error, (path) => `gateway.${path}`));
    }
  });
  flow.keep(form);
  const field = (options: FieldOptions) => form.field(options, draft[options.path] ?? '');
  const address = (prefix: string) => addressFields(field, prefix);

  form.add(
    h('fieldset', { class: 'section' }, h('legend', {}, t('sectionUser')),
      nameFields(form, field),
      field({ path: 'email', label: 'fieldEmail', required: true, type: 'email', autocomplete: 'email', placeholder: 'email@example.net', hint: 'hintEmail' }),
      field({ path: 'emailConfirm', label: 'fieldEmailConfirm', required: true, type: 'email', autocomplete: 'off' }),
      address(''),
      field({ path: 'phone', label: 'fieldPhone', required: true, type: 'tel', autocomplete: 'tel', placeholder: '000-0000-0000', hint: 'hintPhone' })),
    companyFieldset(field),
    h('fieldset', { class: 'section' }, h('legend', {}, t('sectionGateway')),
      sampleSheet(),
      field({ path: 'gateway.id', label: 'fieldGatewayId', required: true, autocomplete: 'off', placeholder: '01AB12345678', hint: 'hintGateway' }),
      field({ path: 'gateway.password', label: 'fieldGatewayPassword', required: true, autocomplete: 'off', placeholder: 'abcdefghijk12' })),
    h('fieldset', { class: 'section' }, h('legend', {}, t('sectionSite')),
      field({ path: 'site.name', label: 'fieldSiteName', required: true, placeholder: t('placeholderSiteName'), hint: 'hintSiteName', maxlength: 50 })),
    h('fieldset', { class: 'section' }, h('legend', {}, t('sectionSiteAddress')), address('site.')),
    h('fieldset', { class: 'section' }, h('legend', {}, t('sectionWarranty')),
      field({ path: 'gridConnectionDate', label: 'fieldGridConnectionDate', type: 'date', hint: 'hintGridConnectionDate' })),
    buttons(
      link('/start', 'back', 'button'),
      h('button', { type: 'submit', class: 'primary' }, t('next'))),
  );

  screen(main, t('registerHeading'), h('p', {}, t('registerIntro')), form.element);
  if (errors) {
    form.showErrors(errors);
  }
}

/** 氏名 and フリガナ as registration asks for them (登録情報の変更 asks the same). */
export function nameFields(form: Form, field: (options: FieldOptions) => HTMLElement): HTMLElement[] {
  return [
    form.group('fieldName', true,
      field({ path: 'name.family', label: 'fieldFamily', required: true, autocomplete: 'family-name', maxlength: 14 }),
      field({ path: 'name.given', label: 'fieldGiven', required: true, autocomplete: 'given-name', maxlength: 14 })),
    h('p', { class: 'field-hint' }, t('hintName')),
    form.group('fieldKana', true,
      field({ path: 'kana.family', label: 'fieldKanaFamily', required: true, maxlength: 30 }),
      field({ path: 'kana.given', label: 'fieldKanaGiven', required: true, maxlength: 30 })),
  ];
}

/** 〒, 都道府県, 市区町村, 番地 (prefix "site." for the site's address). */
export function addressFields(field: (options: FieldOptions) => HTMLElement, prefix = ''): HTMLElement[] {
  return [
    field({ path: `${prefix}postalCode`, label: 'fieldPostalCode', required: true, inputmode: 'numeric', placeholder: '000-0000', autocomplete: prefix ? undefined : 'postal-code', maxlength: 20 }),
    field({ path: `${prefix}prefecture`, label: 'fieldPrefecture', required: true, choices: prefectures, choicePlaceholder: 'placeholderPrefecture' }),
    field({ path: `${prefix}city`, label: 'fieldCity', required: true, maxlength: 50 }),
    field({ path: `${prefix}street`, label: 'fieldStreet', required: true, placeholder: t('placeholderStreet'), maxlength: 100 }),
  ];
}

/** 法人様情報 (法人様のみ入力). */
export function companyFieldset(field: (options: FieldOptions) => HTMLElement): HTMLElement {
  return h('fieldset', { class: 'section' }, h('legend', {}, t('sectionCompany')),
    field({ path: 'company.name', label: 'fieldCompanyName', placeholder: t('placeholderCompany'), autocomplete: 'organization', maxlength: 50 }),
    field({ path: 'company.department', label: 'fieldDepartment', placeholder: t('placeholderDepartment'), maxlength: 50 }));
}

function clientChecks(form: Form, errors: Errors): void {
  checks.required(form, errors, 'name.family', 'name.given', 'kana.family', 'kana.given', 'email', 'emailConfirm', 'postalCode', 'city',
    'street', 'phone', 'gateway.id', 'gateway.password', 'site.name', 'site.postalCode', 'site.city', 'site.street');
  checks.prefecture(form, errors, 'prefecture');
  checks.prefecture(form, errors, 'site.prefecture');
  checks.kana(form, errors, 'kana.family', 'kana.given');
  checks.email(form, errors, 'email', 'emailConfirm');
  checks.postalCode(form, errors, 'postalCode');
  checks.postalCode(form, errors, 'site.postalCode');
  checks.phone(form, errors, 'phone');
  checks.gatewayId(form, errors, 'gateway.id');
}

/**
 * An API refusal as field errors of this form: POST /api/gateways/verify names "id" and "password" (here "gateway.id",
 * "gateway.password"), and a 409 (gateway already registered) belongs under the gateway ID.
 */
function onForm(error: unknown, rename: (path: string) => string = (path) => path): unknown {
  if (error instanceof ApiError && error.problem.errors) {
    return new ApiError({ ...error.problem, errors: Object.fromEntries(Object.entries(error.problem.errors).map(([path, messages]) => [rename(path), messages])) });
  }
  return asGatewayIdError(error);
}

/** A 409 (gateway already registered) under the gateway ID, with whom to ask (運営) when the user did not register it. */
export function asGatewayIdError(error: unknown): unknown {
  if (!(error instanceof ApiError && error.status === 409)) {
    return error;
  }
  const support = supportLine();
  return new ApiError({ ...error.problem, errors: { 'gateway.id': support === null ? [error.problem.title] : [error.problem.title, support] } });
}

function sampleSheet(): HTMLElement {
  return h('figure', { class: 'sample-sheet' },
    h('img', { src: '/sample-sheet.svg', alt: t('sampleSheetAlt'), width: 320, height: 200 }),
    h('figcaption', {}, t('sampleSheetCaption')));
}

function showConfirmation(main: HTMLElement, terms: string, draft: Record<string, string>, gateway: GatewayView): void {
  // What the API will store: NFKC for names, e-mail and numbers, free text (addresses, company, 案件) as typed.
  const typed = (path: string) => (draft[path] ?? '').trim();
  const v = (path: string) => normalize(draft[path] ?? '');
  const orNone = (value: string) => value === '' ? t('notEntered') : value;
  const summary = h('div', { class: 'form-summary', role: 'alert', hidden: true });
  const register = async (button: HTMLButtonElement) => {
    button.disabled = true;
    try {
      const body = nest(Object.fromEntries(Object.entries(draft).filter(([path, value]) => value !== '' || !optionalPaths.has(path))));
      const accepted = await api<{ activationExpiresAt: string }>('POST', '/api/accounts', { ...body, termsVersion: terms });
      flow.complete({ expiresAt: accepted.activationExpiresAt });
    } catch (error) {
      const problem = onForm(error);
      if (problem instanceof ApiError && problem.problem.errors) {
        flow.refuse(problem.problem.errors);
        return;
      }
      summary.replaceChildren(problem instanceof ApiError ? problem.problem.title : t('unexpectedError'));
      summary.hidden = false;
      button.disabled = false;
    }
  };

  const registerButton: HTMLButtonElement = h('button', { type: 'button', class: 'primary', onclick: () => void register(registerButton) }, t('submit'));
  screen(main, t('confirmHeading'),
    h('p', {}, t('confirmIntro')),
    summary,
    h('h2', {}, t('sectionUser')),
    details([
      [t('fieldName'), `${v('name.family')} ${v('name.given')}`],
      [t('fieldKana'), `${katakana(typed('kana.family'))} ${katakana(typed('kana.given'))}`],
      [t('fieldEmail'), v('email')],
      [t('fieldPostalCode'), formatPostalCode(postalCode(typed('postalCode')))],
      [t('fieldAddress'), `${typed('prefecture')}${typed('city')}${typed('street')}`],
      [t('fieldPhone'), phone(typed('phone'))],
    ]),
    h('h2', {}, t('sectionCompany')),
    details([[t('fieldCompanyName'), orNone(typed('company.name'))], [t('fieldDepartment'), orNone(typed('company.department'))]]),
    gatewayDetails(gateway),
    h('h2', {}, t('sectionSite')),
    details([[t('fieldSiteName'), typed('site.name')]]),
    h('h2', {}, t('sectionSiteAddress')),
    details([[t('fieldPostalCode'), formatPostalCode(postalCode(typed('site.postalCode')))], [t('fieldAddress'), `${typed('site.prefecture')}${typed('site.city')}${typed('site.street')}`]]),
    gateway.product === 'kpac-b' ? h('h2', {}, t('sectionWarranty')) : null,
    gateway.product === 'kpac-b' ? details([[t('fieldGridConnectionDate'), orNone(v('gridConnectionDate'))]]) : null,
    gridDateWarning(gateway, draft.gridConnectionDate),
    unitsTable(gateway),
    buttons(
      h('button', { type: 'button', class: 'button', onclick: () => history.back() }, t('back')),
      registerButton));
}

const optionalPaths = new Set(['company.name', 'company.department', 'gridConnectionDate']);

/** ゲートウェイ情報: ID, 形式, 製造番号 and 初回通信日時 (未接続 before the first message). */
export function gatewayDetails(gateway: GatewayView): HTMLElement[] {
  return [
    h('h2', {}, t('sectionGateway')),
    details([
      [t('fieldGatewayId'), gateway.id],
      [t('gatewayModel'), gateway.model],
      [t('gatewaySerial'), gateway.serial],
      [t('gatewayFirstCommunication'), gateway.firstCommunicatedAt ? formatDateTime(gateway.firstCommunicatedAt) : t('notConnected')],
    ]),
  ];
}

/** On a confirmation: a KPAC-B gateway registered without 系統連系日 cannot get the extension until it is entered. */
export function gridDateWarning(gateway: GatewayView, gridConnectionDate: string | undefined): HTMLElement | null {
  return gateway.product === 'kpac-b' && !gridConnectionDate
    ? h('p', { class: 'notice notice-warning', role: 'note' }, t('gridDateMissingWarning'))
    : null;
}

/** パワーコンディショナ構成情報, or the manual's "…はありません。" line. */
export function unitsTable(gateway: GatewayView): HTMLElement[] {
  return [
    h('h2', {}, t('unitsHeading')),
    h('div', { class: 'table-scroll' },
      h('table', {},
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('unitNo')), h('th', { scope: 'col' }, t('gatewayModel')), h('th', { scope: 'col' }, t('gatewaySerial')))),
        h('tbody', {}, gateway.units.length === 0
          ? h('tr', {}, h('td', { colspan: 3 }, t('noUnits')))
          : gateway.units.map((unit) => h('tr', {}, h('td', {}, unit.unitNo), h('td', {}, unit.model ?? ''), h('td', {}, unit.serial ?? '')))))),
  ];
}

function showCompletion(main: HTMLElement, expiresAt: string): void {
  screen(main, t('completeHeading'),
    h('p', { class: 'notice notice-success', role: 'status' }, t('completeSent')),
    h('p', {}, t('completeText')),
    h('p', { class: 'expiry' }, t('completeExpiry', formatDate(expiresAt))),
    h('p', { class: 'field-hint' }, t('completeMailNote')),
    buttons(link('/login', 'toLogin', 'button primary')));
}
