import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../helpers/accounts.js';
import { errorOf } from '../helpers/attempts.js';
import { type Gateway, startGateway } from '../helpers/gateway.js';
import { gql, ops } from '../helpers/graphql.js';
import { claimsOf } from '../helpers/jwt.js';
import { insertUser } from '../helpers/legacy-users.js';
import {
  expectFailingFastAndClosed,
  expectRevocationsKept,
  expectServingAgain,
  openSessions,
  RECOVERY_MS,
  UNAVAILABLE,
  verdict,
} from '../helpers/outage.js';
import { freePort } from '../helpers/ports.js';
import { type RedisServer, startRedisServer } from '../helpers/redis-server.js';
import { bothTransports, tokenOf } from '../helpers/transports.js';
import { waitUntil } from '../helpers/wait.js';

/** The lock an instance takes to restore the revocations (src/sessions/revocation-list.ts). */
const RESTORE_LOCK = 'rv:restoring';

/**
 * Tokens of sessions revoked otherwise than by a logout (one by revokeSession, three by
 * revokeOtherSessions), and of the session kept: a token a refresh traded, and the one it got.
 */
async function revokedSessions(gw: Gateway): Promise<{ keeper: string; traded: string; revoked: string[] }> {
  const username = `revoked${Math.random().toString(36).slice(2, 8)}`;
  await insertUser(gw.db, username);
  const signIn = async () => {
    const answer = await gql(gw.url, ops.login, { input: { username, password: PASSWORD } });
    expect(answer.errors).toBeUndefined();
    return answer.data!.login.accessToken as string;
  };
  const [keeper, lost, other1, other2] = [await signIn(), await signIn(), await signIn(), await signIn()];
  expect((await gql(gw.url, ops.revokeSession, { id: claimsOf(lost).sid }, keeper)).data?.revokeSession).toBe(true);
  const keeperTab = await signIn();
  expect((await gql(gw.url, ops.revokeOtherSessions, {}, keeperTab)).data?.revokeOtherSessions).toBe(3);
  const renewed = await gql(gw.url, ops.refresh, {}, keeperTab);
  expect(renewed.errors).toBeUndefined();
  return { keeper: renewed.data!.refresh.accessToken, traded: keeperTab, revoked: [keeper, lost, other1, other2] };
}

describe('losing Redis', () => {
  let redis: RedisServer;
  /** Limits on and off (the test default): a throttle and a plain command meet the outage differently. */
  let gateways: Gateway[];

  beforeAll(async () => {
    redis = await startRedisServer(await freePort());
    const plain = await startGateway({ env: { REDIS_URL: redis.url } });
    const limited = await startGateway({
      env: { REDIS_URL: redis.url, RATE_LIMIT_SIGN: '1000', RATE_LIMIT_ACCESS: '1000' },
      shareWith: plain,
    });
    gateways = [limited, plain];
  });
  afterAll(async () => {
    for (const gw of [...(gateways ?? [])].reverse()) await gw.close();
    await redis?.stop();
  });

  const openAllSessions = () =>
    Promise.all(gateways.flatMap((gw) => bothTransports(gw.url).map((transport) => openSessions(gw, transport))));

  it('killed: fails fast and closed, and serves again by itself once it is restarted', async () => {
    const sessions = await openAllSessions();
    await redis.stop();
    await expectFailingFastAndClosed(sessions, 'redis');

    // It comes back empty (it persists nothing): the logouts are restored from the table.
    redis = await startRedisServer(redis.port);
    await expectServingAgain(sessions);
    await expectRevocationsKept(sessions);
  });

  it('frozen with its connections open: fails fast and closed, and keeps every revocation', async () => {
    const sessions = await openAllSessions();
    redis.freeze();
    try {
      await expectFailingFastAndClosed(sessions, 'redis');
    } finally {
      redis.thaw();
    }
    await expectServingAgain(sessions);
    await expectRevocationsKept(sessions);
  });

  /**
   * The store comes back empty, restarted or flushed, while both instances run. The test holds
   * the restore lock at first, so the window before the revocations are back is long enough to
   * look at: every token is refused with 503 there; once the lock is let go, an instance restores
   * them from the table and both serve again, without a restart, refusing every revoked session.
   */
  for (const loss of ['restarted empty', 'flushed'] as const) {
    it(`${loss}: no revoked token works again, 503 until the revocations are restored, then serving`, async () => {
      const sessions = await openAllSessions();
      const others = await Promise.all(gateways.map(revokedSessions));
      const prefix = gateways[0]!.redisPrefix;

      if (loss === 'restarted empty') {
        await redis.stop();
        redis = await startRedisServer(redis.port);
      }
      const direct = new Redis(redis.url);
      try {
        if (loss === 'flushed') await direct.flushall();
        await direct.set(`${prefix}${RESTORE_LOCK}`, 'the test', 'EX', 60);

        for (const s of sessions) {
          for (const token of [s.live, s.revoked]) expect(verdict(await s.transport.me(token))).toBe(UNAVAILABLE);
          expect(verdict(await s.transport.refresh(s.revoked))).toBe(UNAVAILABLE);
        }
        for (const [i, gw] of gateways.entries()) {
          for (const token of [others[i]!.keeper, ...others[i]!.revoked]) {
            expect(errorOf(await gql(gw.url, ops.me, {}, token))?.code).toBe('SERVICE_UNAVAILABLE');
          }
        }
        expect(await direct.exists(`${prefix}rv:intact`)).toBe(0);

        await direct.del(`${prefix}${RESTORE_LOCK}`);
      } finally {
        direct.disconnect();
      }
      await expectServingAgain(sessions);
      await expectRevocationsKept(sessions);
      for (const s of sessions) expect(verdict(await s.transport.refresh(s.revoked))).toBe('UNAUTHENTICATED 40005');
      // Every instance refuses every revoked session of every instance, and keeps the live one.
      for (const gw of gateways) {
        for (const { keeper, traded, revoked } of others) {
          await waitUntil(async () => errorOf(await gql(gw.url, ops.me, {}, keeper)) === undefined, {
            timeoutMs: RECOVERY_MS,
            what: 'the kept session',
          });
          expect(errorOf(await gql(gw.url, ops.me, {}, traded))?.code, 'the traded token').toBe('UNAUTHENTICATED');
          for (const token of revoked) {
            expect(errorOf(await gql(gw.url, ops.me, {}, token))?.code).toBe('UNAUTHENTICATED');
            expect(errorOf(await gql(gw.url, ops.refresh, {}, token))?.code).toBe('UNAUTHENTICATED');
          }
        }
      }
      // A refresh and a logout after the recovery work as ever.
      const s = sessions[0]!;
      const renewed = tokenOf(await s.transport.refresh(tokenOf(await s.transport.login(s.username, PASSWORD))));
      expect((await s.transport.logout(renewed)).ok).toBe(true);
      expect(verdict(await s.transport.me(renewed))).toBe('UNAUTHENTICATED 40005');
    });
  }
});
