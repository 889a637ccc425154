/**
 * What the user typed in a step of a multi-step flow, and what its completion shows, kept in sessionStorage (this tab
 * only, gone when it closes) so that a reload or Back and Forward lose nothing. Passwords are never stored: a path
 * naming a password (gateway.password, password, passwordConfirm) stays in the page's memory only.
 */
const prefix = 'kpnet.draft.';

export function loadDraft(flow: string): Record<string, string> {
  try {
    return JSON.parse(sessionStorage.getItem(prefix + flow) ?? '{}') as Record<string, string>;
  } catch {
    return {};
  }
}

export function saveDraft(flow: string, values: Record<string, string>): void {
  sessionStorage.setItem(prefix + flow, JSON.stringify(Object.fromEntries(Object.entries(values).filter(([path]) => !/password/i.test(path)))));
}

export function clearDraft(flow: string): void {
  sessionStorage.removeItem(prefix + flow);
}
