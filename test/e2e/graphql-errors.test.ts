import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Account,
  loginAsNewAdmin,
  newInvitationCode,
  PASSWORD,
  type RegisterOverrides,
  registerInput,
  registerUser,
  storedState,
} from '../helpers/accounts.js';
import { expectBadInput, expectGraphqlError } from '../helpers/assertions.js';
import { FORGERY_KINDS, forgeToken } from '../helpers/forged-tokens.js';
import { type Gateway, startGateway } from '../helpers/gateway.js';
import { type GraphqlResponse, gql, ops } from '../helpers/graphql.js';
import { postGraphql } from '../helpers/http.js';

const TOO_LONG_PASSWORD = 'a'.repeat(73);
/** 25 characters, but 73 bytes of UTF-8. */
const TOO_LONG_MULTIBYTE_PASSWORD = `${'€'.repeat(24)}a`;

describe('GraphQL errors', () => {
  let gw: Gateway;
  let invitation: string;
  let user: Account;
  let admin: Account;

  beforeAll(async () => {
    gw = await startGateway();
    invitation = await newInvitationCode(gw.app, 100);
    user = await registerUser(gw.url, invitation, 'plainuser1');
    admin = await loginAsNewAdmin(gw.app, gw.url, 'adminuser1');
  });
  afterAll(async () => gw?.close());

  /** Sends a request that must be refused, and checks it left every row as it was. */
  async function refused(request: () => Promise<GraphqlResponse>): Promise<GraphqlResponse> {
    const before = await storedState(gw.db);
    const answer = await request();
    expect(await storedState(gw.db)).toEqual(before);
    return answer;
  }

  const register = async (overrides: RegisterOverrides, code = invitation) =>
    refused(async () => gql(gw.url, ops.register, { input: await registerInput(gw.url, code, overrides) }));

  describe('every invalid argument is BAD_USER_INPUT naming its field', () => {
    it.each<[string, RegisterOverrides, string]>([
      ['short username', { username: 'abc12' }, 'username'],
      ['non-alphanumeric username', { username: 'abc_123' }, 'username'],
      ['SQL in the username', { username: "x' OR '1'='1" }, 'username'],
      ['a script in the username', { username: '<script>alert(1)</script>' }, 'username'],
      ['33-character username', { username: 'a'.repeat(33) }, 'username'],
      ['empty username', { username: '' }, 'username'],
      ['empty name', { name: '' }, 'name'],
      ['blank name', { name: '   ' }, 'name'],
      ['NUL in the name', { name: 'Al\u0000ice' }, 'name'],
      ['newline in the name', { name: 'Al\nice' }, 'name'],
      ['256-character name', { name: 'n'.repeat(256) }, 'name'],
      ['short password', { password: 'short', passwordConfirmation: 'short' }, 'password'],
      ['73-byte password', { password: TOO_LONG_PASSWORD, passwordConfirmation: TOO_LONG_PASSWORD }, 'password'],
      [
        '73-byte multibyte password',
        { password: TOO_LONG_MULTIBYTE_PASSWORD, passwordConfirmation: TOO_LONG_MULTIBYTE_PASSWORD },
        'password',
      ],
      ['password mismatch', { passwordConfirmation: 'password124' }, 'password'],
      ['empty invitation code', { invitationCode: '' }, 'invitationCode'],
      ['empty captcha key', { captchaKey: '' }, 'captchaKey'],
      ['empty captcha code', { captchaCode: '' }, 'captchaCode'],
      ['username: 5', { username: 5 }, 'username'],
      ['username: null', { username: null }, 'username'],
      ['no username', { username: undefined }, 'username'],
      ['password as a list', { password: ['password123'] }, 'password'],
      ['name as an object', { name: { first: 'A' } }, 'name'],
      ['an unknown input field', { role: 'admin' }, 'role'],
    ])('register: %s', async (_case, overrides, field) => {
      const answer = await register(overrides);
      expectBadInput(answer, field);
      if (field !== 'password') expect(JSON.stringify(answer), 'echoes the password').not.toContain(PASSWORD);
    });

    it.each<[string, Record<string, unknown>, string]>([
      ['empty username', { username: '', password: PASSWORD }, 'username'],
      ['empty password', { username: 'plainuser1', password: '' }, 'password'],
      ['73-byte password', { username: 'plainuser1', password: TOO_LONG_PASSWORD }, 'password'],
      ['control character in the username', { username: 'plain\u0007user1', password: PASSWORD }, 'username'],
      ['256-character username', { username: 'u'.repeat(256), password: PASSWORD }, 'username'],
      ['username: 5', { username: 5, password: PASSWORD }, 'username'],
      ['password: null', { username: 'plainuser1', password: null }, 'password'],
      ['no password', { username: 'plainuser1' }, 'password'],
      ['an unknown input field', { username: 'plainuser1', password: PASSWORD, remember: true }, 'remember'],
    ])('login: %s', async (_case, input, field) => {
      expectBadInput(await refused(() => gql(gw.url, ops.login, { input })), field);
    });

    it.each<[string, unknown]>([
      ['a number', 5],
      ['an object', { name: 'x' }],
      ['a list', ['x']],
    ])('requestCaptcha: username as %s', async (_case, username) => {
      expectBadInput(await refused(() => gql(gw.url, ops.captcha, { username })), 'username');
    });

    it.each<[string, Record<string, unknown>, string]>([
      ['count 0', { count: 0 }, 'count'],
      ['count 1000', { count: 1000 }, 'count'],
      ['count -1', { count: -1 }, 'count'],
      ['uses 0', { uses: 0 }, 'uses'],
      ['expiresIn "soon"', { expiresIn: 'soon' }, 'expiresIn'],
      ['expiresIn "-5d"', { expiresIn: '-5d' }, 'expiresIn'],
      ['count "x"', { count: 'x' }, 'count'],
      ['count 1.5', { count: 1.5 }, 'count'],
      ['count null', { count: null }, 'count'],
      ['count beyond 32 bits', { count: 2 ** 31 }, 'count'],
      ['expiresIn: 7', { expiresIn: 7 }, 'expiresIn'],
    ])('createInvitationCodes: %s', async (_case, variables, field) => {
      expectBadInput(await refused(() => gql(gw.url, ops.createInvitationCodes, variables, admin.token)), field);
    });

    it.each<[string, unknown]>([
      ['empty', ''],
      ['blank', '   '],
      ['with a NUL', 'AB\u0000CD'],
      ['256 characters', 'c'.repeat(256)],
      ['a number', 5],
      ['null', null],
    ])('revokeInvitationCode: code %s', async (_case, code) => {
      expectBadInput(await refused(() => gql(gw.url, ops.revokeInvitationCode, { code }, admin.token)), 'code');
    });

    const loginWith = (fields: string) => `mutation { login(input: { ${fields} }) { accessToken } }`;
    it.each<[string, string, string, Record<string, unknown>?]>([
      ['a literal of the wrong type', 'mutation { requestCaptcha(username: 5) { captchaKey } }', 'username'],
      ['a wrong literal in an input', loginWith('username: 5, password: "x"'), 'username'],
      ['a missing input field', loginWith('username: "plainuser1"'), 'password'],
      ['a null input field', loginWith('username: "plainuser1", password: null'), 'password'],
      ['an unknown input field', loginWith('username: "a", password: "b", otp: 1'), 'otp'],
      ['a string count', 'mutation { createInvitationCodes(count: "two") { code } }', 'count'],
      ['an oversized count', 'mutation { createInvitationCodes(uses: 99999999999) { code } }', 'uses'],
      ['a missing argument', 'mutation { revokeInvitationCode }', 'code'],
      ['an unknown argument', 'mutation { revokeInvitationCode(code: "X", force: true) }', 'force'],
      ['a renamed variable', 'mutation ($c: Int!) { createInvitationCodes(count: $c) { id } }', 'count', { c: 0.5 }],
    ])('query text: %s', async (_case, query, field, variables = {}) => {
      expectBadInput(await refused(() => gql(gw.url, query, variables, admin.token)), field);
    });

    it.each<[string, unknown]>([
      ['an unfinished query', { query: 'mutation { register(' }],
      ['a lone brace', { query: '{' }],
      ['an unbalanced query', { query: '{ me { id } } }' }],
      ['an empty query', { query: '' }],
      ['a query that is not a string', { query: 5 }],
      ['variables that are not an object', { query: '{ responseCodes { code } }', variables: 'x' }],
    ])('malformed request: %s', async (_case, body) => {
      const answer = await postGraphql(gw.url, body);
      expect(answer.status).toBe(400);
      expectBadInput({ ...answer.json, status: answer.status }, 'query');
    });

    it('an unparseable JSON body answers 400 without internals', async () => {
      const answer = await postGraphql(gw.url, '{"query": "{ me { id } }"');
      expect(answer.status).toBe(400);
      expectGraphqlError({ ...answer.json, status: answer.status }, 'BAD_USER_INPUT', 10001);
    });
  });

  describe('business errors carry their codes', () => {
    it('CAPTCHA_INVALID: an unknown key, in English', async () => {
      const error = expectGraphqlError(await register({ captchaKey: 'captcha-unknown' }), 'CAPTCHA_INVALID', 10003);
      expect(error.message).toMatch(/^[\x20-\x7e]+$/);
      expect(error.message).toMatch(/captcha/i);
    });

    it('CAPTCHA_INVALID: a wrong code, after which the key is spent', async () => {
      const input = await registerInput(gw.url, invitation, { captchaCode: 'ZZZZZ' });
      expectGraphqlError(await refused(() => gql(gw.url, ops.register, { input })), 'CAPTCHA_INVALID', 10003);
      const retry = { ...input, captchaCode: 'ABCDE' };
      expectGraphqlError(await refused(() => gql(gw.url, ops.register, { input: retry })), 'CAPTCHA_INVALID', 10003);
    });

    it('INVITATION_INVALID: unknown, revoked, expired or used up', async () => {
      const revoked = await newInvitationCode(gw.app);
      await gw.app.services.invitations.revoke(revoked, { userId: null });
      const expired = await newInvitationCode(gw.app);
      await gw.db.query('UPDATE invitation_codes SET valid_until = ? WHERE code = ?', ['2001-01-01 00:00:00', expired]);
      const usedUp = await newInvitationCode(gw.app);
      await registerUser(gw.url, usedUp);
      for (const code of ['NOSUCHCODE', revoked, expired, usedUp]) {
        expectGraphqlError(await register({}, code), 'INVITATION_INVALID', 10003);
      }
    });

    it('USERNAME_TAKEN, whatever the letter case', async () => {
      expectGraphqlError(await register({ username: 'PlainUser1' }), 'USERNAME_TAKEN', 40001);
    });

    it('INVALID_CREDENTIALS: the same answer for a wrong password and an unknown user', async () => {
      const wrongPassword = await gql(gw.url, ops.login, { input: { username: 'plainuser1', password: 'wrong-pass' } });
      const unknownUser = await gql(gw.url, ops.login, { input: { username: 'nobody1234', password: PASSWORD } });
      const sqlFragment = await gql(gw.url, ops.login, { input: { username: "' OR 1=1 --", password: PASSWORD } });
      const errors = [wrongPassword, unknownUser, sqlFragment].map((answer) =>
        expectGraphqlError(answer, 'INVALID_CREDENTIALS', 10003),
      );
      expect(new Set(errors.map((e) => e.message)).size).toBe(1);
    });

    it('ACCOUNT_DISABLED only after the right password; the account’s token stops working', async () => {
      const disabled = await registerUser(gw.url, invitation, 'disabled01');
      await gw.db.query('UPDATE users SET status = -1 WHERE username = ?', ['disabled01']);
      const right = await gql(gw.url, ops.login, { input: { username: 'disabled01', password: PASSWORD } });
      expectGraphqlError(right, 'ACCOUNT_DISABLED', 40001);
      const wrong = await gql(gw.url, ops.login, { input: { username: 'disabled01', password: 'wrong-pass' } });
      expectGraphqlError(wrong, 'INVALID_CREDENTIALS', 10003);
      expectGraphqlError(await gql(gw.url, ops.me, {}, disabled.token), 'UNAUTHENTICATED', 40005);
    });

    it.each([ops.me, ops.refresh, ops.logout, ops.logoutAll])('UNAUTHENTICATED without a token: %s', async (query) => {
      expectGraphqlError(await gql(gw.url, query), 'UNAUTHENTICATED', 40005);
    });

    it.each(FORGERY_KINDS)('UNAUTHENTICATED with a forged token: %s', async (kind) => {
      const forged = forgeToken(kind, user.token);
      for (const query of [ops.me, ops.refresh, ops.logout]) {
        expectGraphqlError(await gql(gw.url, query, {}, forged), 'UNAUTHENTICATED', 40005);
      }
      expect((await gql(gw.url, ops.me, {}, user.token)).data!.me.username).toBe('plainuser1');
    });

    it('FORBIDDEN for a plain user on every admin operation, changing nothing', async () => {
      const code = await newInvitationCode(gw.app);
      for (const [query, variables] of [
        [ops.createInvitationCodes, { count: 2 }],
        [ops.invitationCodes, {}],
        [ops.revokeInvitationCode, { code }],
      ] as const) {
        expectGraphqlError(await refused(() => gql(gw.url, query, variables, user.token)), 'FORBIDDEN', 40003);
      }
    });
  });
});
