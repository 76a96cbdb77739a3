import fc from 'fast-check';
import ms from 'ms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, loginAsNewAdmin, storedState } from '../helpers/accounts.js';
import { anyJsonValue, headerText, hostileText, jsonParams, textParams } from '../helpers/arbitraries.js';
import { expectNoStackTrace } from '../helpers/assertions.js';
import { type Gateway, startGateway } from '../helpers/gateway.js';
import { ops } from '../helpers/graphql.js';
import { exchange, type TimedAnswer } from '../helpers/http.js';

/** Small, so that generated strings land on both sides of it cheaply. */
const BODY_LIMIT = 4096;
const RUNS = { numRuns: 100 };
const TOKEN_RUNS = 25;
/** Query strings stay well under the HTTP header limit (16 KB) even with every character escaped. */
const QUERY_VALUE_AROUND = 200;

const REGISTER_FIELDS = [
  'name',
  'username',
  'password',
  'passwordConfirmation',
  'invitationCode',
  'captchaKey',
  'captchaCode',
];
const REST_REGISTER_FIELDS = REGISTER_FIELDS.map((f) => f.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));

/** A clean answer with one of the expected codes (or the body-size refusal), never an internal error. */
function expectGraphqlAnswer(answer: TimedAnswer, expected: readonly string[]): void {
  expectNoStackTrace(answer.text);
  expect([200, 400, 413], answer.text).toContain(answer.status);
  const errors: Array<{ extensions?: { code?: string; legacyCode?: number } }> = answer.json?.errors ?? [];
  if (errors.length === 0) {
    expect(expected, answer.text).toContain('ok');
    return;
  }
  const allowed = [...expected, 'BAD_USER_INPUT', ...(answer.status === 413 ? ['PAYLOAD_TOO_LARGE'] : [])];
  for (const error of errors) {
    expect(allowed, answer.text).toContain(error.extensions?.code);
    expect(typeof error.extensions?.legacyCode, answer.text).toBe('number');
  }
}

/** The envelope with one of the expected business codes, or the 400/401/413 answers. */
function expectRestAnswer(answer: TimedAnswer, expected: readonly (number | 401)[]): void {
  expectNoStackTrace(answer.text);
  const { status, json: body } = answer;
  if (status === 401 && expected.includes(401)) {
    expect(body).toEqual({ message: 'Unauthenticated.' });
    return;
  }
  if (status === 400 || status === 413) {
    expect(body, answer.text).toMatchObject({ data: null, code: 10001 });
    return;
  }
  expect(status, answer.text).toBe(200);
  expect(expected, answer.text).toContain(body.code);
  expect(typeof body.msg).toBe('string');
  if (body.code === 10001) {
    expect(Object.keys(body.errors).length).toBeGreaterThan(0);
    expect(body.data).not.toHaveProperty('password');
    expect(body.data).not.toHaveProperty('password_confirmation');
  }
}

/** A whole number out of every range, or no whole number at all. */
const notACount = fc.oneof(
  hostileText(),
  fc.double().filter((d) => !Number.isInteger(d)),
  fc.constantFrom(0, -1, 2 ** 31, 10 ** 12, null, true, [], {}),
);
/** What `ms` would not read as a positive duration (it throws on an empty string). */
const isDuration = (text: string): boolean => {
  try {
    return (ms(text as ms.StringValue) ?? 0) > 0;
  } catch {
    return false;
  }
};
/** Neither a duration nor absent (null and '' mean no expiry). */
const notADuration = fc.oneof(
  hostileText().filter((text) => text !== '' && !isDuration(text)),
  fc.constantFrom(7, 1.5, true, ['7d'], { d: 7 }),
);

/** One argument surely invalid, the others anything: no call may create a code. */
const invitationArguments = fc.constantFrom('count', 'uses', 'expiresIn').chain((invalid) =>
  fc.record(
    {
      count: invalid === 'count' ? notACount : anyJsonValue(BODY_LIMIT),
      uses: invalid === 'uses' ? notACount : anyJsonValue(BODY_LIMIT),
      expiresIn: invalid === 'expiresIn' ? notADuration : anyJsonValue(BODY_LIMIT),
    },
    { requiredKeys: [invalid] },
  ),
);

