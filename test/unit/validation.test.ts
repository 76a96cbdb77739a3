import { describe, expect, it } from 'vitest';
import { loginShape, registrationRules } from '../../src/auth/user.rules.js';
import { validate } from '../../src/auth/validation.js';
import { AppError, type FieldErrors } from '../../src/errors.js';

const validateRegistration = registrationRules(8);

const valid = {
  name: 'Alice Liddell',
  username: 'alice01',
  password: 'password123',
  passwordConfirmation: 'password123',
  invitationCode: 'WELCOME2020',
  captchaKey: 'captcha-abc',
  captchaCode: 'ABCDE',
};

function rejection(check: () => unknown): AppError {
  try {
    check();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected the input to be rejected');
}

const fieldErrorsOf = (input: Record<string, unknown>): FieldErrors =>
  rejection(() => validateRegistration(input)).details.fieldErrors!;

describe('registration input', () => {
  it('accepts a valid registration, trimming every field but the passwords', () => {
    const padded = { name: '  Alice Liddell \t', username: ' alice01 ', password: ' pass word ' };
    const fields = validateRegistration({ ...valid, ...padded, passwordConfirmation: padded.password });
    expect(fields).toMatchObject({ name: 'Alice Liddell', username: 'alice01', password: ' pass word ' });
  });

  it('accepts a password of exactly 72 bytes (24 three-byte characters)', () => {
    const password = '€'.repeat(24);
    expect(validateRegistration({ ...valid, password, passwordConfirmation: password }).password).toBe(password);
  });

  it('counts characters as code points, like mb_strlen: 255 emoji make a valid name', () => {
    expect(validateRegistration({ ...valid, name: '😀'.repeat(255) }).name).toHaveLength(510);
    expect(fieldErrorsOf({ ...valid, name: '😀'.repeat(256) })).toEqual({
      name: ['The name may not be greater than 255 characters.'],
    });
  });

  const euros = { password: '€'.repeat(25), passwordConfirmation: '€'.repeat(25) };
  const cases: Array<[string, Record<string, unknown>, string, string]> = [
    ['short username', { username: 'alice' }, 'username', 'The username must be at least 6 characters.'],
    ['long username', { username: 'a'.repeat(33) }, 'username', 'The username may not be greater than 32 characters.'],
    ['underscore', { username: 'alice_01' }, 'username', 'The username may only contain letters and numbers.'],
    ['non-ASCII letter', { username: 'alïce01' }, 'username', 'The username may only contain letters and numbers.'],
    ['username not a string', { username: 1234567 }, 'username', 'The username must be a string.'],
    ['short password', { password: 'short' }, 'password', 'The password must be at least 8 characters.'],
    ['25 € (75 bytes)', euros, 'password', 'The password may not be greater than 72 bytes.'],
    ['other confirmation', { passwordConfirmation: 'other' }, 'password', 'The password confirmation does not match.'],
    ['no confirmation', { passwordConfirmation: undefined }, 'password', 'The password confirmation does not match.'],
    ['bell in the name', { name: 'Alice\u0007' }, 'name', 'The name must not contain control characters.'],
    ['line break in the name', { name: 'Alice\nLiddell' }, 'name', 'The name must not contain control characters.'],
    ['name of spaces only', { name: '   ' }, 'name', 'The name field is required.'],
    ['name over 255', { name: 'n'.repeat(256) }, 'name', 'The name may not be greater than 255 characters.'],
    ['no invitation code', { invitationCode: undefined }, 'invitationCode', 'The invitation code field is required.'],
    ['empty captcha key', { captchaKey: '' }, 'captchaKey', 'The captcha key field is required.'],
    ['null captcha code', { captchaCode: null }, 'captchaCode', 'The captcha code field is required.'],
  ];

  it.each(cases)('%s: rejected in Laravel wording', (_name, change, field, message) => {
    const error = rejection(() => validateRegistration({ ...valid, ...change }));
    expect(error).toMatchObject({ kind: 'INVALID_INPUT', graphqlCode: 'BAD_USER_INPUT', legacyCode: 10001, message });
    expect(error.details.fieldErrors).toEqual({ [field]: [message] });
  });

  it('reports fields in the order of the rules: a password mismatch comes before a missing code', () => {
    const error = rejection(() =>
      validateRegistration({ ...valid, passwordConfirmation: 'other', invitationCode: '' }),
    );
    expect(error.message).toBe('The password confirmation does not match.');
    expect(Object.keys(error.details.fieldErrors!)).toEqual(['password', 'invitationCode']);
  });

  it("reports each failing field once, with that field's first failing rule", () => {
    expect(fieldErrorsOf({ ...valid, name: '', username: 'ab_', password: 'short' })).toEqual({
      name: ['The name field is required.'],
      username: ['The username must be at least 6 characters.'],
      password: ['The password must be at least 8 characters.'],
    });
  });
});

describe('login input', () => {
  const validateLogin = (input: Record<string, unknown>) => validate(loginShape, input);

  it('accepts any legacy account: no username pattern or password minimum', () => {
    const legacyAccount = { username: 'old_user.name', password: 'x' };
    expect(validateLogin(legacyAccount)).toEqual(legacyAccount);
  });

  it('still rejects passwords over 72 bytes and missing fields', () => {
    expect(rejection(() => validateLogin({ username: 'alice01', password: '€'.repeat(25) })).message).toBe(
      'The password may not be greater than 72 bytes.',
    );
    expect(rejection(() => validateLogin({ password: 'password' })).message).toBe('The username field is required.');
  });
});
