import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from '../helpers/gateway.js';
import { send } from '../helpers/http.js';
import { freePort } from '../helpers/ports.js';
import { type RedisServer, startRedisServer } from '../helpers/redis-server.js';

async function readyz(gateway: Gateway) {
  return send(`${gateway.url}/readyz`);
}

describe('health and readiness on MySQL and Redis', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway();
  });
  afterAll(async () => gateway?.close());

  it('/healthz answers that the process is alive', async () => {
    const answer = await send(`${gateway.url}/healthz`);
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ status: 'ok' });
  });

  it('/readyz names each dependency it checked', async () => {
    const answer = await readyz(gateway);
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ status: 'ok', checks: { mysql: 'ok', redis: 'ok' } });
  });
});

describe('readiness when Redis goes away', () => {
  let redis: RedisServer;
  let gateway: Gateway;
  beforeAll(async () => {
    redis = await startRedisServer(await freePort());
    gateway = await startGateway({ env: { REDIS_URL: redis.url } });
  });
  afterAll(async () => {
    await gateway?.close();
    await redis?.stop();
  });

  it('answers 503 naming redis while it is down, stays alive, and is ready again once it is back', async () => {
    expect((await readyz(gateway)).status).toBe(200);

    await redis.stop();
    const down = await readyz(gateway);
    expect(down.status).toBe(503);
    expect(down.json).toEqual({ status: 'unavailable', checks: { mysql: 'ok', redis: 'down' }, failing: ['redis'] });
    expect((await send(`${gateway.url}/healthz`)).status).toBe(200);

    redis = await startRedisServer(redis.port);
    let status = 0;
    for (let attempt = 0; attempt < 30 && status !== 200; attempt++) {
      await sleep(200);
      status = (await readyz(gateway)).status;
    }
    expect(status).toBe(200);
  });
});
