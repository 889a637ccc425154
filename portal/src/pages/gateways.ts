import { api, ApiError } from '../api';
import { checks } from '../checks';
import { h } from '../dom';
import { Form, buttons, nest, type Errors } from '../forms';
import { formatDate, formatDateTime, t } from '../i18n';
import { prefectures } from '../prefectures';
import { Flow } from '../flow';
import { phone, postalCode } from '../format';
import { link, navigate, param, screen } from '../router';
import { formatAddress, formatPostalCode, gatewaySearchPage } from './gatewaySearch';
import { requireLogin } from './login';
import { asGatewayIdError, gatewayDetails, gridDateWarning, unitsTable, type GatewayView } from './register';
import { completed, details, load, problemSlot, table } from './shared';

export interface SiteView {
  name: string;
  postalCode: string;
  prefecture: string;
  city: string;
  street: string;
}

export interface DealerView {
  dealerId: number;
  name: string;
  phone: string;
}

export interface Warranty {
  years: number;
  startDate: string;
  startBasis: 'gridConnection' | 'registration';
  endDate: string;
  registrationDeadline: string;
  registeredInTime: boolean;
  extensionApplies: boolean;
  connected: boolean;
  lastCommunicatedAt: string | null;
}

export interface GatewayDetail extends GatewayView {
  site: SiteView;
  dealers: DealerView[];
  warranty: Warranty;
  gridConnectionDate: string | null;
}

const sitePaths = ['site.name', 'site.postalCode', 'site.city', 'site.street'];

/** 設置先【案件】 and 設置先住所 with the registration form's labels and the API's paths. */
function siteFields(form: Form, values: Record<string, string>): HTMLElement[] {
  const field = (options: Parameters<Form['field']>[0]) => form.field(options, values[options.path] ?? '');
  return [
    h('fieldset', { class: 'section' }, h('legend', {}, t('sectionSite')),
      field({ path: 'site.name', label: 'fieldSiteName', required: true, placeholder: t('placeholderSiteName'), hint: 'hintSiteName', maxlength: 50 })),
    h('fieldset', { class: 'section' }, h('legend', {}, t('sectionSiteAddress')),
      field({ path: 'site.postalCode', label: 'fieldPostalCode', required: true, inputmode: 'numeric', placeholder: '000-0000', maxlength: 20 }),
      field({ path: 'site.prefecture', label: 'fieldPrefecture', required: true, choices: prefectures, choicePlaceholder: 'placeholderPrefecture' }),
      field({ path: 'site.city', label: 'fieldCity', required: true, maxlength: 50 }),
      field({ path: 'site.street', label: 'fieldStreet', required: true, placeholder: t('placeholderStreet'), maxlength: 100 })),
  ];
}

function siteChecks(form: Form, errors: Errors): void {
  checks.required(form, errors, ...sitePaths);
  checks.prefecture(form, errors, 'site.prefecture');
  checks.postalCode(form, errors, 'site.postalCode');
}

function credentialFields(form: Form, values: Record<string, string>, idLabel: 'fieldGatewayId' | 'fieldNewGatewayId' = 'fieldGatewayId'): HTMLElement[] {
  return [
    h('figure', { class: 'sample-sheet' },
      h('img', { src: '/sample-sheet.svg', alt: t('sampleSheetAlt'), width: 320, height: 200 }),
      h('figcaption', {}, t('sampleSheetCaption'))),
    form.field({ path: 'gateway.id', label: idLabel, required: true, autocomplete: 'off', placeholder: '01AB12345678', hint: 'hintGateway' }, values['gateway.id'] ?? ''),
    form.field({ path: 'gateway.password', label: 'fieldGatewayPassword', required: true, autocomplete: 'off', placeholder: 'abcdefghijk12' }, values['gateway.password'] ?? ''),
  ];
}

function credentialChecks(form: Form, errors: Errors): void {
  checks.required(form, errors, 'gateway.id', 'gateway.password');
  checks.gatewayId(form, errors, 'gateway.id');
}

/** POST /api/gateways/verify for a confirmation screen: its "id"/"password" errors and its 409 belong under the gateway fields. */
async function verify(values: Record<string, string>): Promise<GatewayView> {
  try {
    return await api<GatewayView>('POST', '/api/gateways/verify', { id: values['gateway.id'], password: values['gateway.password'] });
  } catch (error) {
    if (error instanceof ApiError && error.problem.errors) {
      throw new ApiError({ ...error.problem, errors: Object.fromEntries(Object.entries(error.problem.errors).map(([path, messages]) => [`gateway.${path}`, messages])) });
    }
    throw asGatewayIdError(error);
  }
}

