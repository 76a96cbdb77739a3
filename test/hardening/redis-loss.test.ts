import { afterAll, beforeAll, describe, it } from 'vitest';
import { type Gateway, startGateway } from '../helpers/gateway.js';
import {
  expectFailingFastAndClosed,
  expectRevocationsKept,
  expectServingAgain,
  openSessions,
} from '../helpers/outage.js';
import { freePort } from '../helpers/ports.js';
import { type RedisServer, startRedisServer } from '../helpers/redis-server.js';
import { bothTransports } from '../helpers/transports.js';

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
});
