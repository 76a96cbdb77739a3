import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../src/store/memory.store.js';
import { createRedisStore } from '../../src/store/redis.store.js';
import { clearRedisPrefix, redisKeys, withRedis } from '../helpers/redis.js';
import { TEST_REDIS_URL } from '../helpers/services-env.js';
import { storeContract } from '../helpers/store-contract.js';

const newPrefix = (): string => `sgtest:store:${randomBytes(4).toString('hex')}:`;

storeContract('memory', async () => {
  const store = createMemoryStore();
  return { store, dispose: () => store.close() };
});

storeContract('redis', async () => {
  const prefix = newPrefix();
  const store = await createRedisStore({ url: TEST_REDIS_URL, keyPrefix: prefix });
  return {
    store,
    async dispose() {
      await store.close();
      await clearRedisPrefix(prefix);
    },
  };
});

describe('redis store', () => {
  it('keeps every key, counters included, under its prefix', async () => {
    const prefix = newPrefix();
    const store = await createRedisStore({ url: TEST_REDIS_URL, keyPrefix: prefix });
    try {
      await store.set('plain', 'v', 60);
      await store.counter({ name: 'hits:', limit: 1, windowSeconds: 60 }).hit('client');
      expect(await withRedis((redis) => redis.get(`${prefix}plain`))).toBe('v');
      expect(await redisKeys(`${prefix}*`)).toHaveLength(2);
      expect(await redisKeys(`${prefix}hits:*`)).toHaveLength(1);
    } finally {
      await store.close();
      await clearRedisPrefix(prefix);
    }
  });
});