function siteDetails(site: SiteView): HTMLElement[] {
  return [
    h('h2', {}, t('sectionSite')),
    details([[t('fieldSiteName'), site.name]]),
    h('h2', {}, t('sectionSiteAddress')),
    details([[t('fieldPostalCode'), formatPostalCode(site.postalCode)], [t('fieldAddress'), formatAddress(site)]]),
  ];
}

export function dealersTable(dealers: DealerView[], dealerCell: (dealer: DealerView) => string | Node = (dealer) => String(dealer.dealerId)): HTMLElement {
  return table([t('dealerName'), t('fieldDealerId'), t('fieldPhone')],
    dealers.map((dealer) => [dealer.name, dealerCell(dealer), phone(dealer.phone)]), t('noDealers'));
}

/** Everything the confirmation screens show about a registered gateway: gateway, 案件, address, PCS units. */
export function gatewaySummary(gateway: GatewayDetail): HTMLElement[] {
  return [...gatewayDetails(gateway), ...siteDetails(gateway.site), ...unitsTable(gateway)];
}

// ゲートウェイの登録: ID + password (with the sample sheet), 案件 and its address → 登録確認 → 登録完了.
const addFlow = Flow.named<GatewayView>('gateway-add');

export function addGatewayPage(main: HTMLElement): void {
  addFlow.show({
    form: (values, errors) => addForm(main, values, errors),
    confirm: (values, gateway) => confirmAdd(main, values, gateway),
    done: (result) => completed(main, t('gatewayAddDoneHeading'), t('gatewayAddDone', result.id)),
  });
}

function addForm(main: HTMLElement, values: Record<string, string>, errors?: Errors): void {
  const form = new Form(async (f) => {
    const typed = f.values();
    if (!f.passes((e) => { credentialChecks(f, e); siteChecks(f, e); })) {
      return;
    }
    try {
      addFlow.confirm(typed, await verify(typed));
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        requireLogin();
        return;
      }
      f.showProblem(error);
    }
  });
  addFlow.keep(form);
  form.add(
    h('fieldset', { class: 'section' }, h('legend', {}, t('sectionGateway')), credentialFields(form, values)),
    ...siteFields(form, values),
    h('fieldset', { class: 'section' }, h('legend', {}, t('sectionWarranty')),
      form.field({ path: 'gridConnectionDate', label: 'fieldGridConnectionDate', type: 'date', hint: 'hintGridConnectionDate' }, values.gridConnectionDate ?? '')),
    buttons(link('/menu', 'back', 'button'), h('button', { type: 'submit', class: 'primary' }, t('next'))));
  screen(main, t('gatewayAddHeading'), h('p', {}, t('gatewayAddIntro')), form.element);
  if (errors) {
    form.showErrors(errors);
  }
}

function confirmAdd(main: HTMLElement, values: Record<string, string>, gateway: GatewayView): void {
  const problem = problemSlot();
  const site: SiteView = {
    name: values['site.name'], postalCode: postalCode(values['site.postalCode']), prefecture: values['site.prefecture'],
    city: values['site.city'], street: values['site.street'],
  };
  const register = async (button: HTMLButtonElement) => {
    button.disabled = true;
    try {
      const body = nest(Object.fromEntries(Object.entries(values).filter(([path, value]) => value !== '' || path !== 'gridConnectionDate')));
      const added = await api<GatewayDetail>('POST', '/api/gateways', body);
      addFlow.complete({ id: added.id });
    } catch (error) {
      const refused = asGatewayIdError(error);
      if (refused instanceof ApiError && refused.problem.errors) {
        addFlow.refuse(refused.problem.errors);
        return;
      }
      problem.show(refused);
      button.disabled = false;
    }
  };
  const registerButton: HTMLButtonElement = h('button', { type: 'button', class: 'primary', onclick: () => void register(registerButton) }, t('submit'));
  screen(main, t('gatewayAddConfirmHeading'),
    h('p', {}, t('gatewayAddConfirmIntro')),
    problem.element,
    ...gatewayDetails(gateway),
    ...siteDetails(site),
    gateway.product === 'kpac-b' ? h('h2', {}, t('sectionWarranty')) : null,
    gateway.product === 'kpac-b' ? details([[t('fieldGridConnectionDate'), values.gridConnectionDate || t('notEntered')]]) : null,
    gridDateWarning(gateway, values.gridConnectionDate),
    ...unitsTable(gateway),
    buttons(h('button', { type: 'button', onclick: () => history.back() }, t('back')), registerButton));
}

