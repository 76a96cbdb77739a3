import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loginAsNewAdmin, PASSWORD } from '../helpers/accounts.js';
import { type EchoUpstream, startEchoUpstream } from '../helpers/echo-upstream.js';
import { forgeToken } from '../helpers/forged-tokens.js';
import { identityKeyPair, rawRequest } from '../helpers/forward-auth.js';
import { type Gateway, startGateway, TEST_JWT_SECRET } from '../helpers/gateway.js';
import { gql, ops } from '../helpers/graphql.js';
import { exchange } from '../helpers/http.js';
import { claimsOf, mintToken, nowSeconds } from '../helpers/jwt.js';
import { insertUser } from '../helpers/legacy-users.js';
import { findNginx, type Nginx, NO_NGINX, startNginx } from '../helpers/nginx.js';
import { storegateSite } from '../helpers/nginx-site.js';
import { FAILS_WITHIN_MS } from '../helpers/outage.js';
import { freePort } from '../helpers/ports.js';
import { type RedisServer, startRedisServer } from '../helpers/redis-server.js';
import { restTransport, tokenOf } from '../helpers/transports.js';

const NGINX = findNginx();
const ACCESS_LIMIT = 30;

/** In CI these tests must run: a missing nginx fails every one of them; elsewhere they skip, saying why. */
function requireNginx(): void {
  beforeEach((context) => {
    if (NGINX) return;
    if (process.env.CI) throw new Error(`${NO_NGINX}, and CI is set: this test cannot be skipped`);
    context.skip(NO_NGINX);
  });
}

interface Stack {
  gateway: Gateway;
  upstream: EchoUpstream;
  nginx: Nginx;
}

/** The README's site on a spare port: nginx in front of an echoing service, asking this gateway. */
async function startStack(gateway: Gateway): Promise<Omit<Stack, 'gateway'>> {
  const upstream = await startEchoUpstream();
  const storegate = new URL(gateway.url).host;
  try {
    const nginx = await startNginx((listen) => storegateSite({ listen, storegate, shop: upstream.address }));
    return { upstream, nginx };
  } catch (err) {
    await upstream.close();
    throw err;
  }
}

async function stopStack(stack: Partial<Stack>): Promise<void> {
  await stack.nginx?.stop();
  await stack.upstream?.close();
  await stack.gateway?.close();
}

