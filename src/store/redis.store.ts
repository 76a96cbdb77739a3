import { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { limiterCounter } from './counter.js';
import type { KeyValueStore } from './store.js';

export interface RedisOptions {
  url: string;
  keyPrefix: string;
}

/**
 * Commands fail at once while Redis is down (no offline queue), so requests answer 503 quickly
 * and token checks fail closed; the client keeps reconnecting in the background.
 */
export function createRedisClient({ url }: RedisOptions): Redis {
  return new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    commandTimeout: 2000,
    retryStrategy: (times) => Math.min(100 * times, 1000),
  });
}

export async function createRedisStore(options: RedisOptions): Promise<KeyValueStore> {
  const redis = createRedisClient(options);
  redis.on('error', () => {
    // Reconnection is automatic and each failed command reports its own error.
  });
  await redis.connect();
  const prefix = options.keyPrefix;
  return {
    kind: 'redis',
    async get(key) {
      return redis.get(prefix + key);
    },
    async set(key, value, ttlSeconds) {
      await redis.set(prefix + key, value, 'EX', ttlSeconds);
    },
    async setIfAbsent(key, value, ttlSeconds) {
      return (await redis.set(prefix + key, value, 'EX', ttlSeconds, 'NX')) === 'OK';
    },
    async take(key) {
      return redis.getdel(prefix + key);
    },
    async delete(key) {
      await redis.del(prefix + key);
    },
    counter({ name, limit, windowSeconds }) {
      const limiter = new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${prefix}${name}`,
        points: limit,
        duration: windowSeconds,
        rejectIfRedisNotReady: true,
      });
      return limiterCounter(limiter, limit);
    },
    async ping() {
      await redis.ping();
    },
    async close() {
      redis.disconnect();
    },
  };
}
