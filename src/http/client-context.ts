import type { FastifyRequest } from 'fastify';
import type { ClientContext } from '../auth/auth.service.js';

/** The bearer token of the `Authorization` header, if any. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  return match?.[1];
}

/**
 * Who is asking, for the services. `request.ip` is the socket's address, or the forwarded hop
 * that TRUST_PROXY allows (Fastify's trustProxy), so a client cannot choose its own IP. The URL
 * (a token's `iss`) has no query string, like Laravel's `$request->url()`: legacy clients send
 * their passwords there.
 */
export function clientContext(request: FastifyRequest, token = bearerToken(request)): ClientContext {
  const path = request.url.split('?', 1)[0];
  return { ip: request.ip, url: `${request.protocol}://${request.host}${path}`, token };
}
