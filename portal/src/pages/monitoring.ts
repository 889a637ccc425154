import {
  BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip,
} from 'chart.js';
import { api, ApiError } from '../api';
import { append, h } from '../dom';
import { Form, buttons } from '../forms';
import { formatDateTime, language, t, type MessageKey } from '../i18n';
import { link, navigate, param, screen } from '../router';
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
  const [alerts, owned, first] = await Promise.all([
    api<Alert[]>('GET', `/api/gateways/${encodeURIComponent(id)}/alerts`).catch(() => []),
    api<GatewayDetail>('GET', `/api/gateways/${encodeURIComponent(id)}`).catch(() => null),
    api<Status>('GET', `/api/gateways/${encodeURIComponent(id)}/status`).catch(() => null),
  ]);
  const ev = hasEvCharger(owned, first);
  const title = owned ? t('monitoringHeadingSite', owned.site.name, id) : t('monitoringHeading', id);

  const flow = h('section', { class: 'power-flow', 'aria-labelledby': 'flow-heading', 'aria-live': 'polite' });
  const today = h('section', { class: 'today', 'aria-labelledby': 'today-heading' });
  const charts = chartSection(id);
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
  await Promise.all([refreshStatus(), showToday(id, today)]);
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
  return `${value.toLocaleString(language() === 'en' ? 'en-GB' : 'ja-JP', { maximumFractionDigits: 1 })} kWh`;
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

async function showToday(id: string, today: HTMLElement): Promise<void> {
  const now = Date.now();
  try {
    const points = await history(id, japanMidnight(now), now, '1h');
    today.replaceChildren(details([
      [t('energyGenerated'), kwh(sum(points, (p) => p.pvGeneratedKWh))],
      [t('energyConsumed'), kwh(sum(points, (p) => p.consumedKWh))],
      [t('energyBought'), kwh(sum(points, (p) => p.boughtKWh))],
      [t('energySold'), kwh(sum(points, (p) => p.soldKWh))],
      [t('energyCharged'), kwh(sum(points, (p) => p.batteryChargedKWh))],
      [t('energyDischarged'), kwh(sum(points, (p) => p.batteryDischargedKWh))],
    ]));
  } catch (error) {
    today.replaceChildren(h('p', { class: 'notice notice-error' }, error instanceof ApiError ? error.problem.title : t('unexpectedError')));
  }
}

/** 日/月/年 bar charts of generation, consumption, purchase and sale (Chart.js draws; its canvas needs no inline style). */
function chartSection(id: string): HTMLElement {
  const canvas = h('canvas', { role: 'img', 'aria-label': t('chartLabel') });
  const caption = h('p', { class: 'chart-caption' });
  let chart: Chart | null = null;
  const tabs = (['day', 'month', 'year'] as Period[]).map((period) =>
    h('button', { type: 'button', class: 'tab', 'data-period': period, 'aria-pressed': 'false', onclick: () => void show(period) }, t(`period_${period}`)));
  let shown: { period: Period; points: HistoryPoint[] } | null = null;
  const download = h('button', { type: 'button', class: 'download', onclick: () => { if (shown) saveCsv(id, shown.period, shown.points); } }, t('downloadCsv'));
  const show = async (period: Period) => {
    tabs.forEach((tab) => tab.setAttribute('aria-pressed', String(tab.dataset.period === period)));
    const { labels, points } = await series(id, period);
    shown = { period, points };
    caption.textContent = t(`chartCaption_${period}`);
    chart?.destroy();
    chart = new Chart(canvas, {
      type: 'bar',
      data: {
        labels,
        datasets: [
          { label: t('energyGenerated'), data: points.map((p) => p.pvGeneratedKWh), backgroundColor: '#f5a623' },
          { label: t('energyConsumed'), data: points.map((p) => p.consumedKWh), backgroundColor: '#005bac' },
          { label: t('energyBought'), data: points.map((p) => p.boughtKWh), backgroundColor: '#b3261e' },
          { label: t('energySold'), data: points.map((p) => p.soldKWh), backgroundColor: '#1e6b34' },
        ],
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        scales: { y: { beginAtZero: true, title: { display: true, text: 'kWh' } } },
      },
    });
  };
  const section = h('section', { class: 'charts', 'aria-labelledby': 'charts-heading' },
    h('h2', { id: 'charts-heading' }, t('chartsHeading')),
    h('div', { class: 'tabs', role: 'group', 'aria-label': t('chartsHeading') }, tabs),
    caption,
    h('div', { class: 'chart-box' }, canvas),
    h('div', { class: 'buttons' }, download));
  queueMicrotask(() => void show('day').catch(() => { caption.textContent = t('unexpectedError'); }));
  return section;
}

