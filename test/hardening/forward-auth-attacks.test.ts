import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../helpers/accounts.js';
import { confusedAlgorithmToken, forgeToken, rs256Token } from '../helpers/forged-tokens.js';
import { rawRequest, verify } from '../helpers/forward-auth.js';
import { type Gateway, startGateway, TEST_JWT_SECRET } from '../helpers/gateway.js';
import { useGateway, useGatewayBehindMysqlProxy } from '../helpers/gateway-hooks.js';
import { gql, ops } from '../helpers/graphql.js';
import { claimsOf, mintToken, nowSeconds } from '../helpers/jwt.js';
import { insertUser } from '../helpers/legacy-users.js';
import { FAILS_WITHIN_MS, RECOVERY_MS } from '../helpers/outage.js';
import { freePort } from '../helpers/ports.js';
import { type RedisServer, startRedisServer } from '../helpers/redis-server.js';
import { restTransport, tokenOf } from '../helpers/transports.js';
import { waitUntil } from '../helpers/wait.js';

const HOUR = 3600;
const REFRESH_WINDOW_SECONDS = 20160 * 60;

interface Victim {
  id: number;
  username: string;
  genuine: string;
  gw: Gateway;
}

/** Signed with the gateway's own secret: only the claims are wrong. */
const signed = (v: Victim, claims: Record<string, unknown>) =>
  mintToken(TEST_JWT_SECRET, { sub: String(v.id), ...claims });
const issuedAgo = (seconds: number) => ({
  iat: nowSeconds() - seconds,
  nbf: nowSeconds() - seconds,
  exp: nowSeconds() - 60,
});

/** Every attack of test/hardening/jwt-attacks.test.ts, and the refusals of `me` that are not forgeries. */
const ATTACKS: [string, (v: Victim) => string | Promise<string>][] = [
  ['alg none', (v) => forgeToken('alg none', v.genuine)],
  ['HS256 with a wrong secret', (v) => forgeToken('wrong secret', v.genuine)],
  ['HS512 with the right secret', (v) => jwt.sign(claimsOf(v.genuine), TEST_JWT_SECRET, { algorithm: 'HS512' })],
  ['HS256 keyed with an RS256 public key (confusion)', (v) => confusedAlgorithmToken(v.genuine)],
  ['RS256 with the attacker’s key', (v) => rs256Token(v.genuine)],
  ['payload tampered with (another sub)', (v) => forgeToken('claims changed', v.genuine)],
  ['signature truncated', (v) => forgeToken('truncated', v.genuine)],
  [
    'a foreign iss, signed by anyone but the gateway',
    (v) => jwt.sign({ ...claimsOf(v.genuine), iss: 'https://evil.example/api/auth/login' }, 'x'.repeat(40)),
  ],
  ['another model’s prv', (v) => signed(v, { prv: 'f'.repeat(40) })],
  // Refresh would take this one; verify, like `me`, does not.
  ['expired', (v) => signed(v, issuedAgo(2 * HOUR))],
  ['nbf in the future', (v) => signed(v, { nbf: nowSeconds() + 600 })],
  ['no sub', (v) => signed(v, { sub: undefined })],
  ['no jti', (v) => signed(v, { jti: undefined })],
  ['garbage', () => 'not-a-jwt'],
  ['three segments of garbage', () => 'eyJ.eyJ.sig'],
  [
    'after logout',
    async (v) => {
      expect((await restTransport(v.gw.url).logout(v.genuine)).ok).toBe(true);
      return v.genuine;
    },
  ],
  [
    'after logoutAll from another session (a stale token version)',
    async (v) => {
      const other = tokenOf(await restTransport(v.gw.url).login(v.username, PASSWORD));
      expect((await gql(v.gw.url, ops.logoutAll, {}, other)).data?.logoutAll).toBe(true);
      return v.genuine;
    },
  ],
  ['past the refresh window (and expired)', (v) => signed(v, issuedAgo(REFRESH_WINDOW_SECONDS + HOUR))],
  [
    'of a disabled user',
    async (v) => {
      await v.gw.db.query('UPDATE users SET status = -1 WHERE id = ?', [v.id]);
      return v.genuine;
    },
  ],
  ['a sub that is no user', (v) => signed(v, { sub: '987654321' })],
  ['a sub past the safe integers', (v) => signed(v, { sub: '99999999999999999999' })],
];

