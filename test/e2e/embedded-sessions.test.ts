import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { login, newInvitationCode, PASSWORD, registerUser } from '../helpers/accounts.js';
import { expectBadInput, expectGraphqlError } from '../helpers/assertions.js';
import { errorOf } from '../helpers/attempts.js';
import { type Gateway, startEmbeddedGateway } from '../helpers/gateway.js';
import { gql, ops } from '../helpers/graphql.js';
import { claimsOf } from '../helpers/jwt.js';

type Embedded = Omit<Gateway, 'db' | 'redisPrefix'>;
const NEW_PASSWORD = 'embedded-new-password';

/** Sessions, password change and reset, and activity on the quick start: SQLite and the in-process store. */

/** myActivity's events, failing the test on any error (a detail the JSON scalar cannot show, say). */
async function activity(url: string, variables: { first: number }, token: string) {
  const answer = await gql(url, ops.myActivity, variables, token);
  expect(answer.errors, JSON.stringify(answer.errors)).toBeUndefined();
  return answer.data!.myActivity as Array<Record<string, any>>;
}

describe('sessions, passwords and activity on the embedded default', () => {
  let gw: Embedded;
  beforeAll(async () => {
    gw = await startEmbeddedGateway();
    expect(gw.config.db.kind).toBe('sqlite');
    expect(gw.app.services.store.kind).toBe('memory');
  });
  afterAll(async () => gw?.close());

  const works = async (token: string) => errorOf(await gql(gw.url, ops.me, {}, token)) === undefined;
  const devices = async (username: string, count: number) => {
    const tokens: string[] = [];
    for (let i = 0; i < count; i++) {
      const answer = await gql(gw.url, ops.login, { input: { username, password: PASSWORD } }, undefined, {
        'user-agent': `Device/${i}`,
      });
      expect(answer.errors).toBeUndefined();
      tokens.push(answer.data!.login.accessToken);
    }
    return tokens;
  };

  it('lists, revokes one, revokes the others, and logoutAll', async () => {
    const registered = await registerUser(gw.url, await newInvitationCode(gw.app), 'embedded01');
    const [a, b, c] = (await devices('embedded01', 3)) as [string, string, string];
    const listed = (await gql(gw.url, ops.sessions, {}, c)).data!.sessions as Array<{
      id: string;
      current: boolean;
      userAgent: string | null;
    }>;
    expect(listed).toHaveLength(4);
    expect(listed[0]).toMatchObject({ id: claimsOf(c).sid, current: true, userAgent: 'Device/2' });

    expect((await gql(gw.url, ops.revokeSession, { id: claimsOf(a).sid }, c)).data?.revokeSession).toBe(true);
    expect(await works(a)).toBe(false);
    expectGraphqlError(await gql(gw.url, ops.revokeSession, { id: claimsOf(a).sid }, c), 'NOT_FOUND', 40004);
    expectBadInput(await gql(gw.url, ops.revokeSession, { id: 'not a session' }, c), 'id');

    expect((await gql(gw.url, ops.revokeOtherSessions, {}, c)).data?.revokeOtherSessions).toBe(2);
    for (const token of [registered.token, b]) expect(await works(token)).toBe(false);
    expect(await works(c)).toBe(true);

    const [d] = (await devices('embedded01', 1)) as [string];
    expect((await gql(gw.url, ops.logoutAll, {}, d)).data?.logoutAll).toBe(true);
    for (const token of [c, d]) expect(await works(token)).toBe(false);
    const fresh = (await login(gw.url, 'embedded01')).token;
    expect((await gql(gw.url, ops.sessions, {}, fresh)).data!.sessions).toHaveLength(1);
  });

  it('changePassword keeps the caller’s session only; resetPassword revokes them all, once per code', async () => {
    const { id } = await registerUser(gw.url, await newInvitationCode(gw.app), 'embedded02');
    const [caller, other] = (await devices('embedded02', 2)) as [string, string];
    const input = { currentPassword: PASSWORD, newPassword: NEW_PASSWORD, newPasswordConfirmation: NEW_PASSWORD };
    const changed = await gql(gw.url, ops.changePassword, { input }, caller);
    expect(changed.errors).toBeUndefined();
    const renewed = changed.data!.changePassword.accessToken as string;
    expect(claimsOf(renewed).sid).toBe(claimsOf(caller).sid);
    for (const token of [caller, other]) expect(await works(token)).toBe(false);
    expect(await works(renewed)).toBe(true);
    expect(errorOf(await gql(gw.url, ops.changePassword, { input }, renewed))?.code).toBe('INVALID_CREDENTIALS');

    const { code } = await gw.app.services.passwords.issueReset(Number(id), { userId: null });
    const reset = { username: 'embedded02', code, newPassword: PASSWORD, newPasswordConfirmation: PASSWORD };
    const answers = await Promise.all([1, 2, 3].map(() => gql(gw.url, ops.resetPassword, { input: reset })));
    expect(answers.filter((answer) => answer.data?.resetPassword === true)).toHaveLength(1);
    for (const answer of answers.filter((a) => a.errors)) expectGraphqlError(answer, 'RESET_CODE_INVALID', 10003);
    expect(await works(renewed)).toBe(false);
    expect((await login(gw.url, 'embedded02')).token).toBeTruthy();
  });

  it('myActivity shows the user’s own sign-ins, password changes and revoked sessions', async () => {
    await registerUser(gw.url, await newInvitationCode(gw.app), 'embedded03');
    const [token] = (await devices('embedded03', 1)) as [string];
    const events = (await activity(gw.url, { first: 50 }, token)) as Array<{
      type: string;
      userId: string;
      userAgent: string | null;
      sessionId: string | null;
    }>;
    expect(events.map((event) => event.type)).toEqual(['login_succeeded', 'registered']);
    expect(events[0]).toMatchObject({ userAgent: 'Device/0', sessionId: claimsOf(token).sid });
    expect(new Set(events.map((event) => event.userId))).toEqual(new Set([claimsOf(token).sub]));

    const others = await login(gw.url, 'embedded02');
    const theirs = (await activity(gw.url, { first: 100 }, others.token)) as Array<{
      type: string;
      userId: string;
    }>;
    expect(new Set(theirs.map((event) => event.userId))).toEqual(new Set([others.id]));
    expect(theirs.map((event) => event.type)).toEqual(
      expect.arrayContaining(['password_changed', 'password_reset', 'login_succeeded', 'registered']),
    );
  });
});