/**
 * 履歴のダウンロード: the shown period's points as CSV, as VRM and Enphase offer. UTF-8 with a BOM, so that Excel opens
 * the Japanese headings as Japanese; times in Japan time; made in the browser from what the chart shows.
 */
function saveCsv(id: string, period: Period, points: HistoryPoint[]): void {
  const time = (iso: string) => new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
  }).format(new Date(iso));
  const columns: [MessageKey, (p: HistoryPoint) => number][] = [
    ['energyGenerated', (p) => p.pvGeneratedKWh], ['energyConsumed', (p) => p.consumedKWh], ['energyBought', (p) => p.boughtKWh],
    ['energySold', (p) => p.soldKWh], ['energyCharged', (p) => p.batteryChargedKWh], ['energyDischarged', (p) => p.batteryDischargedKWh],
  ];
  const lines = [
    [t('csvTime'), ...columns.map(([key]) => `${t(key)} (kWh)`)].join(','),
    ...points.map((point) => [time(point.ts), ...columns.map(([, pick]) => String(Math.round(pick(point) * 1000) / 1000))].join(',')),
  ];
  const link = h('a', {
    href: URL.createObjectURL(new Blob(['\uFEFF' + lines.join('\r\n') + '\r\n'], { type: 'text/csv;charset=utf-8' })),
    download: `${id}-${period}-${time(new Date().toISOString()).slice(0, 10)}.csv`,
  });
  link.click();
  // The download starts after this task; the URL goes once it surely has.
  window.setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
}

/** The period's points with their axis labels, in Japan time: hours of today, days of this month, months of this year. */
async function series(id: string, period: Period): Promise<{ labels: string[]; points: HistoryPoint[] }> {
  const now = Date.now();
  const local = new Date(now + japan);
  const label = (ms: number, options: Intl.DateTimeFormatOptions) =>
    new Intl.DateTimeFormat(language() === 'en' ? 'en-GB' : 'ja-JP', { timeZone: 'Asia/Tokyo', ...options }).format(new Date(ms));
  if (period === 'day') {
    const points = await history(id, japanMidnight(now), now, '1h');
    return { labels: points.map((p) => label(Date.parse(p.ts), { hour: 'numeric' })), points };
  }
  if (period === 'month') {
    const start = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), 1) - japan;
    const points = await history(id, start, now, '1d');
    return { labels: points.map((p) => label(Date.parse(p.ts), { day: 'numeric' })), points };
  }
  const start = Date.UTC(local.getUTCFullYear(), 0, 1) - japan;
  const days = await history(id, start, now, '1d');
  const months = new Map<number, HistoryPoint>();
  for (const day of days) {
    const month = new Date(Date.parse(day.ts) + japan).getUTCMonth();
    const total = months.get(month) ?? { ...day, pvGeneratedKWh: 0, consumedKWh: 0, boughtKWh: 0, soldKWh: 0, batteryChargedKWh: 0, batteryDischargedKWh: 0 };
    months.set(month, {
      ...total,
      pvGeneratedKWh: total.pvGeneratedKWh + day.pvGeneratedKWh, consumedKWh: total.consumedKWh + day.consumedKWh,
      boughtKWh: total.boughtKWh + day.boughtKWh, soldKWh: total.soldKWh + day.soldKWh,
      batteryChargedKWh: total.batteryChargedKWh + day.batteryChargedKWh, batteryDischargedKWh: total.batteryDischargedKWh + day.batteryDischargedKWh,
    });
  }
  const points = [...months.values()];
  return { labels: points.map((p) => label(Date.parse(p.ts), { month: 'short' })), points };
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
