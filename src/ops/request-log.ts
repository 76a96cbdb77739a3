import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';

/**
 * One line per request at info, written once it is answered: the request (method, redacted URL,
 * client address), the status and the time taken. Fastify writes two (arrival and completion),
 * and at thousands of requests a second each line is a visible share of an authenticated
 * request's CPU. Its arrival is logged at debug, so a request that never ends still shows there. Fastify's other request lines (errors, streams) are kept as they are.
 */
export class OneLinePerRequest extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = { req: request, res: reply, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}
