import type { FastifyRequest } from 'fastify';
import type { ClientContext } from '../auth/client.js';

/** The bearer token of the `Authorization` header, if any. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  return match?.[1];
}

/** As much of a user agent as sessions and the audit log keep. */
const USER_AGENT_MAX = 255;

/**
 * Who is asking, for the services. `request.ip` is the socket's address, or the forwarded hop
 * that TRUST_PROXY allows (Fastify's trustProxy), so a client cannot choose its own IP. The URL
 * (a token's `iss`) has no query string, like Laravel's `$request->url()`: legacy clients send
 * their passwords there.
 */
export function clientContext(request: FastifyRequest, token = bearerToken(request)): ClientContext {
  const userAgent = request.headers['user-agent']?.slice(0, USER_AGENT_MAX) ?? null;
  return {
    ip: request.ip,
    // Only an issued token needs it, and most requests issue none.
    get url() {
      return `${request.protocol}://${request.host}${request.url.split('?', 1)[0]}`;
    },
    token,
    userAgent,
  };
}
