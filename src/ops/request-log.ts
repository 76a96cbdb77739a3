import type { FastifyInstance } from 'fastify';
import type { AnswerStep } from './answer-hook.js';

/**
 * One line per request at info, written as its answer goes out: the request (method, redacted
 * URL, client address), the status and the time taken. Fastify's own request logging writes two
 * (arrival and completion); at thousands of requests a second the second line cost about a tenth
 * of the CPU of an authenticated request.
 */
export const logAnswer: AnswerStep = (request, reply) => {
  request.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
};

/** At debug and below, each request's arrival too, as Fastify logs it: a request that never ends shows. */
export function logArrivals(app: FastifyInstance): void {
  if (app.log.level !== 'debug' && app.log.level !== 'trace') return;
  app.addHook('onRequest', (request, _reply, done) => {
    request.log.debug({ req: request }, 'incoming request');
    done();
  });
}
