import { describe, expect, it } from 'vitest';
import { login, PASSWORD } from '../helpers/accounts.js';
import { expectBadInput, expectGraphqlError } from '../helpers/assertions.js';
import { errorOf } from '../helpers/attempts.js';
import { type Gateway, TEST_JWT_SECRET } from '../helpers/gateway.js';
import { useGateway } from '../helpers/gateway-hooks.js';
import { gql, ops } from '../helpers/graphql.js';
import { claimsOf, mintToken } from '../helpers/jwt.js';
import { insertUser } from '../helpers/legacy-users.js';
import { sessionIdOf } from '../helpers/revocations.js';
import { restTransport, tokenOf } from '../helpers/transports.js';

const UNAUTHENTICATED = { code: 'UNAUTHENTICATED', legacyCode: 40005 };

interface SessionRow {
  id: string;
  user_id: number;
  revoked_at: string | null;
  revoked_reason: string | null;
  user_agent: string | null;
  last_user_agent: string | null;
  ip: string;
}

const sessionRow = async (gw: Gateway, id: string): Promise<SessionRow | undefined> =>
  (await gw.db.query<SessionRow>('SELECT * FROM sessions WHERE id = ?', [id]))[0];

/** A user signed in on several "devices", each its own login with its own user agent. */
async function signedInOn(gw: Gateway, username: string, devices: string[]): Promise<string[]> {
  await insertUser(gw.db, username);
  const tokens: string[] = [];
  for (const device of devices) {
    const answer = await gql(gw.url, ops.login, { input: { username, password: PASSWORD } }, undefined, {
      'user-agent': device,
    });
    expect(answer.errors).toBeUndefined();
    tokens.push(answer.data!.login.accessToken);
  }
  return tokens;
}

