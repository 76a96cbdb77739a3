import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.js';
import { logUnexpected } from '../ops/logger.js';
import { envelope } from '../rest/envelope.js';
import { answerError } from './request-error.js';

/**
 * What answers outside both transports, in the legacy envelope (legacy clients reach every path
 * of the host): an unknown path is ROUTE_NOT_FOUND, a failure of the operational routes the
 * envelope of its code, its cause only in the log.
 */
export function rootHandlers(app: FastifyInstance): void {
  const notFound = new AppError('ROUTE_NOT_FOUND');
  app.setNotFoundHandler((_request, reply) =>
    reply.code(notFound.status).send(envelope(null, notFound.legacyCode, notFound.zh)),
  );
  app.setErrorHandler((error, request, reply) => {
    const failure = answerError(error);
    if (failure.unexpected) logUnexpected(request.log, failure, 'request failed');
    const answer = failure.unexpected
      ? envelope(null, failure.legacyCode)
      : envelope(null, failure.legacyCode, failure.message);
    return reply.code(failure.status).send(answer);
  });
}
