import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AnswerStep } from './answer-hook.js';

/** What a caller's (or a proxy's) id may look like: short, printable, one token. */
const PLAIN_ID = /^[\w.:@+=/-]{1,128}$/;

/**
 * Keeps an incoming `x-request-id`, so one id follows a request through the load balancer and
 * every instance, unless it could flood or garble the log; otherwise a fresh UUID.
 */
export function requestId(request: IncomingMessage): string {
  const incoming = request.headers['x-request-id'];
  return typeof incoming === 'string' && PLAIN_ID.test(incoming) ? incoming : randomUUID();
}

/** Answers with the id, so a client can quote it when it reports a problem. */
export const echoRequestId: AnswerStep = (request, reply) => {
  reply.header('x-request-id', request.id);
};
