import { LRUCache } from 'lru-cache';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { AppError } from '../errors.js';
import { limiterCounter } from './counter.js';
import type { FieldWrite, KeyValueStore } from './store.js';

interface Hash {
  fields: Map<string, string>;
  /** Unix milliseconds. */
  expiresAt: number;
}

const PURGE_EVERY_MS = 60_000;

/**
 * The embedded mode's store, for one process. Plain entries (captchas, locks) expire by TTL and
 * the oldest are evicted past `max`; hashes (revocations) are never evicted, only expired: losing
 * one early would bring a revoked token back.
 */
export function createMemoryStore(max = 100_000): KeyValueStore {
  const cache = new LRUCache<string, string>({ max, ttlAutopurge: true });
  const forever = new Map<string, string>();
  const hashes = new Map<string, Hash>();
  const purge = setInterval(() => {
    const now = Date.now();
    for (const [key, hash] of hashes) if (hash.expiresAt <= now) hashes.delete(key);
  }, PURGE_EVERY_MS).unref();

  const liveHash = (key: string): Hash | undefined => {
    const hash = hashes.get(key);
    if (hash && hash.expiresAt <= Date.now()) {
      hashes.delete(key);
      return undefined;
    }
    return hash;
  };
  const write = ({ key, field, value, keepUntil }: FieldWrite, ifAbsent: boolean): boolean => {
    const hash = liveHash(key) ?? { fields: new Map<string, string>(), expiresAt: 0 };
    hashes.set(key, hash);
    hash.expiresAt = Math.max(hash.expiresAt, keepUntil * 1000);
    if (ifAbsent && hash.fields.has(field)) return false;
    hash.fields.set(field, value);
    return true;
  };

  return {
    kind: 'memory',
    async get(key) {
      return cache.get(key) ?? forever.get(key) ?? null;
    },
    async set(key, value, ttlSeconds) {
      if (ttlSeconds === undefined) forever.set(key, value);
      else cache.set(key, value, { ttl: ttlSeconds * 1000 });
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
    async readFields(key, fields, marker) {
      const hash = liveHash(key);
      return {
        marker: forever.get(marker) ?? cache.get(marker) ?? null,
        values: fields.map((field) => hash?.fields.get(field) ?? null),
      };
    },
    async writeField(entry, { ifAbsent = false } = {}) {
      return write(entry, ifAbsent);
    },
    async writeFields(entries) {
      for (const entry of entries) write(entry, false);
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
      clearInterval(purge);
      cache.clear();
      forever.clear();
      hashes.clear();
    },
  };
}
