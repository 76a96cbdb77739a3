import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { type AppError, loggableCause, toAppError } from '../errors.js';
import { envelope, sendEnvelope } from './envelope.js';
import { expectsJson } from './expects-json.js';
import { echoedParams, requestParams, restFieldErrors } from './params.js';

const UNAUTHORIZED_PATH = '/api/unauthorized';
const GRAPHQL_PATH = '/graphql';

type ClientError = Error & { statusCode: number };

/** Fastify's own verdicts on the request: unparseable or oversized body, unsupported content type. */
function asClientError(error: unknown): ClientError | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return error instanceof Error && typeof status === 'number' && status >= 400 && status < 500
    ? (error as ClientError)
    : undefined;
}

/** A dependency outage (503) or a bug (500): logged with its cause, answered without details. */
function unexpectedStatus(failure: AppError, request: FastifyRequest): number {
  request.log.error({ err: loggableCause(failure), code: failure.graphqlCode }, 'request failed');
  return failure.kind === 'SERVICE_UNAVAILABLE' ? 503 : 500;
}

function throttled(failure: AppError, reply: FastifyReply): FastifyReply {
  const retryAfter = failure.details.retryAfter ?? 60;
  if (failure.details.limit !== undefined) reply.header('x-ratelimit-limit', failure.details.limit);
  return reply
    .code(429)
    .headers({
      'retry-after': retryAfter,
      'x-ratelimit-remaining': 0,
      'x-ratelimit-reset': Math.floor(Date.now() / 1000) + retryAfter,
    })
    .send({ message: 'Too Many Attempts.' });
}

/** The legacy answers of SPEC §5: the envelope with HTTP 200 for business errors, and the exceptions. */
function restAnswer(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const clientError = asClientError(error);
  if (clientError) return sendEnvelope(reply, clientError.statusCode, envelope(null, 10001, clientError.message));
  const failure = toAppError(error);
  switch (failure.kind) {
    case 'INVALID_INPUT':
      // `errors` is a fourth member of the envelope, beside `data`, as the legacy handler sent it:
      // inside `data` it would collide with a submitted parameter of that name.
      return sendEnvelope(reply, 200, {
        ...envelope(echoedParams(requestParams(request)), 10001, failure.message),
        errors: restFieldErrors(failure.details.fieldErrors ?? {}),
      });
    case 'UNAUTHENTICATED':
    case 'REFRESH_EXPIRED':
      return expectsJson(request)
        ? reply.code(401).send({ message: 'Unauthenticated.' })
        : reply.redirect(UNAUTHORIZED_PATH, 302);
    case 'TOO_MANY_REQUESTS':
      return throttled(failure, reply);
    case 'SERVICE_UNAVAILABLE':
    case 'INTERNAL':
      return sendEnvelope(reply, unexpectedStatus(failure, request), envelope(null, failure.legacyCode));
    default:
      return sendEnvelope(reply, 200, envelope(null, failure.legacyCode, failure.zh));
  }
}

/** Only the body errors Fastify raises before Apollo sees the request reach here from /graphql. */
function graphqlAnswer(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const clientError = asClientError(error);
  if (clientError) {
    const code = clientError.statusCode === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_USER_INPUT';
    return reply
      .code(clientError.statusCode)
      .send({ errors: [{ message: clientError.message, extensions: { code, legacyCode: 10001 } }] });
  }
  const failure = toAppError(error);
  const extensions = { code: failure.graphqlCode, legacyCode: failure.legacyCode };
  return reply.code(unexpectedStatus(failure, request)).send({ errors: [{ message: failure.message, extensions }] });
}

/** The root error handler: every failure becomes a clean JSON answer, never a stack trace. */
export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return request.routeOptions.url === GRAPHQL_PATH
    ? graphqlAnswer(error, request, reply)
    : restAnswer(error, request, reply);
}

/** Every unknown path, inside /api or not, answers the legacy 404 envelope. */
export function notFoundHandler(_request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendEnvelope(reply, 404, envelope(null, 40004));
}
