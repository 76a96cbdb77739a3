import type { FastifyInstance } from 'fastify';
import type { AnswerStep } from '../ops/answer-hook.js';

/**
 * Once the app starts closing, every answer carries `Connection: close`, so a keep-alive client
 * (a load balancer, say) lets go of its connection after its last request instead of holding
 * the server open until the shutdown grace period runs out. Idle connections are closed by the
 * server itself, and new requests get Fastify's 503.
 */
export function closeConnectionsWhenClosing(app: FastifyInstance): AnswerStep {
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  return (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  };
}