export const gatewayListPage = gatewaySearchPage('gatewayListHeading', 'gatewayListIntro', (id) => `/gateways/view?id=${encodeURIComponent(id)}`);

/** ゲートウェイ情報の照会・編集: the gateway, its PCS units, dealers and warranty; the 案件 and address can be edited. */
export async function gatewayViewPage(main: HTMLElement): Promise<void> {
  const id = param('id') ?? '';
  const gateway = await load<GatewayDetail>(main, t('gatewayViewHeading'), `/api/gateways/${encodeURIComponent(id)}`);
  if (gateway === null) {
    return;
  }

  const saved = h('p', { class: 'notice notice-success', role: 'status', hidden: true }, t('gatewaySaved'));
  const form = new Form(async (f) => {
    saved.hidden = true;
    if (!f.passes((e) => siteChecks(f, e))) {
      return;
    }
    try {
      await api('PATCH', `/api/gateways/${encodeURIComponent(gateway.id)}`, nest(f.values()));
      f.clearErrors();
      saved.hidden = false;
    } catch (error) {
      f.showProblem(error);
    }
  });
  const site = gateway.site;
  form.add(
    ...siteFields(form, {
      'site.name': site.name, 'site.postalCode': site.postalCode, 'site.prefecture': site.prefecture, 'site.city': site.city, 'site.street': site.street,
    }),
    buttons(h('button', { type: 'submit', class: 'primary' }, t('save'))));
  const encoded = encodeURIComponent(gateway.id);
  let warranty = warrantySection(gateway.warranty, gateway.product);
  screen(main, t('gatewayViewHeading'),
    ...gatewayDetails(gateway),
    ...unitsTable(gateway),
    form.element,
    saved,
    h('h2', {}, t('currentDealers')),
    dealersTable(gateway.dealers),
    warranty,
    gateway.product === 'kpac-b'
      ? gridConnectionForm(gateway, (updated) => warranty.replaceWith(warranty = warrantySection(updated.warranty, updated.product)))
      : null,
    h('ul', { class: 'action-links' },
      h('li', {}, link(`/monitoring?id=${encoded}`, 'menuMonitoring')),
      h('li', {}, link(`/dealers/link?id=${encoded}`, 'menuDealerLink')),
      h('li', {}, link(`/gateways/replace?id=${encoded}`, 'menuGatewayReplace')),
      h('li', {}, link(`/gateways/dispose?id=${encoded}`, 'menuGatewayDispose'))),
    h('p', {}, link('/gateways', 'backToList'), ' ', link('/menu', 'backToMenu')));
}

/**
 * 保証: 10 years, 15 with the extension (KPAC-B registered within 3 months of 系統連系日 and connected). The extension
 * row is shown for KPAC-B only, and 適用なし says why.
 */
export function warrantySection(warranty: Warranty, product: string | null): HTMLElement {
  const kpacB = product === 'kpac-b';
  return h('section', { class: 'warranty', 'aria-labelledby': 'warranty-heading' },
    h('h2', { id: 'warranty-heading' }, t('warrantyHeading')),
    details([
      [t('warrantyPeriod'), t('warrantyYears', warranty.years)],
      [t(warranty.startBasis === 'gridConnection' ? 'warrantyStartGrid' : 'warrantyStartRegistration'), formatDate(warranty.startDate)],
      [t('warrantyEnd'), formatDate(warranty.endDate)],
      ...(kpacB ? [[t('warrantyExtension'), t(warranty.extensionApplies ? 'warrantyExtended' : 'warrantyNotExtended')] as [string, string]] : []),
      [t('warrantyConnection'), warranty.lastCommunicatedAt
        ? `${t(warranty.connected ? 'warrantyConnected' : 'warrantyNotConnected')} (${formatDateTime(warranty.lastCommunicatedAt)})`
        : t('notConnected')],
    ]),
    kpacB && !warranty.extensionApplies ? h('ul', { class: 'warranty-reasons' }, extensionRefusals(warranty).map((reason) => h('li', {}, reason))) : null);
}

