import { addError, type Errors, type Form } from './forms';
import { digitsOf, katakana, normalize } from './format';

/**
 * Client-side hints mirroring the API's rules (after the same NFKC normalisation), so that most mistakes show before
 * a round trip. The API checks everything again and its messages win.
 */
export const checks = {
  required(form: Form, errors: Errors, ...paths: string[]): void {
    for (const path of paths) {
      if (form.value(path) === '') {
        addError(errors, path, 'checkRequired');
      }
    }
  },

  postalCode(form: Form, errors: Errors, path: string): void {
    const digits = digitsOf(form.value(path));
    if (form.value(path) !== '' && !/^\d{7}$/.test(digits)) {
      addError(errors, path, 'checkPostalCode');
    }
  },

  prefecture(form: Form, errors: Errors, path: string): void {
    if (form.value(path) === '' && !errors[path]) {
      addError(errors, path, 'checkPrefecture');
    }
  },

  phone(form: Form, errors: Errors, path: string): void {
    const digits = digitsOf(form.value(path));
    const valid = /^0[1-9]\d{8}$/.test(digits) || /^0[5789]0\d{8}$/.test(digits);
    if (form.value(path) !== '' && !valid) {
      addError(errors, path, 'checkPhone');
    }
  },

  email(form: Form, errors: Errors, path: string, confirmPath?: string): void {
    const email = normalize(form.value(path));
    if (email !== '' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
      addError(errors, path, 'checkEmail');
    }
    if (confirmPath && form.value(confirmPath) !== '' && normalize(form.value(confirmPath)).toLowerCase() !== email.toLowerCase()) {
      addError(errors, confirmPath, 'checkEmailConfirm');
    }
  },

  kana(form: Form, errors: Errors, ...paths: string[]): void {
    for (const path of paths) {
      const kana = katakana(form.value(path));
      if (kana !== '' && !/^[ァ-ヶヴー ]+$/.test(kana)) {
        addError(errors, path, 'checkKana');
      }
    }
  },

  gatewayId(form: Form, errors: Errors, path: string): void {
    const id = normalize(form.value(path)).toUpperCase();
    if (id !== '' && !/^[A-Z0-9]{12}$/.test(id)) {
      addError(errors, path, 'checkGatewayId');
    }
  },

  password(form: Form, errors: Errors, path: string, confirmPath: string): void {
    const password = form.value(path);
    if (password !== '' && !(password.length >= 8 && password.length <= 16 && /[a-z]/.test(password) && /[A-Z]/.test(password) && /\d/.test(password))) {
      addError(errors, path, 'checkPassword');
    }
    if (form.value(confirmPath) !== '' && form.value(confirmPath) !== password) {
      addError(errors, confirmPath, 'checkPasswordConfirm');
    }
  },
};