describe('sessions', () => {
  const gateway = useGateway();
  /** A second instance on the same database and Redis. */
  const sibling = useGateway(() => ({ shareWith: gateway() }));

  /** The session_revoked events about a session, once both instances have written theirs. */
  async function revocationEvents(sessionId: string): Promise<unknown[]> {
    await Promise.all([gateway(), sibling()].map((gw) => gw.app.services.audit.flush()));
    return gateway().db.query("SELECT id FROM auth_events WHERE type = 'session_revoked' AND session_id = ?", [
      sessionId,
    ]);
  }

  it('every new token carries the sid of a session row made at sign-in, with its ip and user agent', async () => {
    const [token] = await signedInOn(gateway(), 'session01', ['Phone/1.0']);
    const { sid, iat } = claimsOf(token!);
    expect(sid).toMatch(/^[A-Za-z0-9_-]{16}$/);
    const row = await sessionRow(gateway(), sid);
    expect(row).toMatchObject({ user_agent: 'Phone/1.0', ip: '127.0.0.1', revoked_at: null });
    const refreshed = await gql(gateway().url, ops.refresh, {}, token);
    expect(claimsOf(refreshed.data!.refresh.accessToken)).toMatchObject({ sid, iat });
  });

  it('lists the live sessions of the caller only, marking the current one', async () => {
    const [phone, laptop] = await signedInOn(gateway(), 'session02', ['Phone/1.0', 'Laptop/2.0']);
    await signedInOn(gateway(), 'session03', ['Other/1.0']);
    const listed = await gql(gateway().url, ops.sessions, {}, laptop);
    expect(listed.errors).toBeUndefined();
    const sessions = listed.data!.sessions as Array<{ id: string; current: boolean; userAgent: string }>;
    expect(sessions.map((s) => [s.userAgent, s.current])).toEqual([
      ['Laptop/2.0', true],
      ['Phone/1.0', false],
    ]);
    expect(sessions.find((s) => !s.current)!.id).toBe(claimsOf(phone!).sid);
  });

  it('revokeSession signs one device out on every instance at once; the others live', async () => {
    const [phone, laptop] = await signedInOn(gateway(), 'session04', ['Phone/1.0', 'Laptop/2.0']);
    const phoneSession = claimsOf(phone!).sid as string;
    expect((await gql(gateway().url, ops.revokeSession, { id: phoneSession }, laptop)).data?.revokeSession).toBe(true);
    for (const gw of [gateway(), sibling()]) {
      expect(errorOf(await gql(gw.url, ops.me, {}, phone))).toMatchObject(UNAUTHENTICATED);
      expect(errorOf(await gql(gw.url, ops.refresh, {}, phone))).toMatchObject(UNAUTHENTICATED);
      expect(errorOf(await gql(gw.url, ops.me, {}, laptop))).toBeUndefined();
    }
    expect(await sessionRow(gateway(), phoneSession)).toMatchObject({ revoked_reason: 'revoked' });
  });

  it('revokeSession answers NOT_FOUND for another user’s, an unknown or an already revoked id, and BAD_USER_INPUT for a malformed one', async () => {
    const [mine, second] = await signedInOn(gateway(), 'session05', ['A/1', 'B/1']);
    const [theirs] = await signedInOn(gateway(), 'session06', ['C/1']);
    const revoke = (id: string) => gql(gateway().url, ops.revokeSession, { id }, mine);
    expectGraphqlError(await revoke(claimsOf(theirs!).sid), 'NOT_FOUND', 40004);
    expectGraphqlError(await revoke('AAAAAAAAAAAAAAAA'), 'NOT_FOUND', 40004);
    expect((await revoke(claimsOf(second!).sid)).data?.revokeSession).toBe(true);
    expectGraphqlError(await revoke(claimsOf(second!).sid), 'NOT_FOUND', 40004);
    for (const malformed of ["' OR 1=1 --", 'x'.repeat(200), 'a/b', '']) expectBadInput(await revoke(malformed), 'id');
    expect(errorOf(await gql(gateway().url, ops.me, {}, theirs))).toBeUndefined();
    expect(await sessionRow(gateway(), claimsOf(theirs!).sid), 'a refused revocation changes nothing').toMatchObject({
      revoked_at: null,
      revoked_reason: null,
    });
    expect(await revocationEvents(claimsOf(theirs!).sid)).toHaveLength(0);
    expect(await revocationEvents('AAAAAAAAAAAAAAAA')).toHaveLength(0);
  });

  it('of 10 concurrent revocations of one session, one succeeds and the rest are NOT_FOUND', async () => {
    const [keeper, target] = await signedInOn(gateway(), 'session07', ['A/1', 'B/1']);
    const id = claimsOf(target!).sid;
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => gql((i % 2 ? sibling() : gateway()).url, ops.revokeSession, { id }, keeper)),
    );
    expect(answers.filter((a) => a.data?.revokeSession === true)).toHaveLength(1);
    const refused = answers.filter((a) => a.errors);
    expect(refused).toHaveLength(9);
    for (const answer of refused) expectGraphqlError(answer, 'NOT_FOUND', 40004);
    expect(await sessionRow(gateway(), id)).toMatchObject({ revoked_reason: 'revoked' });
    expect(await revocationEvents(id), 'one session_revoked event, not one per attempt').toHaveLength(1);
  });

  it('revokeOtherSessions keeps only the current session', async () => {
    const [a, b, c] = await signedInOn(gateway(), 'session08', ['A/1', 'B/1', 'C/1']);
    expect((await gql(gateway().url, ops.revokeOtherSessions, {}, b)).data?.revokeOtherSessions).toBe(2);
    expect(errorOf(await gql(sibling().url, ops.me, {}, a))).toMatchObject(UNAUTHENTICATED);
    expect(errorOf(await gql(sibling().url, ops.me, {}, c))).toMatchObject(UNAUTHENTICATED);
    expect(errorOf(await gql(sibling().url, ops.me, {}, b))).toBeUndefined();
    expect((await gql(gateway().url, ops.sessions, {}, b)).data!.sessions).toHaveLength(1);
  });

  it('logoutAll marks every session revoked (logout_all)', async () => {
    const tokens = await signedInOn(gateway(), 'session09', ['A/1', 'B/1']);
    expect((await gql(gateway().url, ops.logoutAll, {}, tokens[0])).data?.logoutAll).toBe(true);
    for (const token of tokens) {
      expect(await sessionRow(gateway(), claimsOf(token).sid)).toMatchObject({ revoked_reason: 'logout_all' });
    }
  });

  it('a logout over REST ends the session: the refreshed token of it stops too', async () => {
    const [token] = await signedInOn(gateway(), 'session10', ['A/1']);
    const rest = restTransport(gateway().url);
    const renewed = tokenOf(await rest.refresh(token));
    expect((await rest.logout(renewed)).ok).toBe(true);
    expect(await sessionRow(gateway(), claimsOf(token!).sid)).toMatchObject({ revoked_reason: 'logout' });
    expect((await rest.me(renewed)).code).toBe('UNAUTHENTICATED');
  });

  it('keeps a huge user agent to its first 255 characters, at sign-in and at each refresh', async () => {
    const [token] = await signedInOn(gateway(), 'session11', [`Huge/${'x'.repeat(5000)}`]);
    expect((await sessionRow(gateway(), claimsOf(token!).sid))!.user_agent).toHaveLength(255);
    const refreshed = await gql(gateway().url, ops.refresh, {}, token, { 'user-agent': `Later/${'y'.repeat(5000)}` });
    expect(refreshed.errors).toBeUndefined();
    const row = await sessionRow(gateway(), claimsOf(token!).sid);
    expect(row!.last_user_agent).toBe(`Later/${'y'.repeat(249)}`);
    expect(row!.user_agent).toBe(`Huge/${'x'.repeat(250)}`);
  });

  describe('a legacy token (no sid)', () => {
    it('works everywhere, and its first refresh opens a session for it, listed and revocable', async () => {
      const sub = String(await insertUser(gateway().db, 'legacy0001'));
      const legacy = mintToken(TEST_JWT_SECRET, { sub });
      expect(errorOf(await gql(gateway().url, ops.me, {}, legacy))).toBeUndefined();
      const derived = sessionIdOf(legacy, TEST_JWT_SECRET);
      expect(await sessionRow(gateway(), derived)).toBeUndefined();

      const renewed = (await gql(gateway().url, ops.refresh, {}, legacy)).data!.refresh.accessToken as string;
      expect(claimsOf(renewed).sid).toBe(derived);
      expect(await sessionRow(gateway(), derived)).toMatchObject({ revoked_at: null, user_id: Number(sub) });
      expect(errorOf(await gql(gateway().url, ops.me, {}, legacy))).toMatchObject(UNAUTHENTICATED);
      const listed = (await gql(gateway().url, ops.sessions, {}, renewed)).data!.sessions;
      expect(listed).toMatchObject([{ id: derived, current: true }]);
    });

    it('logged out, is recorded revoked in the table, so a racing refresh on another instance cannot revive it', async () => {
      const sub = String(await insertUser(gateway().db, 'legacy0002'));
      const legacy = mintToken(TEST_JWT_SECRET, { sub });
      expect((await gql(gateway().url, ops.logout, {}, legacy)).data?.logout).toBe(true);
      expect(await sessionRow(gateway(), sessionIdOf(legacy, TEST_JWT_SECRET))).toMatchObject({
        revoked_reason: 'logout',
      });
      expect(errorOf(await gql(sibling().url, ops.refresh, {}, legacy))).toMatchObject(UNAUTHENTICATED);
      expect(errorOf(await gql(sibling().url, ops.me, {}, legacy))).toMatchObject(UNAUTHENTICATED);
    });
  });

  it('every session query refuses an anonymous caller', async () => {
    for (const [query, variables] of [
      [ops.sessions, {}],
      [ops.revokeSession, { id: 'AAAAAAAAAAAAAAAA' }],
      [ops.revokeOtherSessions, {}],
    ] as const) {
      expectGraphqlError(await gql(gateway().url, query, variables), 'UNAUTHENTICATED', 40005);
    }
  });

  it('still accepts a plain login afterwards (the fixture user)', async () => {
    await insertUser(gateway().db, 'session12');
    expect((await login(gateway().url, 'session12')).token).toBeTruthy();
  });
});
