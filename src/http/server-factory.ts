import { createServer, type RequestListener, type Server } from 'node:http';

/** Fastify's own default: longer than the idle timeout of common load balancers (60 s). */
const KEEP_ALIVE_TIMEOUT_MS = 72_000;

/**
 * The HTTP server under Fastify, made here because Node checks its request timeout only every
 * `connectionsCheckingInterval` (30 s unless given at creation): a client whose headers or body
 * have not all arrived within the timeout is answered 408 and disconnected within a second of it.
 */
export function httpServerFactory(requestTimeoutSeconds: number) {
  const timeoutMs = requestTimeoutSeconds * 1000;
  return (handler: RequestListener): Server =>
    createServer(
      {
        requestTimeout: timeoutMs,
        headersTimeout: timeoutMs,
        connectionsCheckingInterval: Math.min(1000, timeoutMs),
        keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
      },
      handler,
    );
}
