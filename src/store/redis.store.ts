import { type RedisOptions as ClientOptions, Cluster, Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import type { RedisNode } from '../config.js';
import { limiterCounter } from './counter.js';
import { redisFailure } from './redis-failure.js';
import type { FieldWrite, KeyValueStore } from './store.js';

/** One server by URL, or a master found through Sentinel, or a Cluster: set one of the three. */
export interface RedisOptions {
  url?: string;
  sentinels?: readonly RedisNode[];
  sentinelName?: string;
  clusterNodes?: readonly RedisNode[];
  password?: string;
  keyPrefix: string;
}

export function isRedisConfigured({ url, sentinels, clusterNodes }: Omit<RedisOptions, 'keyPrefix'>): boolean {
  return Boolean(url || sentinels?.length || clusterNodes?.length);
}

const retryStrategy = (times: number) => Math.min(100 * times, 1000);

/**
 * Commands fail at once while Redis is down (no offline queue), so requests answer 503 quickly
 * and token checks fail closed; the client keeps reconnecting in the background. A Redis that
 * hangs with its connections open is caught by the command timeout instead: a request makes at
 * most two round trips before it gives up (a check, then the throttle counting the failure), so
 * two timeouts must fit in the 2 s within which a request must be answered when Redis is gone.
 */
const FAIL_FAST = {
  lazyConnect: true,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  connectTimeout: 2000,
  commandTimeout: 800,
} satisfies ClientOptions;

export function createRedisClient(options: Omit<RedisOptions, 'keyPrefix'>): Redis | Cluster {
  const { url, sentinels, sentinelName, clusterNodes, password } = options;
  if (clusterNodes?.length) {
    const { lazyConnect, enableOfflineQueue, ...nodeOptions } = FAIL_FAST;
    return new Cluster([...clusterNodes], {
      lazyConnect,
      enableOfflineQueue,
      clusterRetryStrategy: retryStrategy,
      redisOptions: { ...nodeOptions, password },
    });
  }
  if (sentinels?.length) {
    return new Redis({
      ...FAIL_FAST,
      sentinels: [...sentinels],
      name: sentinelName ?? 'mymaster',
      password,
      retryStrategy,
      sentinelRetryStrategy: retryStrategy,
    });
  }
  if (!url) throw new Error('createRedisClient: set url, sentinels or clusterNodes');
  return new Redis(url, { ...FAIL_FAST, retryStrategy });
}

/** How long the start waits for a Redis Cluster that is still forming or failing over. */
const CLUSTER_READY_TIMEOUT_MS = 10_000;

/**
 * A Cluster is connected once it says `ready`, not when `connect()` settles: when its first ready
 * check finds a node that does not report `cluster_state:ok` yet, ioredis reconnects and gets
 * ready by itself, but the promise of the first `connect()` never settles.
 */
function clusterReady(cluster: Cluster): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cluster.off('ready', onReady);
      reject(new Error(`the Redis Cluster was not ready within ${CLUSTER_READY_TIMEOUT_MS / 1000} s`));
    }, CLUSTER_READY_TIMEOUT_MS);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    cluster.once('ready', onReady);
    cluster.connect().catch(() => {
      // Retried by clusterRetryStrategy; `ready` or the timeout decides.
    });
  });
}

/** One round trip: the marker key, then fields of the hash. */
const READ_FIELDS = `
local values = redis.call('HMGET', KEYS[2], unpack(ARGV))
return { redis.call('GET', KEYS[1]), values }`;

/**
 * HSET (or HSETNX), then the hash's TTL extended, never shortened, to reach ARGV[3] (unix
 * seconds; ARGV[5] is now): a hash holds entries of several lifetimes.
 */
const WRITE_FIELD = `
local written = 1
if ARGV[4] == '1' then written = redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
else redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
local needed = tonumber(ARGV[3]) - tonumber(ARGV[5])
if redis.call('TTL', KEYS[1]) < needed then redis.call('EXPIRE', KEYS[1], needed) end
return written`;