describe('fuzzing every argument of every operation', () => {
  let gw: Gateway;
  let admin: Account;
  beforeAll(async () => {
    gw = await startGateway({ env: { BODY_LIMIT: String(BODY_LIMIT), LOGIN_MAX_ATTEMPTS: '1000000' } });
    admin = await loginAsNewAdmin(gw.app, gw.url, 'fuzzadmin1');
  });
  afterAll(async () => gw?.close());

  /** Checks a property over its runs, and that none of them created or changed a user or an invitation. */
  async function leavesNoRow<T>(values: fc.Arbitrary<T>, check: (value: T) => Promise<void>, numRuns = RUNS.numRuns) {
    const before = await storedState(gw.db);
    await fc.assert(fc.asyncProperty(values, check), { numRuns });
    expect(await storedState(gw.db)).toEqual(before);
  }

  describe('GraphQL, through variables', () => {
    const post = (query: string, variables: unknown, authorization?: string) =>
      exchange(`${gw.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization !== undefined && { authorization }) },
        body: JSON.stringify({ query, variables }),
      });
    const input = (fields: string[]) => fc.oneof(jsonParams(fields, BODY_LIMIT), anyJsonValue(BODY_LIMIT));
    const code = fc.record({ code: anyJsonValue(BODY_LIMIT) });

    it.each<[string, string, fc.Arbitrary<unknown>, string[], 'as admin'?]>([
      ['requestCaptcha', ops.captcha, fc.record({ username: anyJsonValue(BODY_LIMIT) }), ['ok']],
      ['register', ops.register, fc.record({ input: input(REGISTER_FIELDS) }), ['CAPTCHA_INVALID']],
      ['login', ops.login, fc.record({ input: input(['username', 'password']) }), ['INVALID_CREDENTIALS']],
      ['createInvitationCodes', ops.createInvitationCodes, invitationArguments, [], 'as admin'],
      ['revokeInvitationCode', ops.revokeInvitationCode, code, ['NOT_FOUND'], 'as admin'],
    ])('%s', async (_name, query, variables, expected, asAdmin) => {
      const authorization = asAdmin ? `Bearer ${admin.token}` : undefined;
      await leavesNoRow(variables, async (value) =>
        expectGraphqlAnswer(await post(query, value, authorization), expected),
      );
    });

    it.each([ops.me, ops.refresh, ops.logout, ops.logoutAll, ops.invitationCodes])('the token of %s', async (query) => {
      const authorization = fc.oneof(
        headerText.map((text) => `Bearer ${text}`),
        headerText,
      );
      await leavesNoRow(
        authorization,
        async (value) => expectGraphqlAnswer(await post(query, {}, value), ['UNAUTHENTICATED']),
        TOKEN_RUNS,
      );
    });
  });

  describe('REST, through a JSON body, a form body and the query string', () => {
    const send = (method: string, path: string, init: { query?: URLSearchParams; type?: string; body?: string }) =>
      exchange(`${gw.url}${path}${init.query ? `?${init.query}` : ''}`, {
        method,
        headers: { accept: 'application/json', ...(init.type && { 'content-type': init.type }) },
        body: init.body,
      });
    const encoded = (params: Record<string, string | string[] | undefined>) =>
      new URLSearchParams(
        Object.entries(params).flatMap(([k, v]) => [v ?? []].flat().map((item): [string, string] => [k, item])),
      );

    describe.each<[string, string, readonly string[], readonly (number | 401)[]]>([
      ['POST', '/api/captchas', ['username'], [20001]],
      ['POST', '/api/auth/register', REST_REGISTER_FIELDS, [10001, 10003]],
      ['POST', '/api/auth/login', ['username', 'password'], [10001, 10003]],
      ['GET', '/api/auth/me', ['token'], [401]],
      ['PUT', '/api/auth/refresh', ['token'], [401]],
      ['DELETE', '/api/auth/logout', ['token'], [401]],
    ])('%s %s', (method, path, names, expected) => {
      it('JSON body', async () => {
        const body = fc.oneof({ arbitrary: jsonParams(names, BODY_LIMIT), weight: 4 }, anyJsonValue(BODY_LIMIT));
        await leavesNoRow(body, async (value) => {
          const answer = await send(method, path, { type: 'application/json', body: JSON.stringify(value) });
          expectRestAnswer(answer, expected);
        });
      });

      it('form body', async () => {
        await leavesNoRow(textParams(names, BODY_LIMIT), async (value) => {
          const form = { type: 'application/x-www-form-urlencoded', body: encoded(value).toString() };
          expectRestAnswer(await send(method, path, form), expected);
        });
      });

      it('query string', async () => {
        await leavesNoRow(textParams(names, QUERY_VALUE_AROUND), async (value) =>
          expectRestAnswer(await send(method, path, { query: encoded(value) }), expected),
        );
      });
    });
  });
});
