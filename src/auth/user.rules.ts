import type { FieldErrors } from '../errors.js';
import { messages, password, text, validate } from './validation.js';

/** The legacy username rule (ASCII letters and digits, at least 6) with a maximum of 32. */
export const USERNAME_MIN = 6;
export const USERNAME_MAX = 32;

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

/** Registration: a new account plus its invitation and captcha, the password confirmed. */
export function registrationRules(passwordMinLength: number) {
  const shape = {
    ...newUserShape(passwordMinLength),
    invitationCode: text('invitationCode'),
    captchaKey: text('captchaKey'),
    captchaCode: text('captchaCode'),
  };
  const confirmed = (raw: Record<string, unknown>): FieldErrors =>
    raw.password !== undefined && raw.password !== raw.passwordConfirmation
      ? { password: [messages.confirmed('password')] }
      : {};
  return (input: Record<string, unknown>) => validate(shape, input, confirmed);
}
