import {
  BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip,
} from 'chart.js';
import { api, ApiError } from '../api';
import { append, h } from '../dom';
import { Form, buttons } from '../forms';
import { formatDateTime, language, t, type MessageKey } from '../i18n';
import { link, navigate, param, screen } from '../router';
import { signedInUser } from '../session';
import { gatewaySearchPage } from './gatewaySearch';
import { warrantySection, type GatewayDetail } from './gateways';
import { requireLogin } from './login';
import { details, load, table } from './shared';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

interface Status {
  ts: string;
  pvW: number | null;
  batterySoc: number | null;
  batteryW: number | null;
  evConnected: boolean | null;
  evSoc: number | null;
  evW: number | null;
  gridW: number | null;
  loadW: number | null;
  units: { unitNo: number; status: string | null; faults: string[] }[];
}

interface HistoryPoint {
  ts: string;
  pvGeneratedKWh: number;
  consumedKWh: number;
  boughtKWh: number;
  soldKWh: number;
  batteryChargedKWh: number;
  batteryDischargedKWh: number;
  evChargedKWh: number;
  evDischargedKWh: number;
}

export interface Alert {
  id: string;
  code: string;
  unitNo: number;
  severity: string;
  raisedAt: string;
  clearedAt: string | null;
  message: string;
}

interface Settings {
  operationMode: string;
  batteryReservePercent: number;
  evChargeWindow: { start: string; end: string } | null;
  version: number;
  updatedAt: string | null;
  applied: { version: number; appliedAt: string | null } | null;
}

type Period = 'day' | 'month' | 'year';

/** How often the open page asks for the latest status (the gateway sends about once a minute). */
const pollMilliseconds = 5000;
const japan = 9 * 3600_000;
const operationModes = ['self-consumption', 'economy', 'backup'];

const pickGateway = gatewaySearchPage('monitoringPickHeading', 'gatewayPickIntro', (id) => `/monitoring?id=${encodeURIComponent(id)}`);

/**
 * モニタリングサイト for the owner or a linked dealer: the live power flow (polled while the screen is shown), SoC,
 * today's energy, day/month/year charts, alerts, settings and, for the owner, the warranty.
 */
export async function monitoringPage(main: HTMLElement): Promise<void> {
  // Alert mails sent before they carried ?id= linked /monitoring#<gateway ID>.
  const id = param('id') ?? (location.hash.length > 1 ? decodeURIComponent(location.hash.slice(1)) : null);
  if (id === null) {
    const me = await load<{ role: string }>(main, t('menuMonitoring'), '/api/me');
    if (me?.role === 'dealer') {
      navigate('/dealer/gateways');
    } else if (me !== null) {
      pickGateway(main);
    }
    return;
  }

  const settings = await load<Settings>(main, t('monitoringHeading', id), `/api/gateways/${encodeURIComponent(id)}/settings`);
  if (settings === null) {
    return;
  }
  const dealer = (await signedInUser().catch(() => null))?.role === 'dealer';
  const [alerts, owned, maintained, first] = await Promise.all([
    api<Alert[]>('GET', `/api/gateways/${encodeURIComponent(id)}/alerts`).catch(() => []),
    dealer ? null : api<GatewayDetail>('GET', `/api/gateways/${encodeURIComponent(id)}`).catch(() => null),
    // The dealer's view of the 案件 is recorded in the customer's 閲覧履歴 (once a day), so it is asked here, not by the polls.
    dealer ? api<{ siteName: string }>('GET', `/api/dealer/gateways/${encodeURIComponent(id)}/site`).catch(() => null) : null,
    api<Status>('GET', `/api/gateways/${encodeURIComponent(id)}/status`).catch(() => null),
  ]);
  const ev = hasEvCharger(owned, first);
  const siteName = owned?.site.name ?? maintained?.siteName;
  const title = siteName === undefined ? t('monitoringHeading', id) : t('monitoringHeadingSite', siteName, id);

  const flow = h('section', { class: 'power-flow', 'aria-labelledby': 'flow-heading', 'aria-live': 'polite' });
  const today = h('section', { class: 'today', 'aria-labelledby': 'today-heading' });
  const charts = chartSection(id, ev);
  screen(main, title,
    h('h2', { id: 'flow-heading' }, t('powerFlowHeading')), flow,
    h('h2', { id: 'today-heading' }, t('todayHeading')), today,
    charts,
    h('h2', {}, t('alertsHeading')), alertsTable(alerts),
    settingsSection(id, settings, ev),
    owned ? warrantySection(owned.warranty, owned.product) : null,
    h('p', {}, link('/menu', 'backToMenu')));

  const refreshStatus = async () => {
    try {
      showStatus(flow, await api<Status>('GET', `/api/gateways/${encodeURIComponent(id)}/status`), ev);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        requireLogin();
        return;
      }
      flow.replaceChildren(h('p', { class: 'notice' }, error instanceof ApiError && error.status === 404 ? t('noTelemetryYet') : t('networkError')));
    }
  };
  await Promise.all([refreshStatus(), showToday(id, today, ev)]);
  const timer = window.setInterval(() => {
    if (!flow.isConnected) {
      window.clearInterval(timer);
      return;
    }
    void refreshStatus();
  }, pollMilliseconds);
}