/** Writes sent at once when many are restored; ioredis pipelines the commands of one tick. */
const WRITE_BATCH = 1000;

interface Scripts {
  sgReadFields(marker: string, key: string, ...fields: string[]): Promise<[string | null, (string | null)[]]>;
  sgWriteField(
    key: string,
    field: string,
    value: string,
    keepUntil: string,
    ifAbsent: string,
    now: string,
  ): Promise<number>;
}

/** The store's Lua scripts, sent by SHA once loaded (ioredis' defineCommand). */
function withScripts(redis: Redis | Cluster): Scripts {
  redis.defineCommand('sgReadFields', { numberOfKeys: 2, lua: READ_FIELDS });
  redis.defineCommand('sgWriteField', { numberOfKeys: 1, lua: WRITE_FIELD });
  return redis as unknown as Scripts;
}

export async function createRedisStore(options: RedisOptions): Promise<KeyValueStore> {
  const redis = createRedisClient(options);
  // Reconnection is automatic and each failed command reports its own error; the first
  // connection's error says why the start failed better than the rejection that follows it.
  let connectionError: unknown;
  redis.on('error', (err) => {
    connectionError ??= err;
  });
  try {
    await (redis instanceof Cluster ? clusterReady(redis) : redis.connect());
  } catch (err) {
    redis.disconnect();
    const cause = connectionError ?? err;
    throw new Error(`cannot reach Redis: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
  const prefix = options.keyPrefix;
  const scripts = withScripts(redis);
  const writeArgs = ({ key, field, value, keepUntil }: FieldWrite, ifAbsent: boolean) =>
    [
      prefix + key,
      field,
      value,
      String(keepUntil),
      ifAbsent ? '1' : '0',
      String(Math.floor(Date.now() / 1000)),
    ] as const;
  const guard = async <T>(command: Promise<T>): Promise<T> => {
    try {
      return await command;
    } catch (err) {
      throw redisFailure(err);
    }
  };
  return {
    kind: 'redis',
    get: (key) => guard(redis.get(prefix + key)),
    async set(key, value, ttlSeconds) {
      await guard(
        ttlSeconds === undefined ? redis.set(prefix + key, value) : redis.set(prefix + key, value, 'EX', ttlSeconds),
      );
    },
    async setIfAbsent(key, value, ttlSeconds) {
      return (await guard(redis.set(prefix + key, value, 'EX', ttlSeconds, 'NX'))) === 'OK';
    },
    take: (key) => guard(redis.getdel(prefix + key)),
    async readFields(key, fields, marker) {
      // A Cluster keeps the marker and the hash in different slots: two commands, sent together.
      const [markerValue, values] =
        redis instanceof Cluster
          ? await guard(Promise.all([redis.get(prefix + marker), redis.hmget(prefix + key, ...fields)]))
          : await guard(scripts.sgReadFields(prefix + marker, prefix + key, ...fields));
      return { marker: markerValue, values };
    },
    async writeField(write, { ifAbsent = false } = {}) {
      return (await guard(scripts.sgWriteField(...writeArgs(write, ifAbsent)))) === 1;
    },
    async writeFields(writes) {
      for (let i = 0; i < writes.length; i += WRITE_BATCH) {
        const batch = writes.slice(i, i + WRITE_BATCH);
        await guard(Promise.all(batch.map((write) => scripts.sgWriteField(...writeArgs(write, false)))));
      }
    },
    counter({ name, limit, windowSeconds }) {
      const limiter = new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${prefix}${name}`,
        points: limit,
        duration: windowSeconds,
        rejectIfRedisNotReady: true,
      });
      return limiterCounter(limiter, limit, redisFailure);
    },
    async ping() {
      await guard(redis.ping());
    },
    async close() {
      redis.disconnect();
    },
  };
}