/** Why a KPAC-B gateway's warranty is not extended (every condition it misses). */
function extensionRefusals(warranty: Warranty): string[] {
  return [
    warranty.startBasis === 'registration' ? t('warrantyReasonNoDate') : null,
    warranty.startBasis === 'gridConnection' && !warranty.registeredInTime ? t('warrantyReasonLate', formatDate(warranty.registrationDeadline)) : null,
    !warranty.connected ? t('warrantyReasonOffline') : null,
  ].filter((reason): reason is string => reason !== null);
}

/** 系統連系日 entered or corrected after registration (KPAC-B only): PUT /api/gateways/{id}/grid-connection-date. */
function gridConnectionForm(gateway: GatewayDetail, onSaved: (updated: GatewayDetail) => void): HTMLElement {
  const saved = h('p', { class: 'notice notice-success', role: 'status', hidden: true }, t('gridDateSaved'));
  const form = new Form(async (f) => {
    saved.hidden = true;
    if (!f.passes((e) => checks.required(f, e, 'gridConnectionDate'))) {
      return;
    }
    try {
      onSaved(await api<GatewayDetail>('PUT', `/api/gateways/${encodeURIComponent(gateway.id)}/grid-connection-date`, f.values()));
      f.clearErrors();
      saved.hidden = false;
    } catch (error) {
      f.showProblem(error);
    }
  });
  form.add(
    h('p', {}, t('gridDateIntro')),
    form.field({ path: 'gridConnectionDate', label: 'fieldGridConnectionDate', required: true, type: 'date' }, gateway.gridConnectionDate ?? ''),
    buttons(h('button', { type: 'submit', class: 'primary' }, t('save'))));
  return h('section', { class: 'grid-connection', 'aria-labelledby': 'grid-date-heading' },
    h('h2', { id: 'grid-date-heading' }, t('gridDateHeading')), form.element, saved);
}

// ゲートウェイの交換: pick the old gateway → new ID + password → 交換確認 → 交換完了 (site, dealers and history carry over).
const replaceSearch = gatewaySearchPage('gatewayReplaceSearchHeading', 'gatewayPickIntro', (id) => `/gateways/replace?id=${encodeURIComponent(id)}`);

export function replaceGatewayPage(main: HTMLElement): void {
  const id = param('id');
  if (id === null) {
    replaceSearch(main);
    return;
  }
  const flow: ReplaceFlow = Flow.named(`gateway-replace:${id}`);
  flow.show({
    form: async (values, errors) => {
      const old = await load<GatewayDetail>(main, t('gatewayReplaceHeading'), `/api/gateways/${encodeURIComponent(id)}`);
      if (old !== null) {
        replaceForm(main, flow, old, values, errors);
      }
    },
    confirm: (values, { old, replacement }) => confirmReplace(main, flow, old, values, replacement),
    done: (result) => completed(main, t('gatewayReplaceDoneHeading'), t('gatewayReplaceDone', result.old, result.id)),
  });
}

type ReplaceFlow = Flow<{ old: GatewayDetail; replacement: GatewayView }>;

function replaceForm(main: HTMLElement, flow: ReplaceFlow, old: GatewayDetail, values: Record<string, string>, errors?: Errors): void {
  const form = new Form(async (f) => {
    const typed = f.values();
    if (!f.passes((e) => {
      credentialChecks(f, e);
      if (typed['gateway.id'].normalize('NFKC').toUpperCase() === old.id) {
        (e['gateway.id'] ??= []).push(t('gatewayReplaceSameId'));
      }
    })) {
      return;
    }
    try {
      flow.confirm(typed, { old, replacement: await verify(typed) });
    } catch (error) {
      f.showProblem(error);
    }
  });
  flow.keep(form);
  form.add(
    h('fieldset', { class: 'section' }, h('legend', {}, t('sectionNewGateway')), credentialFields(form, values, 'fieldNewGatewayId')),
    buttons(link(`/gateways/view?id=${encodeURIComponent(old.id)}`, 'back', 'button'), h('button', { type: 'submit', class: 'primary' }, t('next'))));
  screen(main, t('gatewayReplaceHeading'),
    h('p', {}, t('gatewayReplaceIntro')),
    h('h2', {}, t('sectionOldGateway')),
    details([[t('fieldGatewayId'), old.id], [t('gatewayModel'), old.model], [t('gatewaySerial'), old.serial], [t('fieldSiteName'), old.site.name]]),
    form.element);
  if (errors) {
    form.showErrors(errors);
  }
}

