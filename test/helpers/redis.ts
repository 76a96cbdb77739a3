import { Redis } from 'ioredis';
import { TEST_REDIS_URL } from './services-env.js';

/** Runs `use` with a plain Redis client on the test server, to look behind a store's back. */
export async function withRedis<T>(use: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    return await use(redis);
  } finally {
    redis.disconnect();
  }
}

/** Every key matching a glob pattern (SCAN, never KEYS). */
export function redisKeys(pattern: string): Promise<string[]> {
  return withRedis(async (redis) => {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    return keys;
  });
}

/** Seconds a key has left to live (-2 when it does not exist, -1 when it never expires). */
export function redisTtl(key: string): Promise<number> {
  return withRedis((redis) => redis.ttl(key));
}

/** Deletes every key under a prefix. */
export async function clearRedisPrefix(prefix: string): Promise<void> {
  const keys = await redisKeys(`${prefix}*`);
  if (keys.length) await withRedis((redis) => redis.del(...keys));
}
