import { describe, expect, it } from 'vitest';
import { login, loginAsNewAdmin, PASSWORD } from '../helpers/accounts.js';
import { identityHeaders, verify } from '../helpers/forward-auth.js';
import { TEST_JWT_SECRET } from '../helpers/gateway.js';
import { useGateway } from '../helpers/gateway-hooks.js';
import { gql, ops } from '../helpers/graphql.js';
import { exchange } from '../helpers/http.js';
import { claimsOf, mintToken } from '../helpers/jwt.js';
import { insertUser } from '../helpers/legacy-users.js';
import { sessionIdOf } from '../helpers/revocations.js';
import { restTransport, tokenOf } from '../helpers/transports.js';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const UNAUTHENTICATED = { message: 'Unauthenticated.' };
const FORBIDDEN = { message: 'Forbidden.' };

describe('/auth/verify', () => {
  const gw = useGateway();

  let users = 0;
  /** A user of the gateway (inserted as the legacy service would), logged in. */
  async function signedIn(username = `verify${String(++users).padStart(4, '0')}`) {
    const id = await insertUser(gw().db, username);
    const { token } = await login(gw().url, username);
    return { id, username, token };
  }

  it.each(METHODS)('%s with a valid token: 200, no body, the identity headers, no-store', async (method) => {
    const user = await signedIn();
    const answer = await verify(gw().url, { method, token: user.token });
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('');
    expect(identityHeaders(answer)).toEqual({
      'x-auth-user-id': String(user.id),
      'x-auth-username': user.username,
      'x-auth-role': 'user',
      'x-auth-session-id': claimsOf(user.token).sid,
    });
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.headers.get('x-auth-identity'), 'no assertion without IDENTITY_TOKEN_KEY').toBeNull();
  });

  it.each(METHODS)('%s without a token: 401 JSON, never a redirect, whatever the client accepts', async (method) => {
    for (const accept of ['application/json', 'text/html', '*/*']) {
      const answer = await verify(gw().url, { method, headers: { accept } });
      expect(answer.status, accept).toBe(401);
      if (method !== 'HEAD') expect(answer.json).toEqual(UNAUTHENTICATED);
      expect(answer.headers.get('location')).toBeNull();
      expect(answer.headers.get('www-authenticate')).toBe('Bearer');
      expect(answer.headers.get('cache-control')).toBe('no-store');
      expect(identityHeaders(answer)['x-auth-user-id']).toBeNull();
    }
  });

  it('a legacy token (no sid) passes with the session id derived from it, the one its refresh will open', async () => {
    const { id, username } = await signedIn();
    const legacy = mintToken(TEST_JWT_SECRET, { sub: String(id) });
    expect(claimsOf(legacy).sid).toBeUndefined();
    const answer = await verify(gw().url, { token: legacy });
    expect(answer.status).toBe(200);
    expect(identityHeaders(answer)).toMatchObject({
      'x-auth-user-id': String(id),
      'x-auth-username': username,
      'x-auth-session-id': sessionIdOf(legacy, TEST_JWT_SECRET),
    });
  });

  it('reads only the Authorization header: a token in the query string or body counts for nothing', async () => {
    const { token } = await signedIn();
    expect((await verify(gw().url, { path: `/auth/verify?token=${token}` })).status).toBe(401);
    const body = JSON.stringify({ token });
    const inBody = await verify(gw().url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(inBody.status).toBe(401);
  });

  it('ignores any body a proxy forwards: malformed JSON, a form, an unknown type, none declared', async () => {
    const { token } = await signedIn();
    const bodies: [string | undefined, string][] = [
      ['application/json', '{"not json'],
      ['application/x-www-form-urlencoded', 'a=1&b'],
      ['application/xml', '<x/>'],
      [undefined, 'raw bytes'],
    ];
    for (const [type, body] of bodies) {
      const headers: Record<string, string> = type ? { 'content-type': type } : {};
      expect((await verify(gw().url, { method: 'POST', token, headers, body })).status, type).toBe(200);
      expect((await verify(gw().url, { method: 'POST', headers, body })).status, type).toBe(401);
    }
  });

  it('answers under /auth/verify/… too, as Envoy’s ext_authz path_prefix sends it', async () => {
    const { token } = await signedIn();
    const answer = await verify(gw().url, { token, path: '/auth/verify/orders/42?page=2' });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-auth-role')).toBe('user');
    expect((await verify(gw().url, { path: '/auth/verify/orders/42' })).status).toBe(401);
  });

  describe('?role=', () => {
    it('admits a user who holds the role, refuses one who does not with 403', async () => {
      const user = await signedIn();
      const admin = await loginAsNewAdmin(gw().app, gw().url, 'verifyadmin01');
      const asAdmin = await verify(gw().url, { token: admin.token, path: '/auth/verify?role=admin' });
      expect(asAdmin.status).toBe(200);
      expect(asAdmin.headers.get('x-auth-role')).toBe('admin');
      const asUser = await verify(gw().url, { token: user.token, path: '/auth/verify?role=admin' });
      expect(asUser.status).toBe(403);
      expect(asUser.json).toEqual(FORBIDDEN);
      expect(asUser.headers.get('x-auth-user-id')).toBeNull();
      expect((await verify(gw().url, { token: user.token, path: '/auth/verify?role=user' })).status).toBe(200);
    });

    it('an unknown or empty role: 403, since nobody holds it', async () => {
      const admin = await loginAsNewAdmin(gw().app, gw().url, 'verifyadmin02');
      for (const role of ['superuser', 'ADMIN', '', 'admin%00', 'admin,user', '%E7%AE%A1%E7%90%86', 'x'.repeat(2000)]) {
        const answer = await verify(gw().url, { token: admin.token, path: `/auth/verify?role=${role}` });
        expect(answer.status, role).toBe(403);
        expect(answer.json).toEqual(FORBIDDEN);
      }
    });

    it('repeated: every role named must be held, so a client appending one can only narrow it', async () => {
      const admin = await loginAsNewAdmin(gw().app, gw().url, 'verifyadmin03');
      const both = await verify(gw().url, { token: admin.token, path: '/auth/verify?role=admin&role=user' });
      expect(both.status).toBe(403);
      expect((await verify(gw().url, { token: admin.token, path: '/auth/verify?role=admin&role=admin' })).status).toBe(
        200,
      );
    });

    it('authentication comes first: no token with a role is 401, not 403', async () => {
      expect((await verify(gw().url, { path: '/auth/verify?role=admin' })).status).toBe(401);
      expect((await verify(gw().url, { path: '/auth/verify?role=nosuchrole' })).status).toBe(401);
    });
  });

  describe('the checks of `me`, on the very next request', () => {
    it('a logged-out token', async () => {
      const { token } = await signedIn();
      expect((await verify(gw().url, { token })).status).toBe(200);
      expect((await restTransport(gw().url).logout(token)).ok).toBe(true);
      expect((await verify(gw().url, { token })).status).toBe(401);
    });

    it('a disabled user', async () => {
      const user = await signedIn();
      expect((await verify(gw().url, { token: user.token })).status).toBe(200);
      await gw().db.query('UPDATE users SET status = -1 WHERE id = ?', [user.id]);
      expect((await verify(gw().url, { token: user.token })).status).toBe(401);
      await gw().db.query('UPDATE users SET status = 0 WHERE id = ?', [user.id]);
      expect((await verify(gw().url, { token: user.token })).status, 'an inactive user').toBe(401);
    });

    it('every token of a user after logoutAll (a stale token version)', async () => {
      const user = await signedIn();
      const other = tokenOf(await restTransport(gw().url).login(user.username, PASSWORD));
      expect((await gql(gw().url, ops.logoutAll, {}, other)).data?.logoutAll).toBe(true);
      expect((await verify(gw().url, { token: user.token })).status).toBe(401);
      expect((await verify(gw().url, { token: other })).status).toBe(401);
    });

    it('a deleted user', async () => {
      const user = await signedIn();
      await gw().db.query('DELETE FROM users WHERE id = ?', [user.id]);
      expect((await verify(gw().url, { token: user.token })).status).toBe(401);
    });
  });

  it('percent-encodes a legacy username that a header could not carry; plain names pass unchanged', async () => {
    const user = await signedIn('店铺用户 01');
    const answer = await verify(gw().url, { token: user.token });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-auth-username')).toBe(encodeURIComponent('店铺用户 01'));
    expect(decodeURIComponent(answer.headers.get('x-auth-username')!)).toBe('店铺用户 01');
  });

  it('serves an empty key set without IDENTITY_TOKEN_KEY, with a cache header', async () => {
    const answer = await exchange(`${gw().url}/.well-known/jwks.json`);
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ keys: [] });
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(answer.headers.get('cache-control')).toBe('public, max-age=300');
  });
});
