import { ApiError } from '../api';
import { h } from '../dom';
import { t } from '../i18n';
import { link, screen } from '../router';

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
