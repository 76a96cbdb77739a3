import type { FastifyReply, FastifyRequest } from 'fastify';
import { answerError } from '../http/request-error.js';
import { logUnexpected } from '../ops/logger.js';

/**
 * Every failure of /auth/verify and its JWKS, mapped in this one place. A proxy reads only the
 * status, so it is never a redirect (nginx's auth_request turns one into a 500) and never the
 * legacy envelope; the body is a short JSON message for a person reading the answer.
 */
export function forwardAuthErrorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  reply.header('cache-control', 'no-store');
  const failure = answerError(error);
  const limits = failure.details.rateLimit;
  if (limits) reply.headers({ 'x-ratelimit-limit': limits.limit, 'x-ratelimit-remaining': limits.remaining });
  switch (failure.kind) {
    case 'UNAUTHENTICATED':
    case 'REFRESH_EXPIRED':
      // RFC 6750 §3; nginx passes this header on with its own 401.
      return reply.code(401).header('www-authenticate', 'Bearer').send({ message: 'Unauthenticated.' });
    case 'FORBIDDEN':
      return reply.code(403).send({ message: 'Forbidden.' });
    case 'TOO_MANY_REQUESTS': {
      const retryAfter = failure.details.retryAfter ?? 60;
      return reply
        .code(429)
        .headers({ 'retry-after': retryAfter, 'x-ratelimit-reset': Math.floor(Date.now() / 1000) + retryAfter })
        .send({ message: 'Too Many Attempts.' });
    }
    case 'SERVICE_UNAVAILABLE':
      logUnexpected(request.log, failure, 'request failed');
      return reply.code(503).send({ message: 'Service Unavailable.' });
    case 'INTERNAL':
      logUnexpected(request.log, failure, 'request failed');
      return reply.code(500).send({ message: 'Server Error.' });
    default:
      // Fastify's own verdicts on the request (a malformed URL, say): the client's fault, said as such.
      return reply.code(failure.status === 200 ? 400 : failure.status).send({ message: failure.message });
  }
}
