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

/**
 * Shows another screen without a page load; the hash (activation and reset tokens) never leaves the browser. replace
 * takes the place of the current history entry (a step that must not be returned to, e.g. a confirmation once sent).
 */
export function navigate(path: string, replace = false): void {
  if (replace) {
    history.replaceState(null, '', path);
  } else {
    history.pushState(null, '', path);
  }
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

/** The step of a multi-step flow the address shows (?step=confirm or ?step=done); null on its first step. */
export function currentStep(): string | null {
  return param('step');
}

/**
 * Shows a step of the current flow at its own address (the flow's other parameters, e.g. ?id=, kept): a history entry
 * of its own, so Back returns to the previous step. null is the first step.
 */
export function showStep(step: string | null, replace = false): void {
  const search = new URLSearchParams(location.search);
  if (step === null) {
    search.delete('step');
  } else {
    search.set('step', step);
  }
  const query = search.toString();
  navigate(location.pathname + (query === '' ? '' : `?${query}`), replace);
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