describe('the embedded default restarted on the same file', () => {
  const path = `/tmp/storegate-test-restart-${process.pid}-${Date.now()}.sqlite`;
  const env = {
    NODE_ENV: 'test',
    SQLITE_PATH: path,
    JWT_SECRET: 'embedded-restart-secret-0123456789-abcdef',
    BCRYPT_COST: '4',
    BCRYPT_POOL_SIZE: '2',
    CAPTCHA_FIXED_CODE: 'ABCDE',
    LOG_LEVEL: 'silent',
  };
  const start = async () => {
    const app = await buildApp(loadConfig(env), { logger: false });
    return { app, url: await app.listen({ host: '127.0.0.1', port: 0 }) };
  };
  afterAll(async () => rm(path, { force: true }));

  it('forgets no revocation: the in-process store starts empty and is restored from the table', async () => {
    let { app, url } = await start();
    await registerUser(url, await newInvitationCode(app), 'restart01');
    const [keeper, lost, loggedOut] = [
      (await login(url, 'restart01')).token,
      (await login(url, 'restart01')).token,
      (await login(url, 'restart01')).token,
    ];
    const traded = (await login(url, 'restart01')).token;
    const renewed = (await gql(url, ops.refresh, {}, traded)).data!.refresh.accessToken as string;
    expect((await gql(url, ops.revokeSession, { id: claimsOf(lost).sid }, keeper)).data?.revokeSession).toBe(true);
    expect((await gql(url, ops.logout, {}, loggedOut)).data?.logout).toBe(true);
    await app.close();

    ({ app, url } = await start());
    try {
      for (const token of [lost, loggedOut, traded]) {
        expect(errorOf(await gql(url, ops.me, {}, token))?.code).toBe('UNAUTHENTICATED');
      }
      for (const token of [keeper, renewed]) expect(errorOf(await gql(url, ops.me, {}, token))).toBeUndefined();
    } finally {
      await app.close();
    }
  });
});
