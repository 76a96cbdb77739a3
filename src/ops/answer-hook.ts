import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Something every answer carries or records, done just before the answer is written. */
export type AnswerStep = (request: FastifyRequest, reply: FastifyReply) => void;

/**
 * Runs the steps on every answer from one `onSend` hook. Fastify adds a pass per request for
 * each kind of hook: with these steps as hooks of their own (onRequest, onSend,
 * preSerialization, onResponse), an authenticated REST request cost about 3 % more CPU.
 */
export function onEveryAnswer(app: FastifyInstance, steps: readonly AnswerStep[]): void {
  app.addHook('onSend', (request, reply, payload, done) => {
    for (const step of steps) step(request, reply);
    done(null, payload);
  });
}
