import { describe, expect, it, vi } from 'vitest';
import { login, PASSWORD } from '../helpers/accounts.js';
import { expectBadInput, expectGraphqlError } from '../helpers/assertions.js';
import { errorOf } from '../helpers/attempts.js';
import { gqlFrom } from '../helpers/client-address.js';
import { type Gateway, TEST_JWT_SECRET } from '../helpers/gateway.js';
import { useGateway } from '../helpers/gateway-hooks.js';
import { type GraphqlResponse, gql, ops } from '../helpers/graphql.js';
import { claimsOf, mintToken } from '../helpers/jwt.js';
import { insertUser } from '../helpers/legacy-users.js';
import { spread, times } from '../helpers/races.js';
import { sessionIdOf } from '../helpers/revocations.js';

const NEW_PASSWORD = 'a-new-password-42';
const MAX_ATTEMPTS = 3;

const works = async (gw: Gateway, token: string) => errorOf(await gql(gw.url, ops.me, {}, token)) === undefined;
const canLogIn = async (gw: Gateway, username: string, password: string) =>
  errorOf(await gql(gw.url, ops.login, { input: { username, password } })) === undefined;

/** A user signed in on `devices` sessions: the id and the tokens. */
async function signedIn(gw: Gateway, username: string, devices = 1): Promise<{ id: number; tokens: string[] }> {
  const id = await insertUser(gw.db, username);
  const tokens: string[] = [];
  for (let i = 0; i < devices; i++) tokens.push((await login(gw.url, username)).token);
  return { id, tokens };
}

const change = (gw: Gateway, token: string | undefined, input: Record<string, unknown>) =>
  gql(gw.url, ops.changePassword, { input }, token);
const changeInput = (currentPassword: string, newPassword = NEW_PASSWORD, newPasswordConfirmation = newPassword) => ({
  currentPassword,
  newPassword,
  newPasswordConfirmation,
});

const reset = (gw: Gateway, input: Record<string, unknown>) => gql(gw.url, ops.resetPassword, { input });
const resetInput = (username: string, code: string, newPassword = NEW_PASSWORD) => ({
  username,
  code,
  newPassword,
  newPasswordConfirmation: newPassword,
});

const sessionRows = (gw: Gateway, userId: number) =>
  gw.db.query<{ id: string; revoked_reason: string | null }>(
    'SELECT id, revoked_reason FROM sessions WHERE user_id = ? ORDER BY created_at',
    [userId],
  );