describe('/auth/verify under attack', () => {
  const gw = useGateway();

  let victims = 0;
  async function victim(): Promise<Victim> {
    const username = `vvictim${String(++victims).padStart(3, '0')}`;
    const id = await insertUser(gw().db, username);
    const genuine = tokenOf(await restTransport(gw().url).login(username, PASSWORD));
    return { id, username, genuine, gw: gw() };
  }

  it.each(ATTACKS)('%s: 401, with or without ?role, no identity', async (_name, attack) => {
    const token = await attack(await victim());
    for (const path of ['/auth/verify', '/auth/verify?role=admin', '/auth/verify?role=user']) {
      for (const method of ['GET', 'POST']) {
        const answer = await verify(gw().url, { token, path, method });
        expect(answer.status, `${method} ${path}`).toBe(401);
        expect(answer.json).toEqual({ message: 'Unauthenticated.' });
        expect(answer.headers.get('x-auth-user-id')).toBeNull();
        expect(answer.headers.get('x-auth-identity')).toBeNull();
      }
    }
  });

  it.each([
    ['no scheme', (t: string) => t],
    ['another scheme', (t: string) => `Basic ${t}`],
    ['the scheme alone', () => 'Bearer'],
    ['the scheme and a space', () => 'Bearer '],
    ['two tokens', (t: string) => `Bearer ${t} ${t}`],
    ['a token and a comma', (t: string) => `Bearer ${t},`],
    ['the scheme twice', (t: string) => `Bearer Bearer ${t}`],
    ['a token in quotes', (t: string) => `Bearer "${t}"`],
    ['Latin-1 bytes', (t: string) => `Bearer ${t}\u00e9`],
    ['a token glued to the scheme', (t: string) => `Bearer${t}`],
  ])('a malformed Authorization header (%s): 401', async (_name, header) => {
    const { genuine } = await victim();
    const answer = await rawRequest(gw().url, 'GET', '/auth/verify', [['Authorization', header(genuine)]]);
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.text)).toEqual({ message: 'Unauthenticated.' });
  });

  it('several Authorization headers: 401, whichever of them is genuine, however spelled', async () => {
    const { genuine } = await victim();
    const sets: [string, string][][] = [
      [
        ['Authorization', `Bearer ${genuine}`],
        ['Authorization', `Bearer ${genuine}`],
      ],
      [
        ['Authorization', `Bearer ${genuine}`],
        ['authorization', 'Bearer not-a-jwt'],
      ],
      [
        ['AUTHORIZATION', 'Bearer not-a-jwt'],
        ['Authorization', `Bearer ${genuine}`],
      ],
      [
        ['Authorization', ''],
        ['Authorization', `Bearer ${genuine}`],
      ],
    ];
    for (const headers of sets) {
      const answer = await rawRequest(gw().url, 'GET', '/auth/verify', headers);
      expect(answer.status, JSON.stringify(headers.map(([n]) => n))).toBe(401);
    }
    const one = await rawRequest(gw().url, 'GET', '/auth/verify', [['authorization', `bearer ${genuine}`]]);
    expect(one.status, 'one header, the scheme in lower case').toBe(200);
  });

  it('headers past the server’s limit: 431 from Node, before any check', async () => {
    const { genuine } = await victim();
    const huge = await rawRequest(gw().url, 'GET', '/auth/verify', [['Authorization', `Bearer ${'a'.repeat(20_000)}`]]);
    expect(huge.status).toBe(431);
    const many: [string, string][] = Array.from({ length: 200 }, (_, i) => [`X-Filler-${i}`, 'x'.repeat(100)]);
    const crowded = await rawRequest(gw().url, 'GET', '/auth/verify', [
      ['Authorization', `Bearer ${genuine}`],
      ...many,
    ]);
    expect(crowded.status).toBe(431);
    // Just under the limit it is an ordinary bad token.
    const large = await verify(gw().url, { token: 'a'.repeat(12_000) });
    expect(large.status).toBe(401);
  });

  it('a malformed request line or header never reaches a check: 400 from Node, never 200 or 500', async () => {
    const { genuine } = await victim();
    const broken = await rawRequest(gw().url, 'GET', '/auth/verify', [
      ['Authorization', `Bearer ${genuine}`],
      ['Bad Header', 'x'],
    ]);
    expect(broken.status).toBe(400);
    const path = await rawRequest(gw().url, 'GET', '/auth/verify?role=%', [['Authorization', `Bearer ${genuine}`]]);
    expect([400, 403]).toContain(path.status);
  });

  it('headers a client sends to claim an identity count for nothing', async () => {
    const answer = await verify(gw().url, {
      headers: { 'x-auth-user-id': '1', 'x-auth-role': 'admin', 'x-forwarded-user': 'admin', cookie: 'token=x' },
    });
    expect(answer.status).toBe(401);
  });
});

