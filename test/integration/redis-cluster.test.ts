import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createRedisStore } from '../../src/store/redis.store.js';
import { freePorts, startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { storeContract } from '../helpers/store-contract.js';

const run = promisify(execFile);
const MASTERS = 3;
const CLUSTER_BUS_OFFSET = 10_000;

/** A throw-away 3-master Redis Cluster on loopback, from `redis-server` and `redis-cli --cluster create`. */
async function startCluster(): Promise<{ nodes: string; stop(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'storegate-cluster-'));
  const ports = await freePorts(MASTERS, 7101, CLUSTER_BUS_OFFSET);
  const servers: RedisServer[] = [];
  const stop = async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (const port of ports) {
      servers.push(
        await startRedisServer(port, [
          '--cluster-enabled', 'yes',
          '--cluster-config-file', join(dir, `nodes-${port}.conf`),
          '--cluster-node-timeout', '2000',
          '--dir', dir,
        ]),
      );
    }
    const addresses = ports.map((port) => `127.0.0.1:${port}`);
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'], {
      timeout: 20_000,
    });
    await waitForClusterOk(ports[0]!);
    return { nodes: addresses.join(','), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function waitForClusterOk(port: number, timeoutMs = 20_000): Promise<void> {
  const redis = new Redis({ port, host: '127.0.0.1' });
  try {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (/cluster_state:ok/.test(await redis.cluster('INFO'))) return;
      await sleep(200);
    }
    throw new Error(`the cluster did not reach cluster_state:ok within ${timeoutMs} ms`);
  } finally {
    redis.disconnect();
  }
}

describe('on a 3-master Redis Cluster', () => {
  let cluster: Awaited<ReturnType<typeof startCluster>> | undefined;
  beforeAll(async () => {
    cluster = await startCluster();
  }, 60_000);
  afterAll(async () => cluster?.stop());

  const clusterConfig = () => loadConfig({ REDIS_CLUSTER_NODES: cluster!.nodes, REDIS_KEY_PREFIX: 'sgtest:cluster:' });

  storeContract('cluster', async () => {
    const store = await createRedisStore(clusterConfig().redis);
    return { store, dispose: () => store.close() };
  });

  it('spreads the keys of one store over the masters (no hash tag pins them to one slot)', async () => {
    const store = await createRedisStore(clusterConfig().redis);
    try {
      const keys = Array.from({ length: 30 }, (_, i) => `spread:${i}`);
      await Promise.all(keys.map((key) => store.set(key, 'v', 60)));
      const holders = await Promise.all(
        cluster!.nodes.split(',').map(async (address) => {
          const redis = new Redis(`redis://${address}`);
          try {
            return await redis.dbsize();
          } finally {
            redis.disconnect();
          }
        }),
      );
      expect(holders.filter((count) => count > 0).length).toBeGreaterThan(1);
    } finally {
      await store.close();
    }
  });
});