describe('nginx auth_request in front of a service, asking storegate', () => {
  requireNginx();
  const key = identityKeyPair('ed25519');
  const stack: Partial<Stack> = {};
  beforeAll(async () => {
    if (!NGINX) return;
    stack.gateway = await startGateway({
      env: { IDENTITY_TOKEN_KEY: key.privatePem, TRUST_PROXY: '127.0.0.1', RATE_LIMIT_ACCESS: String(ACCESS_LIMIT) },
    });
    Object.assign(stack, await startStack(stack.gateway));
  });
  afterAll(() => stopStack(stack));

  const gw = () => stack.gateway!;
  const through = (path: string, options: Parameters<typeof exchange>[1] = {}) =>
    exchange(`${stack.nginx!.url}${path}`, options);
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  let users = 0;
  async function signedIn(prefix = 'nginx') {
    const username = `${prefix}${String(++users).padStart(4, '0')}`;
    const id = await insertUser(gw().db, username);
    const token = tokenOf(await restTransport(gw().url).login(username, PASSWORD));
    return { id, username, token };
  }
  /** Every request above reached the service, and nothing more. */
  const reached = () => stack.upstream!.requests.length;

  it('a valid token reaches the service with the identity headers and an assertion it can verify', async () => {
    const user = await signedIn();
    const before = reached();
    const answer = await through('/orders/42?page=2', { headers: bearer(user.token) });
    expect(answer.status, await stack.nginx!.errorLog()).toBe(200);
    expect(reached()).toBe(before + 1);
    const seen = answer.json;
    expect(seen).toMatchObject({ method: 'GET', url: '/orders/42?page=2' });
    expect(seen.headers).toMatchObject({
      'x-auth-user-id': String(user.id),
      'x-auth-username': user.username,
      'x-auth-role': 'user',
    });
    // The token's session, when it has one; nginx sends no header for an empty value.
    expect(seen.headers['x-auth-session-id']).toBe(claimsOf(user.token).sid);
    const jwks = (await exchange(`${gw().url}/.well-known/jwks.json`)).json;
    const { payload } = await jwtVerify(seen.headers['x-auth-identity'], createLocalJWKSet(jwks), {
      audience: 'storegate-upstream',
      issuer: 'storegate',
    });
    expect(payload).toMatchObject({ sub: String(user.id), username: user.username, role: 'user' });
  });

  it('passes a request body to the service; storegate never sees it', async () => {
    const { token } = await signedIn();
    const body = JSON.stringify({ items: 'x'.repeat(5000) });
    const answer = await through('/cart', {
      method: 'POST',
      headers: { ...bearer(token), 'content-type': 'application/json' },
      body,
    });
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ method: 'POST', bodyBytes: body.length });
  });

  it('no token or a bad one: 401 from nginx, and the service is never reached', async () => {
    const { token, id } = await signedIn();
    const before = reached();
    const bad: Record<string, Record<string, string>> = {
      'no token': {},
      garbage: bearer('not-a-jwt'),
      'alg none': bearer(forgeToken('alg none', token)),
      'a wrong secret': bearer(forgeToken('wrong secret', token)),
      'another sub': bearer(forgeToken('claims changed', token)),
      expired: bearer(mintToken(TEST_JWT_SECRET, { sub: String(id), exp: nowSeconds() - 60 })),
      'another scheme': { authorization: `Basic ${token}` },
      'a token in the query string only': {},
    };
    for (const [name, headers] of Object.entries(bad)) {
      const path = name.includes('query') ? `/orders?token=${token}` : '/orders';
      const answer = await through(path, { headers });
      expect(answer.status, name).toBe(401);
      expect(answer.headers.get('www-authenticate'), name).toBe('Bearer');
    }
    const twice = await rawRequest(stack.nginx!.url, 'GET', '/orders', [
      ['Authorization', `Bearer ${token}`],
      ['Authorization', `Bearer ${token}`],
    ]);
    // nginx refuses a duplicate Authorization line itself, before asking storegate.
    expect(twice.status, 'two Authorization headers').toBe(400);
    expect(reached()).toBe(before);
  });

  it('a logout is refused on the very next request', async () => {
    const { token } = await signedIn();
    expect((await through('/orders', { headers: bearer(token) })).status).toBe(200);
    expect((await restTransport(gw().url).logout(token)).ok).toBe(true);
    const before = reached();
    expect((await through('/orders', { headers: bearer(token) })).status).toBe(401);
    expect(reached()).toBe(before);
  });

  it('a disabled user is refused on the very next request, every token of theirs', async () => {
    const user = await signedIn();
    const second = tokenOf(await restTransport(gw().url).login(user.username, PASSWORD));
    expect((await through('/orders', { headers: bearer(user.token) })).status).toBe(200);
    await gw().db.query('UPDATE users SET status = -1 WHERE id = ?', [user.id]);
    const before = reached();
    expect((await through('/orders', { headers: bearer(user.token) })).status).toBe(401);
    expect((await through('/orders', { headers: bearer(second) })).status).toBe(401);
    expect(reached()).toBe(before);
  });

  it('logoutAll is refused on the very next request', async () => {
    const { token } = await signedIn();
    expect((await through('/orders', { headers: bearer(token) })).status).toBe(200);
    expect((await gql(gw().url, ops.logoutAll, {}, token)).data?.logoutAll).toBe(true);
    expect((await through('/orders', { headers: bearer(token) })).status).toBe(401);
  });

  it('a client cannot inject its own X-Auth-* headers: the service sees only storegate’s', async () => {
    const user = await signedIn();
    const forged = {
      'X-Auth-User-Id': '1',
      'X-Auth-Username': 'admin',
      'X-Auth-Role': 'admin',
      'X-Auth-Session-Id': 'stolen-session',
      'X-Auth-Identity': 'eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIiwicm9sZSI6ImFkbWluIn0.',
    };
    const answer = await through('/orders', { headers: { ...bearer(user.token), ...forged } });
    expect(answer.status).toBe(200);
    const { headers } = answer.json;
    expect(headers['x-auth-user-id']).toBe(String(user.id));
    expect(headers['x-auth-username']).toBe(user.username);
    expect(headers['x-auth-role']).toBe('user');
    expect(headers['x-auth-session-id']).toBe(claimsOf(user.token).sid);
    expect(headers['x-auth-identity']).not.toBe(forged['X-Auth-Identity']);
    // Lower case, or with underscores (which nginx drops as invalid names), they fare no better.
    const spelled = await rawRequest(stack.nginx!.url, 'GET', '/orders', [
      ['Authorization', `Bearer ${user.token}`],
      ['x-auth-role', 'admin'],
      ['X_Auth_Role', 'admin'],
      ['X-AUTH-USER-ID', '1'],
    ]);
    const seen = JSON.parse(spelled.text).headers;
    expect(seen['x-auth-role']).toBe('user');
    expect(seen['x-auth-user-id']).toBe(String(user.id));
    expect(Object.keys(seen).filter((name) => /x.auth.role/i.test(name))).toEqual(['x-auth-role']);
    // And headers claiming admin open no admin location.
    expect((await through('/admin/users', { headers: { ...bearer(user.token), ...forged } })).status).toBe(403);
  });

  it('/admin/ asks with ?role=admin: 403 for a user, 200 for an admin', async () => {
    const user = await signedIn();
    const admin = await loginAsNewAdmin(gw().app, gw().url, 'nginxadmin01');
    const before = reached();
    expect((await through('/admin/users', { headers: bearer(user.token) })).status).toBe(403);
    expect(reached()).toBe(before);
    const answer = await through('/admin/users', { headers: bearer(admin.token) });
    expect(answer.status).toBe(200);
    expect(answer.json.headers['x-auth-role']).toBe('admin');
    expect((await through('/admin/users')).status).toBe(401);
  });

  it('the verify locations are internal: a client asking for them gets 404', async () => {
    const { token } = await signedIn();
    for (const path of ['/_storegate/verify', '/_storegate/verify-admin', '/_storegate/']) {
      expect((await through(path, { headers: bearer(token) })).status, path).toBe(404);
    }
  });

  it('a throttled user gets 429 with Retry-After from nginx, not the 500 auth_request would make of it', async () => {
    const { token } = await signedIn('throttle');
    for (let i = 0; i < ACCESS_LIMIT; i++) {
      expect((await through('/orders', { headers: bearer(token) })).status).toBe(200);
    }
    const before = reached();
    const refused = await through('/orders', { headers: bearer(token) });
    expect(refused.status).toBe(429);
    expect(refused.json).toEqual({ message: 'Too Many Attempts.' });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('cache-control')).toBe('no-store');
    expect(reached()).toBe(before);
  });

  it('counts each client by the address nginx forwards (TRUST_PROXY), not by nginx’s', async () => {
    for (let i = 0; i < ACCESS_LIMIT; i++) {
      expect((await through('/orders', { from: '127.0.8.1', headers: bearer('bad') })).status).toBe(401);
    }
    expect((await through('/orders', { from: '127.0.8.1', headers: bearer('bad') })).status).toBe(429);
    expect((await through('/orders', { from: '127.0.8.2', headers: bearer('bad') })).status, 'another client').toBe(
      401,
    );
  });
});

