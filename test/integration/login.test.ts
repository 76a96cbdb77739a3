import { performance } from 'node:perf_hooks';
import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { PASSWORD } from '../helpers/accounts.js';
import { attemptLogin, type ErrorSummary, errorOf } from '../helpers/attempts.js';
import { gqlFrom } from '../helpers/client-address.js';
import { median } from '../helpers/failures.js';
import { TEST_JWT_SECRET } from '../helpers/gateway.js';
import { useGateway } from '../helpers/gateway-hooks.js';
import { ops } from '../helpers/graphql.js';
import { mintToken } from '../helpers/jwt.js';
import { legacyFixture } from '../helpers/legacy-fixture.js';
import { insertUser, legacyHash } from '../helpers/legacy-users.js';
import { redisKeys } from '../helpers/redis.js';

const INVALID_CREDENTIALS = {
  code: 'INVALID_CREDENTIALS',
  legacyCode: 10003,
  message: 'The username or password is wrong.',
};

describe('login answers at cost 10', () => {
  const gateway = useGateway({ env: { BCRYPT_COST: '10' } });
  const { password: costTenHash, password_plain: costTenPassword } = legacyFixture().users[0]!;
  const addUser = (username: string) => insertUser(gateway().db, username, { passwordHash: costTenHash });

  async function timedLogin(username: string, password: string) {
    const start = performance.now();
    const error = await attemptLogin(gateway().url, username, password);
    return { error, ms: performance.now() - start };
  }

  it('an unknown user and a wrong password get the same answer in about the same time', async () => {
    const tries = 5;
    for (let i = 0; i < tries; i++) await addUser(`timing${i}`);
    await timedLogin('warmup00', 'builds the dummy hash');
    const unknown = [];
    const wrong = [];
    for (let i = 0; i < tries; i++) {
      unknown.push(await timedLogin(`nobody${i}`, 'wrong password'));
      wrong.push(await timedLogin(`timing${i}`, 'wrong password'));
    }

    for (const attempt of [...unknown, ...wrong]) expect(attempt.error).toEqual(INVALID_CREDENTIALS);
    const ratio = median(unknown.map((a) => a.ms)) / median(wrong.map((a) => a.ms));
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });

  it('a disabled user is told so only after the correct password', async () => {
    const id = await addUser('disabled01');
    await gateway().db.query('UPDATE users SET status = -1 WHERE id = ?', [id]);

    expect(await attemptLogin(gateway().url, 'disabled01', 'wrong password')).toEqual(INVALID_CREDENTIALS);
    expect(await attemptLogin(gateway().url, 'disabled01', costTenPassword)).toMatchObject({
      code: 'ACCOUNT_DISABLED',
      legacyCode: 40001,
    });
  });
});

describe('failed-login lock per (username, client IP)', () => {
  const gateway = useGateway();
  const attempt = (username: string, password: string, headers: Record<string, string> = {}) =>
    attemptLogin(gateway().url, username, password, headers);

  it('5 failures lock the pair: the 6th attempt is TOO_MANY_REQUESTS even with the right password', async () => {
    await insertUser(gateway().db, 'locked01');
    for (const username of ['locked01', 'LOCKED01', 'Locked01', 'locked01', 'lOcKeD01']) {
      expect(await attempt(username, 'wrong password')).toEqual(INVALID_CREDENTIALS);
    }

    const locked = await attempt('locked01', PASSWORD);
    expect(locked).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    expect(locked!.retryAfter).toBeGreaterThan(0);
    expect(locked!.retryAfter).toBeLessThanOrEqual(60);
    // The client IP is the socket's: a forwarded-for header cannot pick another one.
    expect(await attempt('locked01', PASSWORD, { 'x-forwarded-for': '203.0.113.9' })).toMatchObject({
      code: 'TOO_MANY_REQUESTS',
    });
    expect(await redisKeys(`${gateway().redisPrefix}throttle:login:*locked01*`)).toHaveLength(1);
  });

  it('the lock holds that pair only: another username, or the same one from another IP, still logs in', async () => {
    await insertUser(gateway().db, 'victim01');
    await insertUser(gateway().db, 'neighbour01');
    for (let i = 0; i < 5; i++) await attempt('victim01', 'wrong password');

    expect(await attempt('neighbour01', PASSWORD)).toBeUndefined();
    const input = { username: 'victim01', password: PASSWORD };
    const fromElsewhere = await gqlFrom('127.0.0.2', gateway().url, ops.login, { input });
    expect(errorOf(fromElsewhere)).toBeUndefined();
    expect(await attempt('victim01', PASSWORD)).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
  });

  it('a parallel burst of wrong passwords ends with the pair locked', async () => {
    await insertUser(gateway().db, 'parallel01');
    const { loginMaxAttempts } = gateway().config.limits;
    const results = await Promise.all(Array.from({ length: 20 }, () => attempt('parallel01', 'wrong password')));
    const answered = (code: string) => results.filter((r) => r?.code === code).length;
    // Only the first LOGIN_MAX_ATTEMPTS failures are told so; every guess completing after them is refused.
    expect(answered('INVALID_CREDENTIALS')).toBe(loginMaxAttempts);
    expect(answered('TOO_MANY_REQUESTS')).toBe(20 - loginMaxAttempts);
    expect(await attempt('parallel01', PASSWORD)).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
  });

  it('parallel logins with the right password all succeed: only failures count', async () => {
    await insertUser(gateway().db, 'busy0001');
    const results = await Promise.all(Array.from({ length: 12 }, () => attempt('busy0001', PASSWORD)));
    expect(results).toEqual(Array.from({ length: 12 }, () => undefined));
  });

  it('spellings the collation matches to the same account share its lock', async () => {
    await insertUser(gateway().db, 'spelled01');
    for (const username of ['spelled01', 'spélled01', 'ｓpelled01', 'SPELLED01', 'spëlled01']) {
      expect(await attempt(username, 'wrong password')).toEqual(INVALID_CREDENTIALS);
    }
    expect(await attempt('spèlled01', 'wrong password')).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
  });

  it('a success before the 5th failure clears the count', async () => {
    await insertUser(gateway().db, 'cleared01');
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 4; i++) expect(await attempt('cleared01', 'wrong password')).toEqual(INVALID_CREDENTIALS);
      expect(await attempt('cleared01', PASSWORD)).toBeUndefined();
    }
  });
});