describe('changePassword', () => {
  const gateway = useGateway({ env: { LOGIN_MAX_ATTEMPTS: String(MAX_ATTEMPTS) } });
  const sibling = useGateway(() => ({ env: { LOGIN_MAX_ATTEMPTS: String(MAX_ATTEMPTS) }, shareWith: gateway() }));
  const both = () => [gateway(), sibling()];

  it('kills every other session at once on both instances, renews the caller’s own, and stops the presented token', async () => {
    const { id, tokens } = await signedIn(gateway(), 'changer01', 3);
    const [caller, ...others] = tokens as [string, ...string[]];
    const legacy = mintToken(TEST_JWT_SECRET, { sub: String(id) });
    expect(await works(gateway(), legacy)).toBe(true);

    const answer = await change(sibling(), caller, changeInput(PASSWORD));
    expect(answer.errors).toBeUndefined();
    const renewed = answer.data!.changePassword.accessToken as string;
    expect(answer.data!.changePassword.user.id).toBe(String(id));
    expect(claimsOf(renewed)).toMatchObject({ sid: claimsOf(caller).sid, iat: claimsOf(caller).iat });

    for (const gw of both()) {
      for (const token of [caller, ...others, legacy]) expect(await works(gw, token)).toBe(false);
      expect(await works(gw, renewed)).toBe(true);
    }
    expect(errorOf(await gql(gateway().url, ops.refresh, {}, caller))?.code).toBe('UNAUTHENTICATED');
    const rows = await sessionRows(gateway(), id);
    expect(rows.map((row) => [row.id, row.revoked_reason])).toEqual([
      [claimsOf(caller).sid, null],
      ...others.map((token) => [claimsOf(token).sid, 'password_changed']),
    ]);
    expect((await gql(gateway().url, ops.sessions, {}, renewed)).data!.sessions).toMatchObject([{ current: true }]);
    // The renewed token refreshes on; the new password logs in, the old one no longer.
    expect(errorOf(await gql(gateway().url, ops.refresh, {}, renewed))).toBeUndefined();
    expect(await canLogIn(gateway(), 'changer01', NEW_PASSWORD)).toBe(true);
    expect(await canLogIn(gateway(), 'changer01', PASSWORD)).toBe(false);
  });

  it('checks the new password by the registration rules: too short, too long, not confirmed', async () => {
    const { tokens } = await signedIn(gateway(), 'changer02');
    const [token] = tokens as [string];
    expectBadInput(await change(gateway(), token, changeInput(PASSWORD, 'short')), 'newPassword');
    expectBadInput(await change(gateway(), token, changeInput(PASSWORD, 'é'.repeat(37))), 'newPassword');
    expectBadInput(
      await change(gateway(), token, changeInput(PASSWORD, NEW_PASSWORD, 'something-else')),
      'newPassword',
    );
    expectBadInput(await change(gateway(), token, changeInput('', NEW_PASSWORD)), 'currentPassword');
    // Nothing changed: the token lives, the old password still logs in.
    expect(await works(gateway(), token)).toBe(true);
    expect(await canLogIn(gateway(), 'changer02', PASSWORD)).toBe(true);
  });

  it('a wrong current password gives the login’s uniform error and counts towards the login lock', async () => {
    const { tokens } = await signedIn(gateway(), 'changer03');
    const [token] = tokens as [string];
    const wrongLogin = errorOf(
      await gql(gateway().url, ops.login, { input: { username: 'changer03', password: 'x' } }),
    );
    expect(wrongLogin).toMatchObject({ code: 'INVALID_CREDENTIALS', legacyCode: 10003 });
    // One failure by login, the others by changePassword, over both instances: the lock is shared.
    for (let i = 1; i < MAX_ATTEMPTS; i++) {
      expect(errorOf(await change(spread(both(), i), token, changeInput(`wrong-${i}`)))).toEqual(wrongLogin);
    }
    const locked = await change(gateway(), token, changeInput(PASSWORD));
    expect(expectGraphqlError(locked, 'TOO_MANY_REQUESTS', 40001).extensions!.retryAfter).toBeGreaterThan(0);
    expect(
      errorOf(await gql(sibling().url, ops.login, { input: { username: 'changer03', password: PASSWORD } })),
    ).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    // The session lives and the password is unchanged.
    expect(await works(gateway(), token)).toBe(true);
    const elsewhere = await gqlFrom('127.0.0.9', gateway().url, ops.login, {
      input: { username: 'changer03', password: PASSWORD },
    });
    expect(errorOf(elsewhere), 'another client is not locked out').toBeUndefined();
  });

  it('with a legacy token (no sid): a fresh token of the session the legacy one derives, which stops', async () => {
    const id = await insertUser(gateway().db, 'changer05');
    const legacy = mintToken(TEST_JWT_SECRET, { sub: String(id) });
    const answer = await change(gateway(), legacy, changeInput(PASSWORD));
    expect(answer.errors).toBeUndefined();
    const renewed = answer.data!.changePassword.accessToken as string;
    expect(claimsOf(renewed).sid).toBe(sessionIdOf(legacy, TEST_JWT_SECRET));
    for (const gw of both()) {
      expect(await works(gw, legacy)).toBe(false);
      expect(await works(gw, renewed)).toBe(true);
    }
    expect((await gql(sibling().url, ops.sessions, {}, renewed)).data!.sessions).toMatchObject([
      { id: claimsOf(renewed).sid, current: true },
    ]);
    expect(errorOf(await gql(sibling().url, ops.refresh, {}, renewed))).toBeUndefined();
  });

  it('refuses an anonymous, a revoked or a garbage token', async () => {
    const { tokens } = await signedIn(gateway(), 'changer04', 2);
    const [keeper, lost] = tokens as [string, string];
    await gql(gateway().url, ops.revokeSession, { id: claimsOf(lost).sid }, keeper);
    for (const token of [undefined, lost, 'not.a.token']) {
      expectGraphqlError(await change(gateway(), token, changeInput(PASSWORD)), 'UNAUTHENTICATED', 40005);
    }
    expect(await canLogIn(gateway(), 'changer04', PASSWORD)).toBe(true);
  });
});

