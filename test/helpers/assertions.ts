import { expect } from 'vitest';
import type { GraphqlResponse } from './graphql.js';

/** No stack trace leaves the server, whatever the answer. */
export function expectNoStackTrace(text: string): void {
  expect(text).not.toContain('stacktrace');
  expect(text).not.toContain('    at ');
}

/** Nothing internal leaks: no INTERNAL_SERVER_ERROR, no stack trace, whatever the answer. */
export function expectNoInternals(body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  expect(text).not.toContain('INTERNAL_SERVER_ERROR');
  expectNoStackTrace(text);
}

/** The answer failed, every error with this code and business code, and leaked nothing. Returns the first. */
export function expectGraphqlError(response: GraphqlResponse, code: string, legacyCode: number) {
  expectNoInternals(response);
  expect(response.status).not.toBe(500);
  expect(response.errors?.length, JSON.stringify(response)).toBeGreaterThan(0);
  for (const error of response.errors!) expect(error.extensions).toMatchObject({ code, legacyCode });
  return response.errors![0]!;
}

/** A BAD_USER_INPUT answer (10001) whose `fieldErrors` name this field. */
export function expectBadInput(response: GraphqlResponse, field: string) {
  expectGraphqlError(response, 'BAD_USER_INPUT', 10001);
  const fields = response.errors!.flatMap((error) => Object.keys(error.extensions!.fieldErrors ?? {}));
  expect(fields, JSON.stringify(response.errors)).toContain(field);
}
