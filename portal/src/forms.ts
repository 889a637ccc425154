import { ApiError } from './api';
import { h, uniqueId, type Child } from './dom';
import { saveDraft } from './drafts';
import { refusedCharacters } from './freeText';
import { t, type MessageKey } from './i18n';

export interface FieldOptions {
  /** The JSON path the API names in its `errors` (e.g. "site.postalCode"). */
  path: string;
  label: MessageKey;
  /** Fills the label's {0}… (e.g. the number of a repeated field). */
  labelArgs?: (string | number)[];
  required?: boolean;
  type?: string;
  autocomplete?: string;
  inputmode?: string;
  placeholder?: string;
  hint?: MessageKey;
  maxlength?: number;
  /** A select's choices (value = label). */
  choices?: readonly string[];
  choicePlaceholder?: MessageKey;
  /** What a choice shows when its value is a code (value → label). */
  choiceLabels?: Record<string, string>;
  /** A text area whose value may break lines (an operator's notice body). */
  multiline?: boolean;
}

interface FieldParts {
  control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
  error: HTMLElement;
  hintId?: string;
}

export type Errors = Record<string, string[]>;

/**
 * A form whose fields are keyed by the API's JSON paths: errors (the API's or the client's hints) are shown under
 * their field, tied to it with aria-describedby and aria-invalid, and summarised at the top in an alert.
 */
export class Form {
  readonly element: HTMLFormElement;
  private readonly fields = new Map<string, FieldParts>();
  private readonly summary = h('div', { class: 'form-summary', role: 'alert', hidden: true });

  constructor(onSubmit: (form: Form) => void | Promise<void>) {
    this.element = h('form', { novalidate: true });
    this.element.append(this.summary);
    this.element.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.submit(onSubmit);
    });
  }

  private async submit(onSubmit: (form: Form) => void | Promise<void>): Promise<void> {
    const buttons = [...this.element.querySelectorAll('button')];
    buttons.forEach((button) => { button.disabled = true; });
    try {
      await onSubmit(this);
    } finally {
      buttons.forEach((button) => { button.disabled = false; });
    }
  }

  /** Keeps what is typed (passwords excepted) for a reload or Back, under the flow's name (drafts.ts). */
  keepDraft(flow: string): this {
    const save = () => saveDraft(flow, this.values());
    this.element.addEventListener('input', save);
    this.element.addEventListener('change', save);
    return this;
  }

  add(...children: Child[]): this {
    this.element.append(...children.filter((c): c is Node | string => c instanceof Node || typeof c === 'string'));
    return this;
  }

  /** One labelled control with its badge, hint and error slot. */
  field(options: FieldOptions, value = ''): HTMLElement {
    const id = uniqueId('f');
    const hintId = options.hint ? `${id}-hint` : undefined;
    const errorId = `${id}-error`;
    const common = {
      id, name: options.path, required: options.required ?? false, autocomplete: options.autocomplete,
      'aria-describedby': [hintId, errorId].filter(Boolean).join(' '),
    };
    const control = options.multiline
      ? h('textarea', { ...common, rows: 5, maxlength: options.maxlength }, value)
      : options.choices
      ? h('select', common,
        h('option', { value: '' }, t(options.choicePlaceholder ?? 'placeholderPrefecture')),
        options.choices.map((choice) => h('option', { value: choice, selected: choice === value }, options.choiceLabels?.[choice] ?? choice)))
      : h('input', {
        ...common, type: options.type ?? 'text', value, inputmode: options.inputmode, placeholder: options.placeholder,
        maxlength: options.maxlength,
      });
    const error = h('p', { class: 'field-error', id: errorId, hidden: true });
    this.fields.set(options.path, { control, error, hintId });
    return h('div', { class: 'field' },
      h('label', { for: id }, t(options.label, ...(options.labelArgs ?? [])), ' ', badge(options.required ?? false)),
      control,
      options.hint ? h('p', { class: 'field-hint', id: hintId }, t(options.hint)) : null,
      error);
  }

  /** Fields side by side (姓 + 名) under one heading. */
  group(label: MessageKey, required: boolean, ...fields: HTMLElement[]): HTMLElement {
    return h('fieldset', { class: 'field-group' },
      h('legend', {}, t(label), ' ', badge(required)),
      h('div', { class: 'field-row' }, fields));
  }

  /** Runs client-side hints, after the API's character rule on every field; false (with their messages shown) when any failed. */
  passes(run: (errors: Errors) => void): boolean {
    const errors: Errors = {};
    for (const [path, value] of Object.entries(this.values())) {
      if (refusedCharacters.test(this.fields.get(path)?.control instanceof HTMLTextAreaElement ? value.replace(/\r?\n/g, '') : value)) {
        addError(errors, path, 'checkCharacters');
      }
    }
    run(errors);
    if (Object.keys(errors).length > 0) {
      this.showErrors(errors);
      return false;
    }
    return true;
  }

  value(path: string): string {
    return this.fields.get(path)?.control.value.trim() ?? '';
  }

  values(): Record<string, string> {
    return Object.fromEntries([...this.fields.keys()].map((path) => [path, this.value(path)]));
  }

  clearErrors(): void {
    this.summary.hidden = true;
    this.summary.replaceChildren();
    for (const { control, error } of this.fields.values()) {
      control.removeAttribute('aria-invalid');
      error.hidden = true;
      error.replaceChildren();
    }
  }

  /** Shows each message under its field (messages for paths without a field go to the summary) and focuses the first. */
  showErrors(errors: Errors, summary: string = t('formHasErrors')): void {
    this.clearErrors();
    const unplaced: string[] = [];
    let first: HTMLElement | undefined;
    for (const [path, messages] of Object.entries(errors)) {
      const parts = this.fields.get(path);
      if (!parts) {
        unplaced.push(...messages);
        continue;
      }

      parts.control.setAttribute('aria-invalid', 'true');
      parts.error.replaceChildren(...messages.map((message) => h('span', {}, message)));
      parts.error.hidden = false;
      first ??= parts.control;
    }

    this.showSummary([summary, ...unplaced]);
    (first ?? this.summary).focus();
  }

  /** The API's answer on this form: field errors in place, anything else (401, 409, 429, offline) in the summary. */
  showProblem(error: unknown): void {
    if (error instanceof ApiError && error.problem.errors) {
      this.showErrors(error.problem.errors);
    } else {
      this.clearErrors();
      this.showSummary([error instanceof ApiError ? error.problem.title : t('unexpectedError')]);
      this.summary.focus();
    }
  }

  private showSummary(lines: string[]): void {
    this.summary.replaceChildren(...lines.map((line) => h('p', {}, line)));
    this.summary.tabIndex = -1;
    this.summary.hidden = false;
  }
}

