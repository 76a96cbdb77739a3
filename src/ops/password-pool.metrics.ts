import { Gauge, type Registry } from 'prom-client';
import type { PasswordHasher } from '../auth/password-hasher.js';

const QUANTILES = [
  ['0.5', 'p50'],
  ['0.9', 'p90'],
  ['0.99', 'p99'],
] as const;

/** The bcrypt worker pool, read at each scrape: a growing queue means more cores or instances are due. */
export function passwordPoolMetrics(registry: Registry, hasher: PasswordHasher): void {
  new Gauge({
    name: 'storegate_password_queue_length',
    help: 'Password hashes and checks waiting for a free worker thread.',
    registers: [registry],
    collect() {
      this.set(hasher.queueSize);
    },
  });
  new Gauge({
    name: 'storegate_password_queue_wait_seconds',
    help: 'Time password tasks waited for a free worker thread since start, by quantile.',
    labelNames: ['quantile'] as const,
    registers: [registry],
    collect() {
      const waited = hasher.waitTime;
      for (const [quantile, key] of QUANTILES) this.set({ quantile }, waited[key] / 1000);
    },
  });
}
