import type { AnswerStep } from './answer-hook.js';
import type { Metrics } from './metrics.js';

const REST_PREFIX = '/api/';

/**
 * Records each REST answer under its route pattern (never the raw path, which a client chooses)
 * and its envelope's business code, or its HTTP status when it has none (401, 429, a redirect).
 */
export function recordRestAnswers(metrics: Metrics): AnswerStep {
  return (request, reply) => {
    if (!request.url.startsWith(REST_PREFIX)) return;
    metrics.record({
      transport: 'rest',
      operation: `${request.method} ${request.routeOptions.url ?? '(unmatched)'}`,
      outcome: String(reply.envelopeCode ?? reply.statusCode),
      seconds: reply.elapsedTime / 1000,
    });
  };
}
