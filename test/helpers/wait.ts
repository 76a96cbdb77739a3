import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `condition` (a throw counts as false) until it holds, then resolves with the milliseconds
 * waited; rejects once `timeoutMs` has passed.
 */
export async function waitUntil(
  condition: () => Promise<boolean>,
  { timeoutMs, intervalMs = 100, what = 'the condition' }: { timeoutMs: number; intervalMs?: number; what?: string },
): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (await condition().catch(() => false)) return performance.now() - started;
    await sleep(intervalMs);
  }
  throw new Error(`${what} did not hold within ${timeoutMs} ms`);
}