function watts(value: number | null): string {
  return value === null ? '—' : `${Math.round(Math.abs(value)).toLocaleString(language() === 'en' ? 'en-GB' : 'ja-JP')} W`;
}

function kwh(value: number): string {
  return `${kwhNumber(value)} kWh`;
}

/** One node of the flow: its name, power and which way the power goes. */
function node(kind: string, label: MessageKey, value: number | null, direction: MessageKey | null, extra?: Node | null): HTMLElement {
  return h('div', { class: `flow-node flow-node-${kind}`, 'data-flow': kind },
    h('p', { class: 'flow-label' }, t(label)),
    h('p', { class: 'flow-value' }, watts(value)),
    h('p', { class: 'flow-direction' }, direction === null ? '' : t(direction)),
    extra ?? null);
}

function flowDirection(value: number | null, positive: MessageKey, negative: MessageKey): MessageKey | null {
  if (value === null || Math.abs(value) < 1) {
    return value === null ? null : 'flowIdle';
  }
  return value > 0 ? positive : negative;
}

function soc(value: number | null, label: MessageKey): HTMLElement | null {
  return value === null ? null : h('p', { class: 'flow-soc' },
    h('span', {}, `${t(label)} ${value.toLocaleString(language() === 'en' ? 'en-GB' : 'ja-JP', { maximumFractionDigits: 1 })} %`),
    h('meter', { min: 0, max: 100, low: 20, high: 80, optimum: 100, value, 'aria-label': t(label) }));
}

/**
 * Whether the system has an EV charger (V2X): the owner's gateway says by its product (KPAC-B is a storage system without
 * one), a dealer's by its telemetry (an "ev" block). EV cards and the EV charging window show only then.
 */
function hasEvCharger(owned: GatewayDetail | null, status: Status | null): boolean {
  if (owned?.product) {
    return owned.product !== 'kpac-b';
  }
  return status !== null && (status.evConnected !== null || status.evW !== null);
}

function unitStatus(status: string | null): string {
  return status === 'run' || status === 'stop' || status === 'fault' ? t(`unitStatus_${status}`) : status ?? '';
}

function showStatus(flow: HTMLElement, status: Status, ev: boolean): void {
  flow.replaceChildren();
  append(flow, [
    h('div', { class: 'flow-grid' },
      node('pv', 'flowPv', status.pvW, flowDirection(status.pvW, 'flowGenerating', 'flowIdle')),
      node('battery', 'flowBattery', status.batteryW, flowDirection(status.batteryW, 'flowDischarging', 'flowCharging'), soc(status.batterySoc, 'flowSoc')),
      node('home', 'flowHome', status.loadW, flowDirection(status.loadW, 'flowConsuming', 'flowIdle')),
      ev ? node('ev', 'flowEv', status.evW, status.evConnected === false ? 'flowEvDisconnected' : flowDirection(status.evW, 'flowCharging', 'flowDischarging'),
        soc(status.evSoc, 'flowEvSoc')) : null,
      node('grid', 'flowGrid', status.gridW, flowDirection(status.gridW, 'flowBuying', 'flowSelling'))),
    h('p', { class: 'flow-updated' }, t('statusAt', formatDateTime(status.ts))),
    status.units.length === 0 ? null : table([t('unitNo'), t('unitState'), t('unitFaults')],
      status.units.map((unit) => [unit.unitNo, unitStatus(unit.status), unit.faults.length === 0 ? t('none') : unit.faults.join(', ')]), '')]);
}

/** Midnight in Japan (the days of the charts and of "today") as a UTC instant. */
function japanMidnight(ms: number): number {
  return Math.floor((ms + japan) / 86400_000) * 86400_000 - japan;
}

async function history(id: string, from: number, to: number, resolution: '1h' | '1d'): Promise<HistoryPoint[]> {
  const query = new URLSearchParams({ from: new Date(from).toISOString(), to: new Date(to).toISOString(), resolution });
  return (await api<{ points: HistoryPoint[] }>('GET', `/api/gateways/${encodeURIComponent(id)}/history?${query.toString()}`)).points;
}

