import { z } from 'zod';
import { AppError, type FieldErrors } from '../errors.js';
import { MAX_PASSWORD_BYTES } from './password-hasher.js';

/** Laravel's attribute name: `passwordConfirmation` → "password confirmation". */
const attribute = (field: string): string => field.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`);

/** Laravel 6's English wording, so REST clients see the messages the legacy service sent. */
export const messages = {
  required: (f: string) => `The ${attribute(f)} field is required.`,
  string: (f: string) => `The ${attribute(f)} must be a string.`,
  integer: (f: string) => `The ${attribute(f)} must be an integer.`,
  min: (f: string, n: number) => `The ${attribute(f)} must be at least ${n} characters.`,
  max: (f: string, n: number) => `The ${attribute(f)} may not be greater than ${n} characters.`,
  between: (f: string, a: number, b: number) => `The ${attribute(f)} must be between ${a} and ${b}.`,
  maxBytes: (f: string, n: number) => `The ${attribute(f)} may not be greater than ${n} bytes.`,
  alphaNum: (f: string) => `The ${attribute(f)} may only contain letters and numbers.`,
  controlChars: (f: string) => `The ${attribute(f)} must not contain control characters.`,
  confirmed: (f: string) => `The ${attribute(f)} confirmation does not match.`,
  format: (f: string) => `The ${attribute(f)} format is invalid.`,
};

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Characters as Laravel (mb_strlen) and MySQL count them: code points, not UTF-16 units. */
const length = (v: string): number => [...v].length;

/**
 * A required single-line string, trimmed as Laravel's TrimStrings middleware did for every
 * field but passwords.
 */
export function text(field: string, { min = 1, max = 255 } = {}) {
  return z
    .string({ required_error: messages.required(field), invalid_type_error: messages.string(field) })
    .trim()
    .min(1, messages.required(field))
    .refine((v) => length(v) >= min, messages.min(field, min))
    .refine((v) => length(v) <= max, messages.max(field, max))
    .refine((v) => !CONTROL.test(v), messages.controlChars(field));
}

export function password(field: string, minLength: number) {
  return z
    .string({ required_error: messages.required(field), invalid_type_error: messages.string(field) })
    .min(1, messages.required(field))
    .refine((v) => length(v) >= minLength, messages.min(field, minLength))
    .refine((v) => Buffer.byteLength(v) <= MAX_PASSWORD_BYTES, messages.maxBytes(field, MAX_PASSWORD_BYTES));
}

export function integer(field: string, min: number, max: number) {
  return z
    .number({ required_error: messages.required(field), invalid_type_error: messages.integer(field) })
    .int(messages.integer(field))
    .min(min, messages.between(field, min, max))
    .max(max, messages.between(field, min, max));
}

/** Laravel's ConvertEmptyStringsToNull: an empty or null value counts as absent. */
function absentToUndefined(input: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).map(([k, v]) => [k, v === '' || v === null ? undefined : v]));
}

/**
 * Parses untrusted input with a schema, or throws INVALID_INPUT with the first message of each
 * failing field (Laravel reports a field's first failing rule first). `extra` adds cross-field checks.
 */
export function validate<S extends z.ZodRawShape>(
  shape: S,
  input: Record<string, unknown>,
  extra?: (raw: Record<string, unknown>) => FieldErrors,
): z.infer<z.ZodObject<S>> {
  const cleaned = absentToUndefined(input);
  const result = z.object(shape).safeParse(cleaned);
  const found: FieldErrors = {};
  if (!result.success) {
    for (const issue of result.error.issues) {
      const field = String(issue.path[0] ?? 'input');
      found[field] ??= [issue.message];
    }
  }
  for (const [field, list] of Object.entries(extra?.(cleaned) ?? {})) found[field] ??= list;
  // In the order of the rules, so the first message is the first failing field's, as Laravel's.
  const ordered = [...new Set([...Object.keys(shape), ...Object.keys(found)])];
  const errors: FieldErrors = Object.fromEntries(ordered.flatMap((f) => (found[f] ? [[f, found[f]]] : [])));
  const fields = Object.keys(errors);
  if (fields.length > 0 || !result.success) throw AppError.invalid(errors);
  return result.data;
}
