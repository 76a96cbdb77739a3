import { beforeAll, describe, expect, it } from 'vitest';
import { login } from '../helpers/accounts.js';
import { errorOf } from '../helpers/attempts.js';
import { useGateway } from '../helpers/gateway-hooks.js';
import { gql, ops } from '../helpers/graphql.js';
import { claimsOf, mintToken, nowSeconds } from '../helpers/jwt.js';
import { insertLegacyRows, legacyFixture } from '../helpers/legacy-fixture.js';
import { insertUser } from '../helpers/legacy-users.js';
import { revocationBucket, revocationTtl } from '../helpers/revocations.js';

const { secret, long_lived_token_for_user_1: legacyToken } = legacyFixture().jwt;
const REFRESH_WINDOW_SECONDS = 20160 * 60;
const UNAUTHENTICATED = { code: 'UNAUTHENTICATED', legacyCode: 40005 };

describe('tokens on MariaDB and Redis, with the legacy secret and rows', () => {
  const gateway = useGateway({ env: { JWT_SECRET: secret } });
  /** Another instance on the same database and Redis prefix, configured otherwise. */
  const sibling = (env: Record<string, string>) =>
    useGateway(() => ({ env: { JWT_SECRET: secret, ...env }, shareWith: gateway() }));
  const graceful = sibling({ JWT_BLACKLIST_GRACE_PERIOD: '5' });
  const shortWindow = sibling({ JWT_REFRESH_TTL: '60' });
  beforeAll(async () => insertLegacyRows(gateway().db));

  const me = (token: string, url = gateway().url) => gql(url, ops.me, {}, token);
  const refresh = (token: string, url = gateway().url) => gql(url, ops.refresh, {}, token);
  const logout = (token: string, url = gateway().url) => gql(url, ops.logout, {}, token);
  const newUser = async (username: string) => String(await insertUser(gateway().db, username));
  const ttlOf = (token: string) => revocationTtl(token, secret, gateway().redisPrefix);

  describe('the legacy long-lived token', () => {
    it('authenticates me as user 1', async () => {
      const res = await me(legacyToken);
      expect(res.errors).toBeUndefined();
      expect(res.data!.me).toMatchObject({ id: '1', username: 'legacy01', invitationCode: 'WELCOME2020' });
    });

    it('cannot be refreshed (its window closed), and stays usable after the attempt', async () => {
      expect(errorOf(await refresh(legacyToken))).toMatchObject(UNAUTHENTICATED);
      expect(errorOf(await me(legacyToken))).toBeUndefined();
    });
  });

  describe('logout', () => {
    it('revokes the session in Redis until its refresh window closes (to the end of its ten-minute slot)', async () => {
      await newUser('logout01');
      const { token } = await login(gateway().url, 'logout01');
      expect(errorOf(await logout(token))).toBeUndefined();

      expect(errorOf(await me(token))).toMatchObject(UNAUTHENTICATED);
      const sessionEnd = claimsOf(token).iat! + REFRESH_WINDOW_SECONDS;
      const ttl = await ttlOf(token);
      expect(ttl).toBeGreaterThanOrEqual(sessionEnd - nowSeconds() - 5);
      expect(ttl).toBeLessThanOrEqual(revocationBucket(token, secret).slotEnd - nowSeconds() + 5);
    });

    it('revokes a token whose exp outlasts its refresh window until exp', async () => {
      const sub = await newUser('logout02');
      const exp = nowSeconds() + 30 * 24 * 3600;
      const token = mintToken(secret, { sub, exp });
      expect(errorOf(await logout(token))).toBeUndefined();

      expect(errorOf(await me(token))).toMatchObject(UNAUTHENTICATED);
      expect(Math.abs((await ttlOf(token)) - (exp - nowSeconds()))).toBeLessThanOrEqual(5);
    });
  });

  describe('refresh and the grace period', () => {
    it('without a grace period (the default) the refreshed token stops at once', async () => {
      await newUser('nograce01');
      const { token } = await login(gateway().url, 'nograce01');
      const renewed = (await refresh(token)).data!.refresh.accessToken as string;

      expect(errorOf(await me(renewed))).toBeUndefined();
      expect(errorOf(await me(token))).toMatchObject(UNAUTHENTICATED);
    });

    it('a grace period lets the refreshed token work on, but never refresh again or outlive a logout', async () => {
      await newUser('grace01');
      const url = graceful().url;
      const { token } = await login(url, 'grace01');
      const renewed = (await refresh(token, url)).data!.refresh.accessToken as string;

      expect(errorOf(await me(token, url))).toBeUndefined();
      expect(errorOf(await me(renewed, url))).toBeUndefined();
      expect(errorOf(await refresh(token, url))).toMatchObject(UNAUTHENTICATED);

      // A logout ends the session: the grace token and the renewed one stop at once.
      expect(errorOf(await logout(token, url))).toBeUndefined();
      expect(errorOf(await me(token, url))).toMatchObject(UNAUTHENTICATED);
      expect(errorOf(await me(renewed, url))).toMatchObject(UNAUTHENTICATED);
    });
  });

  describe('JWT_REFRESH_TTL', () => {
    it('refuses to refresh a token whose chain began before the window, though it still authenticates', async () => {
      const sub = await newUser('window01');
      const iat = nowSeconds() - 61 * 60;
      const token = mintToken(secret, { sub, iat, nbf: iat, exp: nowSeconds() + 1800 });

      expect(errorOf(await me(token, shortWindow().url))).toBeUndefined();
      expect(errorOf(await refresh(token, shortWindow().url))).toMatchObject(UNAUTHENTICATED);
      expect(errorOf(await refresh(token))).toBeUndefined();
    });

    it('refreshes an expired token inside the window, keeping the first iat', async () => {
      const sub = await newUser('window02');
      const iat = nowSeconds() - 50 * 60;
      const expired = mintToken(secret, { sub, iat, nbf: iat, exp: nowSeconds() - 60 });
      expect(errorOf(await me(expired, shortWindow().url))).toMatchObject(UNAUTHENTICATED);

      const res = await refresh(expired, shortWindow().url);
      expect(res.errors).toBeUndefined();
      const renewed = res.data!.refresh.accessToken as string;
      expect(claimsOf(renewed)).toMatchObject({ iat, sub, ver: 0 });
      expect(claimsOf(renewed).exp).toBeGreaterThan(nowSeconds());
      expect(errorOf(await me(renewed, shortWindow().url))).toBeUndefined();
    });
  });

  describe('logoutAll', () => {
    it("bumps the user's token_version, killing every token of the user, legacy ones included", async () => {
      const id = await newUser('everywhere01');
      const sessions = [];
      for (const instance of [gateway(), graceful()]) sessions.push((await login(instance.url, 'everywhere01')).token);
      const legacyStyle = mintToken(secret, { sub: id });
      for (const token of [...sessions, legacyStyle]) expect(errorOf(await me(token))).toBeUndefined();

      expect((await gql(gateway().url, ops.logoutAll, {}, sessions[0])).data?.logoutAll).toBe(true);
      for (const token of [...sessions, legacyStyle]) expect(errorOf(await me(token))).toMatchObject(UNAUTHENTICATED);
      const [row] = await gateway().db.query<{ v: number }>('SELECT token_version AS v FROM users WHERE id = ?', [id]);
      expect(row!.v).toBe(1);

      const { token } = await login(gateway().url, 'everywhere01');
      expect(claimsOf(token).ver).toBe(1);
      expect(errorOf(await me(token))).toBeUndefined();
    });
  });
});
