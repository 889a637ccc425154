import { checks } from '../checks';
import type { Form } from '../forms';
import type { MessageKey } from '../i18n';

/** A new password twice and the registered phone, as both activation and password reset ask for them. */
export function newPasswordFields(form: Form, phoneHint?: MessageKey): HTMLElement[] {
  return [
    form.field({ path: 'password', label: 'fieldPassword', required: true, type: 'password', autocomplete: 'new-password', maxlength: 16 }),
    form.field({ path: 'passwordConfirm', label: 'fieldPasswordConfirm', required: true, type: 'password', autocomplete: 'new-password', maxlength: 16 }),
    form.field({ path: 'phone', label: 'fieldPhone', required: true, type: 'tel', autocomplete: 'tel', placeholder: '000-0000-0000', hint: phoneHint }),
  ];
}

/** The client-side hints for those fields (the password rule and its confirmation); false when one fails. */
export function newPasswordPasses(form: Form): boolean {
  return form.passes((errors) => {
    checks.required(form, errors, 'password', 'passwordConfirm', 'phone');
    checks.password(form, errors, 'password', 'passwordConfirm');
  });
}

/** What those fields send. */
export function newPasswordBody(form: Form): { password: string; passwordConfirm: string; phone: string } {
  return { password: form.value('password'), passwordConfirm: form.value('passwordConfirm'), phone: form.value('phone') };
}