describe('/auth/verify throttled as `me` (RATE_LIMIT_ACCESS)', () => {
  const LIMIT = 4;
  const gw = useGateway({ env: { RATE_LIMIT_ACCESS: String(LIMIT) } });

  it('counts in the same per-user bucket as `me`, then answers 429 with Retry-After', async () => {
    await insertUser(gw().db, 'throttled01');
    const t = restTransport(gw().url, { from: '127.0.5.1' });
    const token = tokenOf(await t.login('throttled01', PASSWORD));
    expect((await t.me(token)).ok).toBe(true);
    expect((await t.me(token)).ok).toBe(true);
    for (let i = 0; i < LIMIT - 2; i++) expect((await verify(gw().url, { token, from: '127.0.5.2' })).status).toBe(200);
    const refused = await verify(gw().url, { token, from: '127.0.5.3' });
    expect(refused.status).toBe(429);
    expect(refused.json).toEqual({ message: 'Too Many Attempts.' });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(refused.headers.get('x-ratelimit-limit')).toBe(String(LIMIT));
    expect(refused.headers.get('x-auth-user-id')).toBeNull();
    expect((await t.me(token)).code, '`me` is refused too').toBe('TOO_MANY_REQUESTS');
  });

  it('counts refused tokens per client IP, as `me` does', async () => {
    for (let i = 0; i < LIMIT; i++)
      expect((await verify(gw().url, { token: 'bad', from: '127.0.6.1' })).status).toBe(401);
    expect((await verify(gw().url, { token: 'bad', from: '127.0.6.1' })).status).toBe(429);
    expect((await verify(gw().url, { token: 'bad', from: '127.0.6.2' })).status, 'another client').toBe(401);
  });
});

/** What verify answers for a live and a logged-out token, and how long the slower took. */
async function verdicts(gw: Gateway, live: string, revoked: string) {
  const started = Date.now();
  const [a, b] = await Promise.all([verify(gw.url, { token: live }), verify(gw.url, { token: revoked })]);
  return { live: a.status, revoked: b.status, ms: Date.now() - started, bodies: [a.text, b.text] };
}

async function liveAndRevoked(gw: Gateway, username: string) {
  await insertUser(gw.db, username);
  const t = restTransport(gw.url);
  const live = tokenOf(await t.login(username, PASSWORD));
  const revoked = tokenOf(await t.login(username, PASSWORD));
  expect((await t.logout(revoked)).ok).toBe(true);
  return { live, revoked };
}

describe('/auth/verify while a dependency is down: 503, fast and closed', () => {
  describe('Redis', () => {
    let redis: RedisServer;
    let gw: Gateway;
    beforeAll(async () => {
      redis = await startRedisServer(await freePort());
      gw = await startGateway({ env: { REDIS_URL: redis.url } });
    });
    afterAll(async () => {
      await gw?.close();
      await redis?.stop();
    });

    it('killed, then frozen: 503 within the limit, the revoked token never admitted, then serving again', async () => {
      const { live, revoked } = await liveAndRevoked(gw, 'redisdown01');
      expect(await verdicts(gw, live, revoked)).toMatchObject({ live: 200, revoked: 401 });

      redis.freeze();
      try {
        const seen = await verdicts(gw, live, revoked);
        expect(seen).toMatchObject({ live: 503, revoked: 503 });
        expect(seen.ms).toBeLessThan(FAILS_WITHIN_MS);
        expect(JSON.parse(seen.bodies[0]!)).toEqual({ message: 'Service Unavailable.' });
      } finally {
        redis.thaw();
      }
      await waitUntil(async () => (await verify(gw.url, { token: live })).status === 200, {
        timeoutMs: RECOVERY_MS,
        what: 'verify after Redis thawed',
      });
      expect((await verify(gw.url, { token: revoked })).status).toBe(401);

      await redis.stop();
      const seen = await verdicts(gw, live, revoked);
      expect(seen).toMatchObject({ live: 503, revoked: 503 });
      expect(seen.ms).toBeLessThan(FAILS_WITHIN_MS);
      redis = await startRedisServer(redis.port);
      await waitUntil(async () => (await verify(gw.url, { token: live })).status === 200, {
        timeoutMs: RECOVERY_MS,
        what: 'verify after Redis came back',
      });
    });
  });

  describe('MySQL', () => {
    const behindProxy = useGatewayBehindMysqlProxy();

    it('cut off, then hanging: 503 within the limit, the revoked token never admitted, then serving again', async () => {
      const [gw, proxy] = [behindProxy.gw(), behindProxy.proxy()];
      const { live, revoked } = await liveAndRevoked(gw, 'mysqldown01');
      for (const [fail, recover] of [
        [() => proxy.cut(), () => proxy.restore()],
        [async () => proxy.freeze(), async () => proxy.thaw()],
      ] as const) {
        await fail();
        const seen = await verdicts(gw, live, revoked);
        expect(seen.live).toBe(503);
        // Redis still answers, so the revocation alone may refuse it: either way, not admitted.
        expect([401, 503]).toContain(seen.revoked);
        expect(seen.ms).toBeLessThan(FAILS_WITHIN_MS);
        await recover();
        await waitUntil(async () => (await verify(gw.url, { token: live })).status === 200, {
          timeoutMs: RECOVERY_MS,
          what: 'verify after MySQL came back',
        });
        expect((await verify(gw.url, { token: revoked })).status).toBe(401);
      }
    });
  });
});
