import { api, ApiError } from '../api';
import { checks } from '../checks';
import { h } from '../dom';
import { phone } from '../format';
import { Form, buttons, type Errors } from '../forms';
import { formatDate, formatDateTime, t } from '../i18n';
import { prefectures } from '../prefectures';
import { link, param, screen } from '../router';
import { firstCommunication, formatAddress, formatPostalCode, pagedResults, showPage, type AddressView, type PageOf } from './gatewaySearch';
import { alertsTable, type Alert } from './monitoring';
import { gatewayDetails, unitsTable, type GatewayView } from './register';
import { details, load, table } from './shared';
import { showTerms } from './terms';

const maxStaffEmails = 10;

/** 販売店様のご登録: terms → 販売店様情報 and 保守担当者 addresses (1-10) → 仮登録完了 (the dealer ID comes with activation). */
export async function dealerSignUpPage(main: HTMLElement): Promise<void> {
  await showTerms(main, (termsVersion) => signUpForm(main, termsVersion));
}

function signUpForm(main: HTMLElement, termsVersion: string): void {
  const staff = h('div', { class: 'staff-emails' });
  const form = new Form(async (f) => {
    if (!f.passes((e) => {
      checks.required(f, e, 'name', 'email', 'emailConfirm', 'phone', 'postalCode', 'city', 'street', 'staffEmails[0]');
      checks.prefecture(f, e, 'prefecture');
      checks.email(f, e, 'email', 'emailConfirm');
      checks.postalCode(f, e, 'postalCode');
      checks.phone(f, e, 'phone');
      staffPaths(f).forEach((path) => checks.email(f, e, path));
    })) {
      return;
    }
    try {
      const values = f.values();
      const accepted = await api<{ activationExpiresAt: string }>('POST', '/api/dealers', {
        termsVersion, name: values.name, email: values.email, emailConfirm: values.emailConfirm, phone: values.phone,
        postalCode: values.postalCode, prefecture: values.prefecture, city: values.city, street: values.street,
        staffEmails: staffPaths(f).map((path) => values[path]).filter((value) => value !== ''),
      });
      screen(main, t('dealerSignUpDoneHeading'),
        h('p', { class: 'notice notice-success', role: 'status' }, t('completeSent')),
        h('p', {}, t('completeText')),
        h('p', { class: 'expiry' }, t('completeExpiry', formatDate(accepted.activationExpiresAt))),
        h('p', { class: 'field-hint' }, t('completeMailNote')),
        buttons(link('/login', 'toLogin', 'button primary')));
    } catch (error) {
      f.showProblem(staffErrorsOnFirstField(error));
    }
  });
  const addStaffField = () => {
    const index = staffPaths(form).length;
    staff.append(form.field({ path: `staffEmails[${index}]`, label: 'fieldStaffEmail', labelArgs: [index + 1], required: index === 0, type: 'email', autocomplete: 'off' }));
    addButton.hidden = index + 1 >= maxStaffEmails;
  };
  const addButton: HTMLButtonElement = h('button', { type: 'button', onclick: addStaffField }, t('addStaffEmail'));
  form.add(
    h('fieldset', { class: 'section' }, h('legend', {}, t('sectionDealer')),
      form.field({ path: 'name', label: 'fieldDealerName', required: true, autocomplete: 'organization', maxlength: 50 }),
      form.field({ path: 'email', label: 'fieldEmail', required: true, type: 'email', autocomplete: 'email', placeholder: 'email@example.net', hint: 'hintEmail' }),
      form.field({ path: 'emailConfirm', label: 'fieldEmailConfirm', required: true, type: 'email', autocomplete: 'off' }),
      form.field({ path: 'phone', label: 'fieldPhone', required: true, type: 'tel', autocomplete: 'tel', placeholder: '000-0000-0000', hint: 'hintDealerSignUpPhone' }),
      form.field({ path: 'postalCode', label: 'fieldPostalCode', required: true, inputmode: 'numeric', placeholder: '000-0000', autocomplete: 'postal-code', maxlength: 20 }),
      form.field({ path: 'prefecture', label: 'fieldPrefecture', required: true, choices: prefectures, choicePlaceholder: 'placeholderPrefecture' }),
      form.field({ path: 'city', label: 'fieldCity', required: true, maxlength: 50 }),
      form.field({ path: 'street', label: 'fieldStreet', required: true, placeholder: t('placeholderStreet'), maxlength: 100 })),
    h('fieldset', { class: 'section' }, h('legend', {}, t('sectionStaff')), h('p', { class: 'field-hint' }, t('hintStaffEmails')), staff, addButton),
    buttons(link('/start', 'back', 'button'), h('button', { type: 'submit', class: 'primary' }, t('submit'))));
  addStaffField();
  screen(main, t('dealerSignUpHeading'), h('p', {}, t('dealerSignUpIntro')), form.element);
}

