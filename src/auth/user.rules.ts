import type { FieldErrors } from '../errors.js';
import { messages, password, text, validate } from './validation.js';

/** The legacy username rule (ASCII letters and digits, at least 6) with a maximum of 32. */
const USERNAME_MIN = 6;
const USERNAME_MAX = 32;

/** The fields of a new account, shared by registration and `storegate admin create`. */
export function newUserShape(passwordMinLength: number) {
  return {
    name: text('name'),
    username: text('username', { min: USERNAME_MIN, max: USERNAME_MAX }).refine(
      (v) => /^[A-Za-z0-9]*$/.test(v),
      messages.alphaNum('username'),
    ),
    password: password('password', passwordMinLength),
  };
}

/** Login accepts any account the legacy service could have created: only presence and maxima are checked. */
export const loginShape = {
  username: text('username'),
  password: password('password', 1),
};

/** A field and its confirmation must match (Laravel's `confirmed` rule). */
const confirmed =
  (field: string) =>
  (raw: Record<string, unknown>): FieldErrors =>
    raw[field] !== undefined && raw[field] !== raw[`${field}Confirmation`]
      ? { [field]: [messages.confirmed(field)] }
      : {};

/** Registration: a new account plus its invitation and captcha, the password confirmed. */
export function registrationRules(passwordMinLength: number) {
  const shape = {
    ...newUserShape(passwordMinLength),
    invitationCode: text('invitationCode'),
    captchaKey: text('captchaKey'),
    captchaCode: text('captchaCode'),
  };
  return (input: Record<string, unknown>) => validate(shape, input, confirmed('password'));
}

/** A password change: the current one as any login takes it, the new one by the registration rules. */
export function passwordChangeRules(passwordMinLength: number) {
  const shape = {
    currentPassword: password('currentPassword', 1),
    newPassword: password('newPassword', passwordMinLength),
  };
  return (input: Record<string, unknown>) => validate(shape, input, confirmed('newPassword'));
}

/** Redeeming a reset code: the account, the code, and a new password by the registration rules. */
export function passwordResetRules(passwordMinLength: number) {
  const shape = {
    username: text('username'),
    code: text('code', { max: 64 }),
    newPassword: password('newPassword', passwordMinLength),
  };
  return (input: Record<string, unknown>) => validate(shape, input, confirmed('newPassword'));
}
