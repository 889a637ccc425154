import { api, ApiError } from '../api';
import { h } from '../dom';
import { Form, buttons } from '../forms';
import { formatDateTime, t, type MessageKey } from '../i18n';
import { prefectures } from '../prefectures';
import { link, screen } from '../router';
import { requireLogin } from './login';
import { table } from './shared';

export interface AddressView {
  postalCode: string;
  prefecture: string;
  city: string;
  street: string;
}

export interface GatewayListItem {
  id: string;
  siteName: string;
  siteAddress: AddressView;
  firstCommunicatedAt: string | null;
  dealerCount: number;
}

export interface PageOf<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export const pageSize = 10;

export function formatAddress(address: AddressView): string {
  return `${address.prefecture}${address.city}${address.street}`;
}

/** "〒 600-8530" in Japanese; English readers do not know the mark, the label already says what it is. */
export function formatPostalCode(postalCode: string): string {
  return t('postalCodeValue', postalCode);
}

export function firstCommunication(at: string | null): string {
  return at ? formatDateTime(at) : t('notConnected');
}

/**
 * The manual's ゲートウェイの検索 (ID, 設置先【案件】, 都道府県, 市町村, 住所), 10 件表示 with "1 から N まで表示" and 前/次:
 * each gateway ID leads to <paramref>target</paramref>, the screen that acts on it.
 */
export function gatewaySearchPage(heading: MessageKey, intro: MessageKey, target: (id: string) => string) {
  return (main: HTMLElement): void => {
    const results = h('div', { class: 'search-results', 'aria-live': 'polite' });
    let filters: Record<string, string> = {};
    let firstSearch = true;
    const search = (page: number) => showPage<GatewayListItem>(
      `/api/gateways?${new URLSearchParams({ ...filters, page: String(page), pageSize: String(pageSize) }).toString()}`, form, (found) => {
        if (firstSearch) {
          // A customer whose gateways fit one page needs no search: the form folds away (and opens on request).
          folding.open = found.total > pageSize;
          firstSearch = false;
        }
        results.replaceChildren(...resultTable(found, target, search, Object.keys(filters).length > 0));
      });
    const form = new Form(async (f) => {
      filters = Object.fromEntries(Object.entries(f.values()).filter(([, value]) => value !== ''));
      f.clearErrors();
      await search(1);
    });
    const folding = h('details', { class: 'search-form' }, h('summary', {}, t('gatewaySearchToggle')), form.element);
    form.add(
      h('div', { class: 'search-fields' },
        form.field({ path: 'id', label: 'fieldGatewayId', autocomplete: 'off' }),
        form.field({ path: 'site', label: 'fieldSiteName' }),
        form.field({ path: 'prefecture', label: 'fieldPrefecture', choices: prefectures, choicePlaceholder: 'placeholderPrefecture' }),
        form.field({ path: 'city', label: 'fieldCity' }),
        form.field({ path: 'address', label: 'fieldStreet' })),
      buttons(h('button', { type: 'submit', class: 'primary' }, t('search'))));
    screen(main, t(heading), h('p', {}, t(intro)), folding, results, h('p', {}, link('/menu', 'backToMenu')));
    void search(1);
  };
}

function resultTable(found: PageOf<GatewayListItem>, target: (id: string) => string, search: (page: number) => Promise<void>, filtered: boolean): HTMLElement[] {
  return pagedResults(found, table(
    [t('fieldGatewayId'), t('fieldSiteName'), t('gatewaySiteAddress'), t('gatewayFirstCommunication'), t('gatewayDealerCount')],
    found.items.map((item) => [
      h('a', { href: target(item.id), 'data-route': '', class: 'gateway-link' }, item.id),
      item.siteName, formatAddress(item.siteAddress), firstCommunication(item.firstCommunicatedAt), item.dealerCount,
    ]),
    t(filtered ? 'gatewaySearchNoMatch' : 'gatewayListEmpty'), true), search);
}

/** GETs a page of results and shows it; a lost session leads to the login screen, another refusal shows under the form. */
export async function showPage<T>(path: string, form: Form, show: (found: PageOf<T>) => void): Promise<void> {
  try {
    show(await api<PageOf<T>>('GET', path));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      requireLogin();
      return;
    }
    form.showProblem(error);
  }
}

/** A page of results: "N 件表示", the table, "1 から N まで表示" and 前/次 (which call <paramref>search</paramref> with the page). */
export function pagedResults<T>(found: PageOf<T>, results: HTMLElement, search: (page: number) => Promise<void>): HTMLElement[] {
  const first = found.total === 0 ? 0 : (found.page - 1) * found.pageSize + 1;
  const last = (found.page - 1) * found.pageSize + found.items.length;
  const pages = Math.max(1, Math.ceil(found.total / found.pageSize));
  return [
    h('p', { class: 'page-size' }, t('pageSizeLabel', found.pageSize)),
    results,
    h('p', { class: 'page-range' }, t('gatewayListRange', first, last), ' ', t('totalCount', found.total)),
    h('nav', { class: 'pager', 'aria-label': t('pagerLabel') },
      h('button', { type: 'button', disabled: found.page <= 1, onclick: () => void search(found.page - 1) }, t('previous')),
      h('span', { class: 'page-number' }, `${found.page} / ${pages}`),
      h('button', { type: 'button', disabled: found.page >= pages, onclick: () => void search(found.page + 1) }, t('nextPage'))),
  ];
}