describe('re-hashing on login', () => {
  const gateway = useGateway({ env: { BCRYPT_COST: '5' } });

  it('a cost-4 hash is re-written at BCRYPT_COST, still as $2y$, on a successful login', async () => {
    const id = await insertUser(gateway().db, 'rehash01', { passwordHash: legacyHash(PASSWORD, 4) });
    const storedHash = async () =>
      (await gateway().db.query<{ password: string }>('SELECT password FROM users WHERE id = ?', [id]))[0]!.password;

    expect((await attemptLogin(gateway().url, 'rehash01', 'wrong password'))?.code).toBe('INVALID_CREDENTIALS');
    expect(await storedHash()).toMatch(/^\$2y\$04\$/);
    expect(await attemptLogin(gateway().url, 'rehash01', PASSWORD)).toBeUndefined();
    const rehashed = await storedHash();
    expect(rehashed).toMatch(/^\$2y\$05\$/);
    expect(bcrypt.compareSync(PASSWORD, rehashed)).toBe(true);
    expect(await attemptLogin(gateway().url, 'rehash01', PASSWORD)).toBeUndefined();
  });
});

describe('per-IP limits', () => {
  const gateway = useGateway({ env: { RATE_LIMIT_SIGN: '3', RATE_LIMIT_ACCESS: '3' } });
  const from = (clientIp: string, query: string, variables = {}, token?: string) =>
    gqlFrom(clientIp, gateway().url, query, variables, token).then(errorOf);

  /** Sends three requests the limit lets through (whatever else they fail on), then answers the fourth. */
  async function fourthOf(request: () => Promise<ErrorSummary | undefined>) {
    for (let i = 0; i < 3; i++) expect((await request())?.code).not.toBe('TOO_MANY_REQUESTS');
    const fourth = await request();
    expect(fourth).toMatchObject({ code: 'TOO_MANY_REQUESTS', legacyCode: 40001 });
    expect(fourth!.retryAfter).toBeGreaterThan(0);
    expect(fourth!.retryAfter).toBeLessThanOrEqual(60);
  }

  it('RATE_LIMIT_SIGN=3: the 4th captcha from one IP is TOO_MANY_REQUESTS; another IP is still served', async () => {
    await fourthOf(() => from('127.0.0.11', ops.captcha));
    expect(await from('127.0.0.12', ops.captcha)).toBeUndefined();
  });

  it('register counts against the same limit as captchas, even when its input is refused', async () => {
    const blank = {
      name: '',
      username: '',
      password: '',
      passwordConfirmation: '',
      invitationCode: '',
      captchaKey: '',
      captchaCode: '',
    };
    const requests = [
      () => from('127.0.0.13', ops.captcha),
      () => from('127.0.0.13', ops.register, { input: blank }),
      () => from('127.0.0.13', ops.captcha),
      () => from('127.0.0.13', ops.register, { input: blank }),
    ];
    await fourthOf(() => requests.shift()!());
  });

  it('RATE_LIMIT_ACCESS=3: the 4th me of one user is TOO_MANY_REQUESTS', async () => {
    const id = await insertUser(gateway().db, 'access01');
    const token = mintToken(TEST_JWT_SECRET, { sub: String(id), ver: 0 });
    await fourthOf(() => from('127.0.0.21', ops.me, {}, token));
  });

  it('without a valid token, me and login count per client IP', async () => {
    await fourthOf(() => from('127.0.0.22', ops.me));
    expect(await from('127.0.0.22', ops.login, { input: { username: 'anyone01', password: PASSWORD } })).toMatchObject({
      code: 'TOO_MANY_REQUESTS',
    });
  });
});
