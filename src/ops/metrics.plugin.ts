import type { FastifyInstance } from 'fastify';
import type { PasswordHasher } from '../auth/password-hasher.js';
import { createMetrics, type Metrics } from './metrics.js';

/** `GET /metrics` in Prometheus' text format. */
export function registerMetrics(app: FastifyInstance, hasher: PasswordHasher): Metrics {
  const metrics = createMetrics(hasher);
  app.addHook('onClose', async () => metrics.close());
  app.get('/metrics', async (_request, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
  return metrics;
}