function staffPaths(form: Form): string[] {
  return Object.keys(form.values()).filter((path) => path.startsWith('staffEmails['));
}

/** The API's "staffEmails" (count) message has no field of its own: it belongs under the first address. */
function staffErrorsOnFirstField(error: unknown): unknown {
  if (error instanceof ApiError && error.problem.errors?.staffEmails) {
    const { staffEmails, ...others } = error.problem.errors;
    return new ApiError({ ...error.problem, errors: { ...others, 'staffEmails[0]': [...(others['staffEmails[0]'] ?? []), ...staffEmails] } });
  }
  return error;
}

/** faultCount is the number of open alerts (the name is older than alerts); open lists them, most severe first. */
interface AlertSummary {
  lastCommunicatedAt: string | null;
  faultCount: number;
  open: Alert[];
}

interface MaintainedGateway {
  id: string;
  siteName: string;
  siteAddress: AddressView;
  customerName: string;
  firstCommunicatedAt: string | null;
  alerts: AlertSummary;
}

interface MaintainedGatewayDetail extends GatewayView {
  site: AddressView & { name: string };
  alerts: AlertSummary;
  customer: {
    name: { family: string; given: string };
    kana: { family: string; given: string } | null;
    phone: string;
    address: AddressView;
    email: string;
    company: { name: string; department: string } | null;
  };
}

/** A dealer has many gateways: a page of them at a time. */
const dealerPageSize = 20;

/**
 * 保守しているゲートウェイ: GET /api/dealer/gateways a page at a time (open alerts first), searched by the API over gateway
 * ID, 案件 and customer name, so a dealer with thousands of gateways loads one page, not all of them.
 */
export async function dealerGatewaysPage(main: HTMLElement): Promise<void> {
  const title = t('dealerGatewaysHeading');
  const first = await load<PageOf<MaintainedGateway>>(main, title, `/api/dealer/gateways?page=1&pageSize=${dealerPageSize}`);
  if (first === null) {
    return;
  }

  const results = h('div', { class: 'search-results', 'aria-live': 'polite' });
  let query = '';
  const show = (found: PageOf<MaintainedGateway>) => results.replaceChildren(...pagedResults(found,
    table([t('fieldGatewayId'), t('fieldSiteName'), t('dealerCustomerName'), t('gatewaySiteAddress'), t('alertState'), t('lastCommunication')],
      found.items.map((gateway) => [
        h('a', { href: `/dealer/gateways/view?id=${encodeURIComponent(gateway.id)}`, 'data-route': '', class: 'gateway-link' }, gateway.id),
        gateway.siteName, gateway.customerName, formatAddress(gateway.siteAddress),
        h('span', { class: gateway.alerts.faultCount > 0 ? 'state state-alert' : 'state' }, gateway.alerts.faultCount > 0 ? t('alertsCount', gateway.alerts.faultCount) : t('noAlerts')),
        gateway.alerts.lastCommunicatedAt ? formatDateTime(gateway.alerts.lastCommunicatedAt) : t('notConnected'),
      ]),
      query === '' ? t('dealerGatewaysEmpty') : t('gatewaySearchNoMatch'), true),
    search));
  const search = (page: number) => showPage(
    `/api/dealer/gateways?${new URLSearchParams({ search: query, page: String(page), pageSize: String(dealerPageSize) }).toString()}`, form, show);
  const form = new Form(async (f) => {
    query = f.value('q');
    await search(1);
  });
  form.add(
    form.field({ path: 'q', label: 'dealerGatewaysSearch', type: 'search', hint: 'hintDealerGatewaysSearch' }),
    buttons(h('button', { type: 'submit', class: 'primary' }, t('search'))));
  show(first);
  screen(main, title,
    h('p', {}, t('dealerGatewaysIntro')),
    first.total > 0 ? form.element : null,
    results,
    h('p', {}, link('/menu', 'backToMenu')));
}