describe('nginx auth_request when storegate cannot answer, and without an identity key', () => {
  requireNginx();
  let redis: RedisServer;
  const stack: Partial<Stack> = {};
  beforeAll(async () => {
    if (!NGINX) return;
    redis = await startRedisServer(await freePort());
    stack.gateway = await startGateway({ env: { REDIS_URL: redis.url } });
    Object.assign(stack, await startStack(stack.gateway));
  });
  afterAll(async () => {
    redis?.thaw();
    await stopStack(stack);
    await redis?.stop();
  });

  const through = (path: string, token?: string) =>
    exchange(`${stack.nginx!.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  async function signedIn(username: string) {
    await insertUser(stack.gateway!.db, username);
    return tokenOf(await restTransport(stack.gateway!.url).login(username, PASSWORD));
  }

  it('sends no assertion, and drops a client’s own', async () => {
    const token = await signedIn('nokeyuser01');
    const answer = await exchange(`${stack.nginx!.url}/orders`, {
      headers: { authorization: `Bearer ${token}`, 'x-auth-identity': 'forged', 'x-auth-session-id': 'forged' },
    });
    expect(answer.status).toBe(200);
    expect(answer.json.headers['x-auth-identity']).toBeUndefined();
    expect(answer.json.headers['x-auth-session-id']).toBe(claimsOf(token).sid);
  });

  it('Redis frozen: 503 from nginx within the limit, the service never reached', async () => {
    const token = await signedIn('nokeyuser02');
    expect((await through('/orders', token)).status).toBe(200);
    const before = stack.upstream!.requests.length;
    redis.freeze();
    try {
      const started = Date.now();
      const answer = await through('/orders', token);
      expect(answer.status).toBe(503);
      expect(answer.json).toEqual({ message: 'Service Unavailable.' });
      expect(Date.now() - started).toBeLessThan(FAILS_WITHIN_MS);
    } finally {
      redis.thaw();
    }
    expect(stack.upstream!.requests.length).toBe(before);
  });

  it('storegate itself gone: 503 from nginx, the service never reached', async () => {
    const token = await signedIn('nokeyuser03');
    expect((await through('/orders', token)).status).toBe(200);
    await stack.gateway!.app.close();
    const before = stack.upstream!.requests.length;
    expect((await through('/orders', token)).status).toBe(503);
    expect((await through('/orders')).status).toBe(503);
    expect(stack.upstream!.requests.length).toBe(before);
  });
});
