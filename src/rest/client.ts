import type { FastifyRequest } from 'fastify';
import type { ClientContext } from '../auth/auth.service.js';
import { clientContext } from '../client-context.js';
import type { AnswerStep } from '../ops/answer-hook.js';
import { type Params, presentedToken } from './params.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The REST request's client, kept so the answer can carry what the throttles left. */
    legacyClient: ClientContext | null;
  }
}

/** The services' view of a REST request: its IP, its URL and the token it presents. */
export function legacyClient(request: FastifyRequest, params: Params): ClientContext {
  const client = clientContext(request, presentedToken(request, params));
  request.legacyClient = client;
  return client;
}

/** Laravel's throttle middleware told every client its limit and what was left of it. */
export const rateLimitHeaders: AnswerStep = (request, reply) => {
  const limits = request.legacyClient?.rateLimit;
  if (limits && !reply.hasHeader('x-ratelimit-limit')) {
    reply.headers({ 'x-ratelimit-limit': limits.limit, 'x-ratelimit-remaining': limits.remaining });
  }
};