function badge(required: boolean): HTMLElement {
  return h('span', { class: required ? 'badge badge-required' : 'badge badge-optional' }, t(required ? 'required' : 'optional'));
}

/** {"site.postalCode": "600-8530"} → {site: {postalCode: "600-8530"}}. */
export function nest(values: Record<string, string>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [path, value] of Object.entries(values)) {
    const keys = path.split('.');
    let target = result;
    for (const key of keys.slice(0, -1)) {
      target = (target[key] ??= {}) as Record<string, unknown>;
    }
    target[keys[keys.length - 1]] = value;
  }
  return result;
}

/** Adds a message to a client-side error map. */
export function addError(errors: Errors, path: string, key: MessageKey): void {
  (errors[path] ??= []).push(t(key));
}

export function buttons(...children: Child[]): HTMLElement {
  return h('div', { class: 'buttons' }, children);
}

export interface RequestFormOptions {
  /** The fields, made with the form's field() and group(). */
  fields: (form: Form) => HTMLElement[];
  /** The client-side hints run before the request. */
  check: (form: Form, errors: Errors) => void;
  /** The request; it answering at all means the mail is on its way. */
  send: (form: Form) => Promise<unknown>;
  submit: MessageKey;
  sent: MessageKey;
  /** A way back beside the submit button. */
  back?: HTMLElement;
}

/**
 * A form that asks for a mail (a new activation link, a password reset link, the forgotten user ID). The API answers
 * the same whatever was entered, so success only reveals the "sent" notice under the form, which stays for another try.
 */
export function requestForm(options: RequestFormOptions): HTMLElement[] {
  const sent = h('p', { class: 'notice notice-success', role: 'status', hidden: true }, t(options.sent));
  const form = new Form(async (f) => {
    if (!f.passes((errors) => options.check(f, errors))) {
      return;
    }
    try {
      await options.send(f);
      f.clearErrors();
      sent.hidden = false;
    } catch (error) {
      f.showProblem(error);
    }
  });
  form.add(...options.fields(form), buttons(options.back, h('button', { type: 'submit', class: 'primary' }, t(options.submit))));
  return [form.element, sent];
}
