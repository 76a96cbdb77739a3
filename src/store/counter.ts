import { type RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import type { AppError } from '../errors.js';
import type { Counter, CounterState } from './store.js';

function state(res: RateLimiterRes | null, limit: number): CounterState {
  const count = res?.consumedPoints ?? 0;
  const retryAfter = res ? Math.max(1, Math.ceil(res.msBeforeNext / 1000)) : 0;
  return { allowed: count <= limit, count, remaining: Math.max(0, limit - count), retryAfter };
}

/** Adapts a rate-limiter-flexible limiter (Redis or memory) to the Counter interface. */
export function limiterCounter(
  limiter: RateLimiterAbstract,
  limit: number,
  failure: (err: unknown) => AppError,
): Counter {
  const guard = async <T>(work: Promise<T>): Promise<T> => {
    try {
      return await work;
    } catch (err) {
      throw failure(err);
    }
  };
  return {
    async hit(key) {
      try {
        return state(await limiter.consume(key), limit);
      } catch (err) {
        if (err instanceof RateLimiterRes) return state(err, limit);
        throw failure(err);
      }
    },
    peek: async (key) => state(await guard(limiter.get(key)), limit),
    async lock(key, seconds) {
      await guard(limiter.block(key, seconds));
    },
    async reset(key) {
      await guard(limiter.delete(key));
    },
  };
}
