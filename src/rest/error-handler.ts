import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import { answerError } from '../http/request-error.js';
import { logUnexpected } from '../ops/logger.js';
import { envelope, sendEnvelope } from './envelope.js';
import { expectsJson } from './expects-json.js';
import { echoedParams, requestParams, restFieldErrors } from './params.js';

const UNAUTHORIZED_PATH = '/api/unauthorized';

function throttled(failure: AppError, reply: FastifyReply): FastifyReply {
  const retryAfter = failure.details.retryAfter ?? 60;
  return reply
    .code(failure.status)
    .headers({
      'retry-after': retryAfter,
      'x-ratelimit-remaining': 0,
      'x-ratelimit-reset': Math.floor(Date.now() / 1000) + retryAfter,
    })
    .send({ message: 'Too Many Attempts.' });
}

/**
 * The one place REST failures become answers, as the legacy service gave them: the envelope with
 * the status of the code table (200 for a business error), Laravel's 401 (or its redirect) and
 * 429, and no detail of a server-side failure beyond its code.
 */
export function restErrorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const failure = answerError(error);
  reply.rateLimit = failure.details.rateLimit ?? null;
  switch (failure.kind) {
    case 'INVALID_INPUT':
      // `errors` is a fourth member of the envelope, beside `data`, as the legacy handler sent it:
      // inside `data` it would collide with a submitted parameter of that name.
      return sendEnvelope(reply, failure.status, {
        ...envelope(echoedParams(requestParams(request)), failure.legacyCode, failure.message),
        errors: restFieldErrors(failure.details.fieldErrors ?? {}),
      });
    case 'UNAUTHENTICATED':
    case 'REFRESH_EXPIRED':
      return expectsJson(request)
        ? reply.code(failure.status).send({ message: 'Unauthenticated.' })
        : reply.redirect(UNAUTHORIZED_PATH, 302);
    case 'TOO_MANY_REQUESTS':
      return throttled(failure, reply);
    case 'MALFORMED_BODY':
    case 'PAYLOAD_TOO_LARGE':
    case 'UNSUPPORTED_MEDIA_TYPE':
      return sendEnvelope(reply, failure.status, envelope(null, failure.legacyCode, failure.message));
    default:
      if (failure.unexpected) {
        logUnexpected(request.log, failure, 'request failed');
        return sendEnvelope(reply, failure.status, envelope(null, failure.legacyCode));
      }
      return sendEnvelope(reply, failure.status, envelope(null, failure.legacyCode, failure.zh));
  }
}

/** An unknown path under /api. */
export function restNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return restErrorHandler(new AppError('ROUTE_NOT_FOUND'), request, reply);
}