/** A maintained gateway with the customer's registration data (the API records the view in the customer's audit log). */
export async function dealerGatewayPage(main: HTMLElement): Promise<void> {
  const id = param('id') ?? '';
  const gateway = await load<MaintainedGatewayDetail>(main, t('dealerGatewayHeading'), `/api/dealer/gateways/${encodeURIComponent(id)}`);
  if (gateway === null) {
    return;
  }
  const customer = gateway.customer;
  screen(main, t('dealerGatewayHeading'),
    ...gatewayDetails(gateway),
    h('h2', {}, t('sectionSite')),
    details([[t('fieldSiteName'), gateway.site.name], [t('fieldPostalCode'), formatPostalCode(gateway.site.postalCode)], [t('fieldAddress'), formatAddress(gateway.site)]]),
    h('h2', {}, t('alertsHeading')),
    details([
      [t('alertOpenNow'), gateway.alerts.faultCount > 0 ? t('alertsCount', gateway.alerts.faultCount) : t('noAlerts')],
      [t('lastCommunication'), firstCommunication(gateway.alerts.lastCommunicatedAt)],
    ]),
    alertsTable(gateway.alerts.open),
    ...unitsTable(gateway),
    h('h2', {}, t('sectionCustomer')),
    h('p', { class: 'field-hint' }, t('customerDataNote')),
    details([
      [t('fieldName'), `${customer.name.family} ${customer.name.given}`],
      [t('fieldKana'), customer.kana ? `${customer.kana.family} ${customer.kana.given}` : ''],
      [t('fieldEmail'), customer.email],
      [t('fieldPhone'), phone(customer.phone)],
      [t('fieldPostalCode'), formatPostalCode(customer.address.postalCode)],
      [t('fieldAddress'), formatAddress(customer.address)],
      [t('fieldCompanyName'), customer.company?.name || t('notEntered')],
      [t('fieldDepartment'), customer.company?.department || t('notEntered')],
    ]),
    h('ul', { class: 'action-links' }, h('li', {}, link(`/monitoring?id=${encodeURIComponent(gateway.id)}`, 'menuMonitoring'))),
    h('p', {}, link('/dealer/gateways', 'backToList'), ' ', link('/menu', 'backToMenu')));
}

/** 保守担当者のメールアドレス: 1-10 addresses that receive the gateways' fault mails (PUT /api/dealer/staff-emails). */
export async function staffEmailsPage(main: HTMLElement): Promise<void> {
  const profile = await load<{ staffEmails?: string[] }>(main, t('staffEmailsHeading'), '/api/me');
  if (profile === null) {
    return;
  }
  staffForm(main, profile.staffEmails ?? []);
}

function staffForm(main: HTMLElement, current: string[], errors?: Errors): void {
  const saved = h('p', { class: 'notice notice-success', role: 'status', hidden: true }, t('staffEmailsSaved'));
  const form = new Form(async (f) => {
    saved.hidden = true;
    if (!f.passes((e) => {
      checks.required(f, e, 'staffEmails[0]');
      Object.keys(f.values()).forEach((path) => checks.email(f, e, path));
    })) {
      return;
    }
    try {
      const result = await api<{ staffEmails: string[] }>('PUT', '/api/dealer/staff-emails', {
        staffEmails: Object.values(f.values()).filter((value) => value !== ''),
      });
      staffForm(main, result.staffEmails);
      main.querySelector<HTMLElement>('[role=status]')!.hidden = false;
    } catch (error) {
      f.showProblem(staffErrorsOnFirstField(error));
    }
  });
  form.add(
    h('p', { class: 'field-hint' }, t('hintStaffEmails')),
    ...Array.from({ length: maxStaffEmails }, (_, index) =>
      form.field({ path: `staffEmails[${index}]`, label: 'fieldStaffEmail', labelArgs: [index + 1], required: index === 0, type: 'email', autocomplete: 'off' }, current[index] ?? '')),
    buttons(link('/menu', 'back', 'button'), h('button', { type: 'submit', class: 'primary' }, t('save'))));
  screen(main, t('staffEmailsHeading'), saved, form.element);
  if (errors) {
    form.showErrors(errors);
  }
}
