import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Metrics } from './metrics.js';

const REST_PREFIX = '/api/';

/** The legacy envelope's business code, when the answer is one (read before serialisation). */
function envelopeCode(payload: unknown): string | undefined {
  const code = (payload as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? String(code) : undefined;
}

/** Fastify builds `routeOptions` afresh on every read: read it once. */
function isRest(request: FastifyRequest, route = request.routeOptions.url): boolean {
  return route ? route.startsWith(REST_PREFIX) : request.url.startsWith(REST_PREFIX);
}

/**
 * Records each REST answer under its route pattern (never the raw path, which a client chooses)
 * and its business code, or its HTTP status when it has none (401, 429, a redirect).
 */
export function recordRestAnswers(app: FastifyInstance, metrics: Metrics): void {
  const codes = new WeakMap<FastifyRequest, string>();
  app.addHook('preSerialization', (request, _reply, payload, done) => {
    const code = isRest(request) ? envelopeCode(payload) : undefined;
    if (code) codes.set(request, code);
    done(null, payload);
  });
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url;
    if (isRest(request, route)) {
      metrics.record({
        transport: 'rest',
        operation: `${request.method} ${route ?? '(unmatched)'}`,
        outcome: codes.get(request) ?? String(reply.statusCode),
        seconds: reply.elapsedTime / 1000,
      });
    }
    done();
  });
}
