import { clearDraft, loadDraft, saveDraft } from './drafts';
import type { Errors, Form } from './forms';
import { currentStep, showStep } from './router';

export interface FlowScreens<T> {
  /** The first step; errors are the API's refusal of the confirmation, shown under their fields. */
  form: (values: Record<string, string>, errors?: Errors) => void | Promise<void>;
  confirm: (values: Record<string, string>, data: T) => void;
  done: (result: Record<string, string>) => void;
}

/**
 * A multi-step flow (form → ?step=confirm → ?step=done), each step at its own address and history entry: Back from the
 * confirmation returns to the form as filled, a reload keeps what was typed (drafts.ts, passwords excepted), and the
 * completion replaces the confirmation so that Back cannot send it twice. A step whose data is gone (after a reload the
 * confirmation lacks what only memory held) shows the form again.
 */
export class Flow<T> {
  private static readonly flows = new Map<string, Flow<unknown>>();
  private values: Record<string, string> = {};
  private confirmed: T | null = null;
  private refusals: Errors | undefined;

  private constructor(private readonly name: string) {}

  /** The flow of that name (e.g. "gateway-replace:01AB12345678"), with what this tab holds of it. */
  static named<T>(name: string): Flow<T> {
    let flow = Flow.flows.get(name);
    if (flow === undefined) {
      flow = new Flow<T>(name);
      Flow.flows.set(name, flow);
    }
    return flow as Flow<T>;
  }

  /** Shows the step the address names. */
  show(screens: FlowScreens<T>): void {
    const values = { ...loadDraft(this.name), ...this.values };
    const step = currentStep();
    const result = loadDraft(`${this.name}.done`);
    if (step === 'confirm' && this.confirmed !== null) {
      screens.confirm(values, this.confirmed);
    } else if (step === 'done' && Object.keys(result).length > 0) {
      screens.done(result);
    } else if (step !== null) {
      showStep(null, true);
    } else {
      const errors = this.refusals;
      this.refusals = undefined;
      void screens.form(values, errors);
    }
  }

  /** Keeps what is typed in the form, in memory and (passwords excepted) in sessionStorage. */
  keep(form: Form): void {
    form.keepDraft(this.name);
    form.element.addEventListener('input', () => { this.values = form.values(); });
  }

  /** The form passed its checks and what the confirmation shows is known: on to the confirmation. */
  confirm(values: Record<string, string>, data: T): void {
    this.values = values;
    this.confirmed = data;
    showStep('confirm');
  }

  /** The confirmation went through: forget the draft, show the completion (result: what it says, never a secret). */
  complete(result: Record<string, string>): void {
    this.values = {};
    this.confirmed = null;
    clearDraft(this.name);
    saveDraft(`${this.name}.done`, result);
    showStep('done', true);
  }

  /** What the form held is to be dropped (the data changed meanwhile): back to the form, filled from the data anew. */
  restart(): void {
    this.values = {};
    this.confirmed = null;
    clearDraft(this.name);
    history.back();
  }

  /** The API refused what the form held: back to the form (the previous history entry), with its messages. */
  refuse(errors: Errors): void {
    this.refusals = errors;
    history.back();
  }
}
