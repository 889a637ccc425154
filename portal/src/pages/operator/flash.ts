import { h } from '../../dom';
import { navigate } from '../../router';

let pending: string | null = null;

/** Goes to <paramref>path</paramref> and has the next screen say that the operator's action was done. */
export function doneThen(message: string, path: string): void {
  pending = message;
  navigate(path);
}

/** The success line of the action just done (once), or null. */
export function takeDone(): HTMLElement | null {
  const message = pending;
  pending = null;
  return message === null ? null : h('p', { class: 'notice notice-success', role: 'status' }, message);
}
