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
import { freePorts } from '../helpers/ports.js';
import { type RedisServer, startRedisServer } from '../helpers/redis-server.js';
import { storeContract } from '../helpers/store-contract.js';

const run = promisify(execFile);
const MASTERS = 3;
const CLUSTER_BUS_OFFSET = 10_000;

interface ClusterNodes {
  ports: number[];
  /** `host:port,…`, as REDIS_CLUSTER_NODES takes them. */
  nodes: string;
  stop(): Promise<void>;
}

/** Three cluster-enabled `redis-server`s on loopback, not yet joined into a cluster. */
async function startNodes(): Promise<ClusterNodes> {
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
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(dir, `nodes-${port}.conf`),
          '--cluster-node-timeout',
          '2000',
          '--dir',
          dir,
        ]),
      );
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { ports, nodes: ports.map((port) => `127.0.0.1:${port}`).join(','), stop };
}

/** `redis-cli --cluster create` over the nodes, then waits until every node reports cluster_state:ok. */
async function formCluster({ ports, nodes }: ClusterNodes): Promise<void> {
  await run('redis-cli', ['--cluster', 'create', ...nodes.split(','), '--cluster-replicas', '0', '--cluster-yes'], {
    timeout: 20_000,
  });
  for (const port of ports) await waitForClusterOk(port);
}

/** A throw-away 3-master Redis Cluster on loopback. */
async function startCluster(): Promise<ClusterNodes> {
  const cluster = await startNodes();
  try {
    await formCluster(cluster);
    return cluster;
  } catch (err) {
    await cluster.stop();
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
    throw new Error(`the cluster did not reach cluster_state:ok on ${port} within ${timeoutMs} ms`);
  } finally {
    redis.disconnect();
  }
}

const clusterConfig = (nodes: string) =>
  loadConfig({ REDIS_CLUSTER_NODES: nodes, REDIS_KEY_PREFIX: 'sgtest:cluster:' });

describe('on a 3-master Redis Cluster', () => {
  let cluster: Awaited<ReturnType<typeof startCluster>> | undefined;
  beforeAll(async () => {
    cluster = await startCluster();
  }, 60_000);
  afterAll(async () => cluster?.stop());

  storeContract('cluster', async () => {
    const store = await createRedisStore(clusterConfig(cluster!.nodes).redis);
    return { store, dispose: () => store.close() };
  });

  it('spreads the keys of one store over the masters (no hash tag pins them to one slot)', async () => {
    const store = await createRedisStore(clusterConfig(cluster!.nodes).redis);
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

describe('starting against a Redis Cluster that is still forming', () => {
  let nodes: ClusterNodes | undefined;
  afterAll(async () => nodes?.stop());

  it('waits until the cluster is ready, then works', async () => {
    nodes = await startNodes();
    // Before `--cluster create` no node serves a slot: ioredis' first connect() fails its checks.
    const starting = createRedisStore(clusterConfig(nodes.nodes).redis);
    await sleep(500);
    await formCluster(nodes);
    const store = await starting;
    try {
      await store.set('forming', 'ready', 60);
      expect(await store.get('forming')).toBe('ready');
    } finally {
      await store.close();
    }
  }, 60_000);
});
