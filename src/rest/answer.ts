import type { FastifyInstance } from 'fastify';
import type { BusinessCode, RateLimitInfo } from '../errors.js';
import type { Metrics } from '../ops/metrics.js';

declare module 'fastify' {
  interface FastifyReply {
    /** The code of the envelope answered, for the metrics; null for an answer without one (401, 429). */
    envelopeCode: BusinessCode | null;
    /** What the route's throttle left, for the `X-RateLimit-*` headers. */
    rateLimit: RateLimitInfo | null;
  }
}

/**
 * What every REST answer carries or records, from one `onSend` hook of the scope: Laravel's
 * throttle headers, `no-store` (answers carry tokens and personal data), and the metrics by
 * route pattern (never the raw path, which a client chooses) and business code or status.
 */
export function restAnswers(app: FastifyInstance, metrics: Metrics): void {
  app.decorateReply('envelopeCode', null);
  app.decorateReply('rateLimit', null);
  app.addHook('onSend', (request, reply, payload, done) => {
    const limits = reply.rateLimit;
    if (limits && !reply.hasHeader('x-ratelimit-limit')) {
      reply.headers({ 'x-ratelimit-limit': limits.limit, 'x-ratelimit-remaining': limits.remaining });
    }
    reply.header('cache-control', 'no-store');
    metrics.record({
      transport: 'rest',
      operation: `${request.method} ${request.routeOptions.url ?? '(unmatched)'}`,
      outcome: String(reply.envelopeCode ?? reply.statusCode),
      seconds: reply.elapsedTime / 1000,
    });
    done(null, payload);
  });
}