function sum(points: HistoryPoint[], pick: (point: HistoryPoint) => number): number {
  return points.reduce((total, point) => total + pick(point), 0);
}

async function showToday(id: string, today: HTMLElement, ev: boolean): Promise<void> {
  const now = Date.now();
  try {
    const points = await history(id, japanMidnight(now), now, '1h');
    today.replaceChildren(details(seriesOf(ev).map(([key, , pick]) => [t(key), kwh(sum(points, pick))])));
  } catch (error) {
    today.replaceChildren(h('p', { class: 'notice notice-error' }, error instanceof ApiError ? error.problem.title : t('unexpectedError')));
  }
}

/** The chart's series: what each bar is, its colour, where it comes from. */
const chartSeries: [MessageKey, string, (p: HistoryPoint) => number][] = [
  ['energyGenerated', '#f5a623', (p) => p.pvGeneratedKWh], ['energyConsumed', '#005bac', (p) => p.consumedKWh],
  ['energyBought', '#b3261e', (p) => p.boughtKWh], ['energySold', '#1e6b34', (p) => p.soldKWh],
  ['energyCharged', '#6b3fa0', (p) => p.batteryChargedKWh], ['energyDischarged', '#8a6d00', (p) => p.batteryDischargedKWh],
];

/** The EV's series: its charging and (V2X) its discharging into the home; shown only for a system with an EV charger. */
const evSeries: typeof chartSeries = [
  ['energyEvCharged', '#00838f', (p) => p.evChargedKWh], ['energyEvDischarged', '#5d4037', (p) => p.evDischargedKWh],
];

function seriesOf(ev: boolean): typeof chartSeries {
  return ev ? [...chartSeries, ...evSeries] : chartSeries;
}

/**
 * 日/月/年 bar charts of whole periods (24 hours, every day of the month, 12 months) with 前/次, generation, consumption,
 * purchase, sale, the battery's charge and discharge and, with an EV charger, the EV's, and the same numbers as a table
 * for screen readers (Chart.js draws; its canvas needs no inline style).
 */
function chartSection(id: string, ev: boolean): HTMLElement {
  const shownSeries = seriesOf(ev);
  const canvas = h('canvas', { role: 'img', 'aria-label': t(ev ? 'chartLabelEv' : 'chartLabel') });
  const caption = h('p', { class: 'chart-caption' });
  const data = h('div', { class: 'table-scroll' });
  let chart: Chart | null = null;
  let period: Period = 'day';
  let offset = 0;
  let shown: HistoryPoint[] = [];
  const tabs = (['day', 'month', 'year'] as Period[]).map((choice) =>
    h('button', { type: 'button', class: 'tab', 'data-period': choice, 'aria-pressed': 'false', onclick: () => void show(choice, 0) }, t(`period_${choice}`)));
  const previous = h('button', { type: 'button', onclick: () => void show(period, offset - 1) }, t('chartPrevious'));
  const next = h('button', { type: 'button', onclick: () => void show(period, offset + 1) }, t('chartNext'));
  const download = h('button', { type: 'button', class: 'download', onclick: () => saveCsv(id, period, shown, shownSeries) }, t('downloadCsv'));
  const show = async (choice: Period, at: number) => {
    [period, offset] = [choice, at];
    tabs.forEach((tab) => tab.setAttribute('aria-pressed', String(tab.dataset.period === choice)));
    next.disabled = at >= 0;
    const { title, labels, points } = await series(id, choice, at);
    shown = points.filter((point): point is HistoryPoint => point !== null);
    caption.textContent = title;
    chart?.destroy();
    chart = new Chart(canvas, {
      type: 'bar',
      data: {
        labels,
        datasets: shownSeries.map(([key, colour, pick]) => ({ label: t(key), data: points.map((p) => (p === null ? null : pick(p))), backgroundColor: colour })),
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        scales: { x: { ticks: { autoSkip: true, maxRotation: 0 } }, y: { beginAtZero: true, title: { display: true, text: 'kWh' } } },
      },
    });
    data.replaceChildren(table([t('csvTime'), ...shownSeries.map(([key]) => `${t(key)} (kWh)`)],
      labels.map((label, index) => [label, ...shownSeries.map(([, , pick]) => (points[index] === null ? '' : kwhNumber(pick(points[index]!))))]), ''));
  };
  const section = h('section', { class: 'charts', 'aria-labelledby': 'charts-heading' },
    h('h2', { id: 'charts-heading' }, t('chartsHeading')),
    h('div', { class: 'tabs', role: 'group', 'aria-label': t('chartsHeading') }, tabs),
    h('div', { class: 'chart-nav' }, previous, caption, next),
    h('div', { class: 'chart-box' }, canvas),
    h('details', { class: 'chart-data' }, h('summary', {}, t('chartAsTable')), data),
    h('div', { class: 'buttons' }, download));
  queueMicrotask(() => void show('day', 0).catch(() => { caption.textContent = t('unexpectedError'); }));
  return section;
}