describe('resetPassword', () => {
  const gateway = useGateway();
  const sibling = useGateway(() => ({ shareWith: gateway() }));
  const both = () => [gateway(), sibling()];
  const issue = (userId: number) => gateway().app.services.passwords.issueReset(userId, { userId: null });

  it('of 10 concurrent redemptions of one code over both instances, exactly one succeeds', async () => {
    const { id } = await signedIn(gateway(), 'resetter01');
    const { code } = await issue(id);
    const answers = await Promise.all(
      times(10, (i) => reset(spread(both(), i), resetInput('resetter01', code, `${NEW_PASSWORD}-${i}`))),
    );
    const winners = answers.flatMap((answer, i) => (answer.data?.resetPassword === true ? [i] : []));
    expect(winners).toHaveLength(1);
    for (const answer of answers.filter((a) => a.errors)) expectGraphqlError(answer, 'RESET_CODE_INVALID', 10003);
    expect(await canLogIn(gateway(), 'resetter01', `${NEW_PASSWORD}-${winners[0]}`)).toBe(true);
    expect(await canLogIn(gateway(), 'resetter01', PASSWORD)).toBe(false);
  });

  it('revokes every session on both instances, and the legacy tokens too', async () => {
    const { id, tokens } = await signedIn(gateway(), 'resetter02', 2);
    const legacy = mintToken(TEST_JWT_SECRET, { sub: String(id) });
    const { code } = await issue(id);
    // The code as a person types it: lower case, spaces for dashes.
    const typed = code.toLowerCase().replace(/-/g, ' ');
    expect((await reset(sibling(), resetInput('RESETTER02', typed))).data?.resetPassword).toBe(true);
    for (const gw of both()) for (const token of [...tokens, legacy]) expect(await works(gw, token)).toBe(false);
    expect((await sessionRows(gateway(), id)).map((row) => row.revoked_reason)).toEqual([
      'password_reset',
      'password_reset',
    ]);
    expect(await canLogIn(sibling(), 'resetter02', NEW_PASSWORD)).toBe(true);
  });

  it('one uniform error for an unknown user and a wrong, used, voided, expired or another user’s code', async () => {
    const { id } = await signedIn(gateway(), 'resetter03');
    const { id: otherId } = await signedIn(gateway(), 'resetter04');
    const failures: Record<string, GraphqlResponse> = {};

    const { code: voided } = await issue(id);
    const { code } = await issue(id);
    failures.voided = await reset(gateway(), resetInput('resetter03', voided));
    failures['unknown user'] = await reset(gateway(), resetInput('nobody0000', code));
    failures.wrong = await reset(gateway(), resetInput('resetter03', 'AAAA-BBBB-CCCC-DDDD'));
    const { code: othersCode } = await issue(otherId);
    failures['another user’s'] = await reset(gateway(), resetInput('resetter03', othersCode));
    expect((await reset(gateway(), resetInput('resetter03', code))).data?.resetPassword).toBe(true);
    failures.used = await reset(gateway(), resetInput('resetter03', code));

    // Issued as if 61 s ago with the shortest PASSWORD_RESET_TTL a gateway allows (60 s).
    const realNow = Date.now();
    const spy = vi
      .spyOn(Date, 'now')
      .mockReturnValue(realNow - (gateway().config.passwords.resetTtlSeconds + 1) * 1000);
    let expired: string;
    try {
      ({ code: expired } = await issue(otherId));
    } finally {
      spy.mockRestore();
    }
    failures.expired = await reset(gateway(), resetInput('resetter04', expired));

    const seen = Object.fromEntries(Object.entries(failures).map(([name, answer]) => [name, errorOf(answer)]));
    const uniform = {
      code: 'RESET_CODE_INVALID',
      legacyCode: 10003,
      message: 'The username or the reset code is wrong, or the code was used or has expired.',
    };
    expect(seen).toEqual(Object.fromEntries(Object.keys(failures).map((name) => [name, uniform])));
    // The other user's code was not spent by the wrong user's attempt.
    expect(await canLogIn(gateway(), 'resetter04', PASSWORD)).toBe(true);
    expect(await canLogIn(gateway(), 'resetter03', NEW_PASSWORD)).toBe(true);
  });

  it('checks the new password by the registration rules before it looks at the code', async () => {
    const { id } = await signedIn(gateway(), 'resetter05');
    const { code } = await issue(id);
    expectBadInput(await reset(gateway(), resetInput('resetter05', code, 'short')), 'newPassword');
    expectBadInput(
      await reset(gateway(), { ...resetInput('resetter05', code), newPasswordConfirmation: 'other-password' }),
      'newPassword',
    );
    expectBadInput(await reset(gateway(), resetInput('resetter05', 'x'.repeat(65))), 'code');
    // The code survived the bad input.
    expect((await reset(gateway(), resetInput('resetter05', code))).data?.resetPassword).toBe(true);
  });
});

