import { LRUCache } from 'lru-cache';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { AppError } from '../errors.js';
import { limiterCounter } from './counter.js';
import type { KeyValueStore } from './store.js';

/** The embedded mode's store: one process, entries expire by TTL, the oldest are evicted past `max`. */
export function createMemoryStore(max = 100_000): KeyValueStore {
  const cache = new LRUCache<string, string>({ max, ttlAutopurge: true });
  return {
    kind: 'memory',
    async get(key) {
      return cache.get(key) ?? null;
    },
    async set(key, value, ttlSeconds) {
      cache.set(key, value, { ttl: ttlSeconds * 1000 });
    },
    async setIfAbsent(key, value, ttlSeconds) {
      if (cache.has(key)) return false;
      cache.set(key, value, { ttl: ttlSeconds * 1000 });
      return true;
    },
    async take(key) {
      const value = cache.get(key) ?? null;
      cache.delete(key);
      return value;
    },
    counter({ name, limit, windowSeconds }) {
      return limiterCounter(
        new RateLimiterMemory({ keyPrefix: name, points: limit, duration: windowSeconds }),
        limit,
        AppError.from,
      );
    },
    async ping() {},
    async close() {
      cache.clear();
    },
  };
}