function kwhNumber(value: number): string {
  return value.toLocaleString(language() === 'en' ? 'en-GB' : 'ja-JP', { maximumFractionDigits: 1 });
}

/**
 * 履歴のダウンロード: the shown period's points as CSV, as VRM and Enphase offer. UTF-8 with a BOM, so that Excel opens
 * the Japanese headings as Japanese; times in Japan time; made in the browser from what the chart shows.
 */
function saveCsv(id: string, period: Period, points: HistoryPoint[], columns: typeof chartSeries): void {
  const time = (iso: string) => new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
  }).format(new Date(iso));
  const lines = [
    [t('csvTime'), ...columns.map(([key]) => `${t(key)} (kWh)`)].join(','),
    ...points.map((point) => [time(point.ts), ...columns.map(([, , pick]) => String(Math.round(pick(point) * 1000) / 1000))].join(',')),
  ];
  const link = h('a', {
    href: URL.createObjectURL(new Blob(['\uFEFF' + lines.join('\r\n') + '\r\n'], { type: 'text/csv;charset=utf-8' })),
    download: `${id}-${period}-${time(new Date().toISOString()).slice(0, 10)}.csv`,
  });
  link.click();
  // The download starts after this task; the URL goes once it surely has.
  window.setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
}

/**
 * A whole period in Japan time, <paramref>offset</paramref> periods back from the current one: the 24 hours of a day,
 * every day of a month, the 12 months of a year. Slots without data (the future, or before the gateway sent) are null.
 */
async function series(id: string, period: Period, offset: number): Promise<{ title: string; labels: string[]; points: (HistoryPoint | null)[] }> {
  const now = Date.now();
  const local = new Date(now + japan);
  const format = (ms: number, options: Intl.DateTimeFormatOptions) =>
    new Intl.DateTimeFormat(language() === 'en' ? 'en-GB' : 'ja-JP', { timeZone: 'Asia/Tokyo', ...options }).format(new Date(ms));
  const add = (into: HistoryPoint | null, point: HistoryPoint): HistoryPoint => into === null ? point : {
    ...into,
    pvGeneratedKWh: into.pvGeneratedKWh + point.pvGeneratedKWh, consumedKWh: into.consumedKWh + point.consumedKWh,
    boughtKWh: into.boughtKWh + point.boughtKWh, soldKWh: into.soldKWh + point.soldKWh,
    batteryChargedKWh: into.batteryChargedKWh + point.batteryChargedKWh, batteryDischargedKWh: into.batteryDischargedKWh + point.batteryDischargedKWh,
    evChargedKWh: into.evChargedKWh + point.evChargedKWh, evDischargedKWh: into.evDischargedKWh + point.evDischargedKWh,
  };
  const place = (starts: number[], points: HistoryPoint[]) => {
    const slots: (HistoryPoint | null)[] = starts.map(() => null);
    for (const point of points) {
      const at = Date.parse(point.ts);
      const index = starts.filter((slot) => slot <= at).length - 1;
      if (index >= 0) {
        slots[index] = add(slots[index], point);
      }
    }
    return slots;
  };
  const fetch = async (starts: number[], end: number, resolution: '1h' | '1d') =>
    starts[0] >= now ? [] : history(id, starts[0], Math.min(end, now), resolution);

  if (period === 'day') {
    const start = japanMidnight(now) + offset * 86400_000;
    const starts = Array.from({ length: 24 }, (_, hour) => start + hour * 3600_000);
    return {
      title: offset === 0 ? t('chartCaption_day') : t('chartCaptionAt_day', format(start, { year: 'numeric', month: 'long', day: 'numeric' })),
      labels: starts.map((ms) => format(ms, { hour: 'numeric' })),
      points: place(starts, await fetch(starts, start + 86400_000, '1h')),
    };
  }
  if (period === 'month') {
    const [year, month] = [local.getUTCFullYear(), local.getUTCMonth() + offset];
    const days = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
    const starts = Array.from({ length: days }, (_, day) => Date.UTC(year, month, day + 1) - japan);
    return {
      title: offset === 0 ? t('chartCaption_month') : t('chartCaptionAt_month', format(starts[0], { year: 'numeric', month: 'long' })),
      labels: starts.map((ms) => format(ms, { day: 'numeric' })),
      points: place(starts, await fetch(starts, Date.UTC(year, month + 1, 1) - japan, '1d')),
    };
  }
  const year = local.getUTCFullYear() + offset;
  const starts = Array.from({ length: 12 }, (_, month) => Date.UTC(year, month, 1) - japan);
  return {
    title: offset === 0 ? t('chartCaption_year') : t('chartCaptionAt_year', format(starts[0], { year: 'numeric' })),
    labels: starts.map((ms) => format(ms, { month: 'short' })),
    points: place(starts, await fetch(starts, Date.UTC(year + 1, 0, 1) - japan, '1d')),
  };
}