describe('bad input to changePassword and resetPassword', () => {
  const gateway = useGateway({ env: { LOGIN_MAX_ATTEMPTS: '2' } });

  it('gets BAD_USER_INPUT with its field, never a 500, and counts no failed login', async () => {
    const { tokens } = await signedIn(gateway(), 'badinput01');
    const [token] = tokens as [string];
    const huge = 'x'.repeat(50_000);
    for (let i = 0; i < 3; i++) {
      expectBadInput(await change(gateway(), token, changeInput(huge)), 'currentPassword');
    }
    expectBadInput(await change(gateway(), token, changeInput(PASSWORD, huge)), 'newPassword');
    // Not one of those counted towards the lock (2 failures would lock): the right password still works.
    expect(errorOf(await change(gateway(), token, changeInput(PASSWORD)))).toBeUndefined();

    expectBadInput(await reset(gateway(), resetInput(huge, 'AAAA-BBBB-CCCC-DDDD')), 'username');
    expectBadInput(await reset(gateway(), resetInput('badinput01', huge)), 'code');
    expectBadInput(await reset(gateway(), resetInput('badinput01', 'AAAA', '')), 'newPassword');
    expectBadInput(await reset(gateway(), resetInput('badinput01', 'AAAA\u0000')), 'code');
    for (const code of ["' OR 1=1 --", '%', '_', '<script>']) {
      expectGraphqlError(await reset(gateway(), resetInput('badinput01', code)), 'RESET_CODE_INVALID', 10003);
    }
    for (const input of [{ ...resetInput('badinput01', 'AAAA'), code: 12345 }, { username: 'badinput01' }]) {
      expectGraphqlError(await reset(gateway(), input), 'BAD_USER_INPUT', 10001);
    }
  });
});

describe('resetPassword throttled per IP like sign-up (RATE_LIMIT_SIGN=3)', () => {
  const gateway = useGateway({ env: { RATE_LIMIT_SIGN: '3' } });

  it('shares the sign-up count of its client, and not of another', async () => {
    const input = resetInput('nobody0001', 'AAAA-BBBB-CCCC-DDDD');
    const from = (address: string) => gqlFrom(address, gateway().url, ops.resetPassword, { input });
    expect((await gqlFrom('127.0.3.1', gateway().url, ops.captcha, {})).errors).toBeUndefined();
    for (let i = 0; i < 2; i++) expectGraphqlError(await from('127.0.3.1'), 'RESET_CODE_INVALID', 10003);
    const refused = expectGraphqlError(await from('127.0.3.1'), 'TOO_MANY_REQUESTS', 40001);
    expect(refused.extensions!.retryAfter).toBeGreaterThan(0);
    expectGraphqlError(await from('127.0.3.2'), 'RESET_CODE_INVALID', 10003);
  });
});
