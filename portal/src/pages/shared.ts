import { api, apiVersioned, ApiError, type Versioned } from '../api';
import { h } from '../dom';
import { t } from '../i18n';
import { link, screen } from '../router';
import { requireLogin } from './login';

/** A screen that could not load: the API's message (or a generic one) and a way back. */
export function failure(main: HTMLElement, title: string, error: unknown): void {
  screen(main, title,
    h('p', { class: 'notice notice-error', role: 'alert' }, error instanceof ApiError ? error.problem.title : t('unexpectedError')),
    h('p', {}, link('/', 'toTop')));
}

/** A label/value table for confirmation screens. */
export function details(rows: [string, string][]): HTMLElement {
  return h('dl', { class: 'details' }, rows.flatMap(([label, value]) => [h('dt', {}, label), h('dd', {}, value)]));
}

/**
 * GETs what a signed-in screen shows, with 読み込み中 meanwhile: null (and the login screen, or the failure) when it
 * cannot, so callers simply return.
 */
export async function load<T>(main: HTMLElement, title: string, path: string): Promise<T | null> {
  return loading(main, title, () => api<T>('GET', path));
}

/** As load, keeping the data's version for a change made from it (If-Match). */
export async function loadVersioned<T>(main: HTMLElement, title: string, path: string): Promise<Versioned<T> | null> {
  return loading(main, title, () => apiVersioned<T>(path));
}

async function loading<T>(main: HTMLElement, title: string, read: () => Promise<T>): Promise<T | null> {
  screen(main, title, h('p', {}, t('loading')));
  try {
    return await read();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      requireLogin();
    } else {
      failure(main, title, error);
    }
    return null;
  }
}

/** A notice slot for a screen's own buttons (not a form): the API's refusal, or the generic message. */
export function problemSlot(): { element: HTMLElement; show: (error: unknown) => void } {
  const element = h('div', { class: 'form-summary', role: 'alert', tabindex: -1, hidden: true });
  return {
    element,
    show: (error) => {
      element.replaceChildren(h('p', {}, error instanceof ApiError ? error.problem.title : t('unexpectedError')));
      element.hidden = false;
      element.focus();
    },
  };
}

/** A completion screen: the success message and the way back to the menu. */
export function completed(main: HTMLElement, title: string, ...lines: string[]): void {
  screen(main, title,
    lines.map((line, index) => h('p', index === 0 ? { class: 'notice notice-success', role: 'status' } : {}, line)),
    h('div', { class: 'buttons' }, link('/menu', 'backToMenu', 'button primary')));
}

/**
 * A table with column headings; rows of cells (text or nodes). A stacked table shows each row as a card of
 * "heading: value" lines on a phone, where five columns would not fit.
 */
export function table(headings: string[], rows: (string | number | Node)[][], empty: string, stacked = false): HTMLElement {
  // Focusable, so a keyboard user can scroll a table wider than the screen (WCAG 2.1.1).
  return h('div', { class: stacked ? 'table-scroll stacked' : 'table-scroll', tabindex: 0 },
    h('table', {},
      h('thead', {}, h('tr', {}, headings.map((heading) => h('th', { scope: 'col' }, heading)))),
      h('tbody', {}, rows.length === 0
        ? h('tr', {}, h('td', { colspan: headings.length }, empty))
        : rows.map((cells) => h('tr', {}, cells.map((cell, index) => h('td', { 'data-label': headings[index] }, cell)))))));
}
