import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { PASSWORD } from '../helpers/accounts.js';
import { errorOf } from '../helpers/attempts.js';
import type { Gateway } from '../helpers/gateway.js';
import { useGateway } from '../helpers/gateway-hooks.js';
import { type GraphqlResponse, gql, ops } from '../helpers/graphql.js';
import { claimsOf } from '../helpers/jwt.js';
import { insertUser } from '../helpers/legacy-users.js';
import { spread, times } from '../helpers/races.js';

const REUSE_INTERVAL_SECONDS = 2;

async function loginAs(gw: Gateway, username: string): Promise<string> {
  const answer = await gql(gw.url, ops.login, { input: { username, password: PASSWORD } });
  expect(answer.errors).toBeUndefined();
  return answer.data!.login.accessToken as string;
}

const tokenOfRefresh = (answer: GraphqlResponse): string | undefined => answer.data?.refresh?.accessToken;
/** Whether `me` accepts the token; a refusal must be UNAUTHENTICATED, so an outage never passes for a revocation. */
const works = async (gw: Gateway, token: string) => {
  const error = errorOf(await gql(gw.url, ops.me, {}, token));
  if (error) expect(error.code, JSON.stringify(error)).toBe('UNAUTHENTICATED');
  return error === undefined;
};

describe('sessions under races, on two instances', () => {
  const first = useGateway({ env: { REFRESH_REUSE_INTERVAL: String(REUSE_INTERVAL_SECONDS) } });
  const second = useGateway(() => ({
    env: { REFRESH_REUSE_INTERVAL: String(REUSE_INTERVAL_SECONDS) },
    shareWith: first(),
  }));
  const both = () => [first(), second()];

  it('a refresh racing a logout of the same token never leaves a token that authenticates (50 trials)', async () => {
    await insertUser(first().db, 'racer0001');
    let refreshesWon = 0;
    for (let trial = 0; trial < 50; trial++) {
      const token = await loginAs(first(), 'racer0001');
      const [refreshGw, logoutGw] = trial % 2 ? [first(), second()] : [second(), first()];
      const [refreshed, loggedOut] = await Promise.all([
        gql(refreshGw.url, ops.refresh, {}, token),
        gql(logoutGw.url, ops.logout, {}, token),
      ]);
      const renewed = tokenOfRefresh(refreshed);
      if (renewed) refreshesWon++;
      for (const gw of both()) {
        expect(await works(gw, token), `trial ${trial}: the raced token`).toBe(false);
        if (renewed) expect(await works(gw, renewed), `trial ${trial}: the refreshed token`).toBe(false);
      }
      // Whichever came first, the logout ended the session.
      expect(errorOf(loggedOut)).toBeUndefined();
    }
    // Both orders happened: the race was real.
    expect(refreshesWon).toBeGreaterThan(0);
  });

  it('a logout with a token a refresh already traded still ends the session', async () => {
    await insertUser(first().db, 'racer0005');
    const token = await loginAs(first(), 'racer0005');
    const renewed = tokenOfRefresh(await gql(first().url, ops.refresh, {}, token))!;
    expect(errorOf(await gql(first().url, ops.me, {}, token))?.code).toBe('UNAUTHENTICATED');
    expect(errorOf(await gql(second().url, ops.logout, {}, token))).toBeUndefined();
    for (const gw of both()) expect(await works(gw, renewed)).toBe(false);
  });

  it('of 20 concurrent refreshes of one token over both instances exactly one succeeds, and the session lives', async () => {
    await insertUser(first().db, 'racer0002');
    const token = await loginAs(first(), 'racer0002');
    const answers = await Promise.all(times(20, (i) => gql(spread(both(), i).url, ops.refresh, {}, token)));
    const winners = answers.map(tokenOfRefresh).filter((t): t is string => t !== undefined);
    expect(winners).toHaveLength(1);
    const losers = answers.filter((a) => a.errors);
    expect(losers).toHaveLength(19);
    for (const answer of losers) expect(errorOf(answer)?.code).toBe('UNAUTHENTICATED');
    for (const gw of both()) expect(await works(gw, winners[0]!)).toBe(true);
    const [row] = await first().db.query<{ revoked_at: string | null }>(
      'SELECT revoked_at FROM sessions WHERE id = ?',
      [claimsOf(token).sid],
    );
    expect(row!.revoked_at).toBeNull();
  });

  it('two tabs refreshing within the reuse interval: the loser is refused, the session lives', async () => {
    await insertUser(first().db, 'racer0003');
    const token = await loginAs(first(), 'racer0003');
    const winner = tokenOfRefresh(await gql(first().url, ops.refresh, {}, token))!;
    expect(errorOf(await gql(second().url, ops.refresh, {}, token))?.code).toBe('UNAUTHENTICATED');
    expect(await works(second(), winner)).toBe(true);
    expect(tokenOfRefresh(await gql(second().url, ops.refresh, {}, winner))).toBeDefined();
  });

  it('a traded token presented again after the reuse interval revokes its session: thief and victim both stop', async () => {
    const id = await insertUser(first().db, 'racer0004');
    const victims = await loginAs(first(), 'racer0004');
    const thiefs = tokenOfRefresh(await gql(second().url, ops.refresh, {}, victims))!;
    expect(await works(first(), thiefs)).toBe(true);
    await sleep((REUSE_INTERVAL_SECONDS + 1) * 1000);

    expect(errorOf(await gql(first().url, ops.refresh, {}, victims))?.code).toBe('UNAUTHENTICATED');
    for (const gw of both()) {
      expect(await works(gw, thiefs)).toBe(false);
      expect(errorOf(await gql(gw.url, ops.refresh, {}, thiefs))?.code).toBe('UNAUTHENTICATED');
    }
    const sid = claimsOf(victims).sid;
    const [row] = await first().db.query<{ revoked_reason: string }>(
      'SELECT revoked_reason FROM sessions WHERE id = ?',
      [sid],
    );
    expect(row!.revoked_reason).toBe('refresh_reuse');
    await first().app.services.audit.flush();
    const events = await first().db.query<{ type: string; session_id: string; user_id: number }>(
      "SELECT type, session_id, user_id FROM auth_events WHERE type = 'refresh_reuse_detected' AND session_id = ?",
      [sid],
    );
    expect(events).toEqual([{ type: 'refresh_reuse_detected', session_id: sid, user_id: id }]);
    // A fresh sign-in is unaffected.
    expect(await works(second(), await loginAs(second(), 'racer0004'))).toBe(true);
  });
});