/** Alerts newest first: when, code, unit, what it means, and when it cleared (or 発生中). */
export function alertsTable(alerts: Alert[]): HTMLElement {
  return table([t('alertRaisedAt'), t('alertCode'), t('unitNo'), t('alertMessage'), t('alertCleared')],
    alerts.map((alert) => [
      formatDateTime(alert.raisedAt), alert.code, alert.unitNo || '', alert.message,
      h('span', { class: alert.clearedAt ? 'state' : 'state state-alert' }, alert.clearedAt ? formatDateTime(alert.clearedAt) : t('alertActive')),
    ]),
    t('noAlertHistory'), true);
}

/** 設定: operation mode, battery reserve and EV charging window; the gateway picks them up and reports them applied. */
function settingsSection(id: string, settings: Settings, ev: boolean): HTMLElement {
  const section = h('section', { class: 'settings', 'aria-labelledby': 'settings-heading' });
  let shown = settings;
  const render = (current: Settings, saved: boolean) => {
    shown = current;
    const form = new Form(async (f) => {
      const values = f.values();
      try {
        const updated = await api<Settings>('PUT', `/api/gateways/${encodeURIComponent(id)}/settings`, {
          operationMode: values.operationMode,
          batteryReservePercent: values.batteryReservePercent,
          evChargeWindow: !ev ? current.evChargeWindow
            : values['evChargeWindow.start'] === '' && values['evChargeWindow.end'] === ''
              ? null : { start: values['evChargeWindow.start'], end: values['evChargeWindow.end'] },
          version: current.version,
        });
        render(updated, true);
      } catch (error) {
        f.showProblem(error);
      }
    });
    form.add(
      form.field({
        path: 'operationMode', label: 'settingOperationMode', required: true, choices: operationModes, choicePlaceholder: 'placeholderChoose',
        choiceLabels: Object.fromEntries(operationModes.map((mode) => [mode, t(`mode_${mode}` as MessageKey)])),
      }, current.operationMode),
      form.field({ path: 'batteryReservePercent', label: 'settingBatteryReserve', required: true, type: 'number', inputmode: 'numeric', hint: 'hintBatteryReserve' },
        String(current.batteryReservePercent)),
      ev ? form.field({ path: 'evChargeWindow.start', label: 'settingEvStart', type: 'time' }, current.evChargeWindow?.start ?? '') : null,
      ev ? form.field({ path: 'evChargeWindow.end', label: 'settingEvEnd', type: 'time' }, current.evChargeWindow?.end ?? '') : null,
      buttons(h('button', { type: 'submit', class: 'primary' }, t('save'))));
    section.replaceChildren();
    append(section, [
      h('h2', { id: 'settings-heading' }, t('settingsHeading')),
      saved ? h('p', { class: 'notice notice-success', role: 'status' }, t('settingsSaved')) : null,
      h('p', { class: 'settings-applied', role: 'status' }, appliedText(current)),
      form.element]);
  };
  render(settings, false);
  // 反映待ち resolves on screen: while the gateway has not applied the current version, ask again at the status's pace.
  const timer = window.setInterval(() => {
    if (!section.isConnected) {
      window.clearInterval(timer);
      return;
    }
    if (shown.applied?.version !== shown.version) {
      void api<Settings>('GET', `/api/gateways/${encodeURIComponent(id)}/settings`).then((latest) => {
        if (latest.version === shown.version && latest.applied?.version === latest.version) {
          shown = latest;
          section.querySelector('.settings-applied')?.replaceChildren(appliedText(latest));
        }
      }).catch(() => undefined);
    }
  }, pollMilliseconds);
  return section;
}

function appliedText(settings: Settings): string {
  return settings.applied?.version === settings.version
    ? t('settingsApplied', settings.applied.appliedAt ? formatDateTime(settings.applied.appliedAt) : '')
    : t('settingsPending');
}