function confirmReplace(
  main: HTMLElement, flow: ReplaceFlow, old: GatewayDetail, values: Record<string, string>, replacement: GatewayView,
): void {
  const problem = problemSlot();
  const replace = async (button: HTMLButtonElement) => {
    button.disabled = true;
    try {
      const done = await api<GatewayDetail>('POST', `/api/gateways/${encodeURIComponent(old.id)}/replacement`,
        { gateway: { id: values['gateway.id'], password: values['gateway.password'] } });
      flow.complete({ old: old.id, id: done.id });
    } catch (error) {
      const refused = asGatewayIdError(error);
      if (refused instanceof ApiError && refused.problem.errors) {
        flow.refuse(refused.problem.errors);
        return;
      }
      problem.show(refused);
      button.disabled = false;
    }
  };
  const replaceButton: HTMLButtonElement = h('button', { type: 'button', class: 'primary', onclick: () => void replace(replaceButton) }, t('replace'));
  screen(main, t('gatewayReplaceConfirmHeading'),
    h('p', {}, t('gatewayReplaceConfirmIntro')),
    problem.element,
    h('h2', {}, t('sectionOldGateway')),
    details([[t('fieldGatewayId'), old.id], [t('gatewayModel'), old.model], [t('gatewaySerial'), old.serial]]),
    ...gatewayDetails(replacement).map((element, index) => index === 0 ? h('h2', {}, t('sectionNewGateway')) : element),
    ...siteDetails(old.site),
    ...unitsTable(replacement),
    h('h2', {}, t('currentDealers')),
    dealersTable(old.dealers),
    buttons(h('button', { type: 'button', onclick: () => history.back() }, t('back')), replaceButton));
}

// ゲートウェイの廃棄: pick the gateway → 廃棄確認 with what it ends → 廃棄完了.
const disposeSearch = gatewaySearchPage('gatewayDisposeSearchHeading', 'gatewayPickIntro', (id) => `/gateways/dispose?id=${encodeURIComponent(id)}`);

export function disposeGatewayPage(main: HTMLElement): void {
  const id = param('id');
  if (id === null) {
    disposeSearch(main);
    return;
  }
  const flow = Flow.named<never>(`gateway-dispose:${id}`);
  flow.show({
    form: () => confirmDisposal(main, flow, id),
    confirm: () => undefined,
    done: (result) => completed(main, t('gatewayDisposeDoneHeading'), t('gatewayDisposeDone', result.id)),
  });
}

async function confirmDisposal(main: HTMLElement, flow: Flow<never>, id: string): Promise<void> {
  const gateway = await load<GatewayDetail>(main, t('gatewayDisposeHeading'), `/api/gateways/${encodeURIComponent(id)}`);
  if (gateway === null) {
    return;
  }

  const problem = problemSlot();
  const dispose = async (button: HTMLButtonElement) => {
    button.disabled = true;
    try {
      await api('DELETE', `/api/gateways/${encodeURIComponent(gateway.id)}`);
      flow.complete({ id: gateway.id });
    } catch (error) {
      problem.show(error);
      button.disabled = false;
    }
  };
  const disposeButton: HTMLButtonElement = h('button', { type: 'button', class: 'primary danger', onclick: () => void dispose(disposeButton) }, t('dispose'));
  screen(main, t('gatewayDisposeHeading'),
    h('div', { class: 'notice notice-error' },
      h('p', {}, t('gatewayDisposeIntro')),
      h('ul', {}, h('li', {}, t('gatewayDisposeSite')), h('li', {}, t('gatewayDisposeDealers', gateway.dealers.length)),
        h('li', {}, t('gatewayDisposeMonitoring')), h('li', {}, t('gatewayDisposeUndo')))),
    problem.element,
    ...gatewaySummary(gateway),
    h('h2', {}, t('currentDealers')),
    dealersTable(gateway.dealers),
    buttons(h('button', { type: 'button', onclick: () => navigate('/gateways/dispose') }, t('back')), disposeButton));
}
