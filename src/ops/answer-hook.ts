import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Something every answer carries or records, done just before the answer is written. */
export type AnswerStep = (request: FastifyRequest, reply: FastifyReply) => void;

/**
 * Runs the steps on every answer from one `onSend` hook: Fastify adds a pass per request for
 * each kind of hook, so the steps share one instead of each taking a hook of its own
 * (onRequest, onSend, preSerialization, onResponse).
 */
export function onEveryAnswer(app: FastifyInstance, steps: readonly AnswerStep[]): void {
  app.addHook('onSend', (request, reply, payload, done) => {
    for (const step of steps) step(request, reply);
    done(null, payload);
  });
}
