import { h, type Child } from './dom';
import { t, type MessageKey } from './i18n';

export type Page = (main: HTMLElement) => void | Promise<void>;

let render: () => void = () => undefined;

export function startRouter(renderCurrent: () => void): void {
  render = renderCurrent;
  window.addEventListener('popstate', () => render());
  document.addEventListener('click', (event) => {
    const link = (event.target as Element).closest('a');
    if (link && link.origin === location.origin && link.dataset.route !== undefined && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
      event.preventDefault();
      navigate(link.pathname + link.search + link.hash);
    }
  });
  render();
}

/** Shows another screen without a page load; the hash (activation and reset tokens) never leaves the browser. */
export function navigate(path: string): void {
  history.pushState(null, '', path);
  window.scrollTo(0, 0);
  render();
}

/** Re-renders the current screen, e.g. after the language changed. */
export function refresh(): void {
  render();
}

/** An in-portal link (routed without a reload). */
export function link(path: string, text: MessageKey, className?: string): HTMLAnchorElement {
  return h('a', { href: path, 'data-route': '', class: className }, t(text));
}

/** A query parameter of the current screen's address (e.g. the gateway ID in /gateways/view?id=…). */
export function param(name: string): string | null {
  return new URLSearchParams(location.search).get(name);
}

/** A screen's frame: its heading (also the document title, focused for screen readers) and content. */
export function screen(main: HTMLElement, title: string, ...children: (Child | Child[])[]): void {
  document.title = `${title} | ${t('siteTitle')}`;
  const heading = h('h1', { tabindex: -1 }, title);
  main.replaceChildren(h('section', { class: 'screen' }, heading, ...children));
  heading.focus({ preventScroll: true });
}
