import { Cluster, Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createRedisClient, isRedisConfigured } from '../../src/store/redis.store.js';
import { configProblems as problemsOf } from '../helpers/failures.js';

const production = {
  NODE_ENV: 'production',
  DATABASE_URL: 'mysql://root@127.0.0.1:3306/storegate',
  JWT_SECRET: 'x'.repeat(32),
};

describe('Redis configuration', () => {
  it('reads Sentinel nodes, the master name and the password', () => {
    const { redis } = loadConfig({
      REDIS_SENTINELS: 'sentinel-a:26379, [::1]:26380',
      REDIS_SENTINEL_NAME: 'storegate-master',
      REDIS_PASSWORD: 'pw',
    });
    expect(redis).toMatchObject({
      sentinels: [
        { host: 'sentinel-a', port: 26379 },
        { host: '::1', port: 26380 },
      ],
      sentinelName: 'storegate-master',
      password: 'pw',
    });
    expect(isRedisConfigured(redis)).toBe(true);
  });

  it('reads Cluster seed nodes', () => {
    const { redis } = loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000,10.0.0.2:7000' });
    expect(redis.clusterNodes).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: '10.0.0.2', port: 7000 },
    ]);
    expect(redis.sentinelName).toBe('mymaster');
  });

  it('refuses a node without a port, and more than one way to reach Redis', () => {
    expect(problemsOf({ REDIS_CLUSTER_NODES: 'redis-a' })).toEqual([
      expect.stringMatching(/^REDIS_CLUSTER_NODES.*: expected host:port entries/),
    ]);
    expect(problemsOf({ REDIS_URL: 'redis://a:6379', REDIS_SENTINELS: 'b:26379' })).toEqual([
      'REDIS_SENTINELS: set only one of REDIS_URL, REDIS_SENTINELS, REDIS_CLUSTER_NODES',
    ]);
  });

  it('accepts Sentinel or Cluster in place of REDIS_URL in production', () => {
    expect(problemsOf({ ...production, REDIS_SENTINELS: 'a:26379' })).toEqual([]);
    expect(problemsOf({ ...production, REDIS_CLUSTER_NODES: 'a:7000' })).toEqual([]);
    expect(problemsOf(production)).toEqual([expect.stringMatching(/^REDIS_URL: required in production/)]);
  });

  it('uses the in-process store when none is set', () => {
    expect(isRedisConfigured(loadConfig({}).redis)).toBe(false);
  });

  it("builds ioredis' own Sentinel and Cluster clients, failing fast", () => {
    const sentinel = createRedisClient({ sentinels: [{ host: '127.0.0.1', port: 1 }], sentinelName: 'm' });
    const cluster = createRedisClient({ clusterNodes: [{ host: '127.0.0.1', port: 1 }], password: 'pw' });
    try {
      expect(sentinel).toBeInstanceOf(Redis);
      expect((sentinel as Redis).options).toMatchObject({ name: 'm', enableOfflineQueue: false, lazyConnect: true });
      expect(cluster).toBeInstanceOf(Cluster);
      expect((cluster as Cluster).options).toMatchObject({
        enableOfflineQueue: false,
        lazyConnect: true,
        redisOptions: { password: 'pw', commandTimeout: 800 },
      });
    } finally {
      sentinel.disconnect();
      cluster.disconnect();
    }
  });
});
