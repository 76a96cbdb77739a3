import type { FastifyReply, FastifyRequest } from 'fastify';
import { requireRoles } from '../auth/roles.js';
import { bearerToken, clientContext } from '../http/client-context.js';
import type { SessionService } from '../sessions/session.service.js';
import type { Identity } from './identity-token.js';

const AUTHORIZATION = 'authorization';

/**
 * The bearer token of the one `Authorization` header. Node keeps the first of several and drops
 * the rest; a request that sends more than one is ambiguous (a proxy may have read another), so
 * it presents no token.
 */
function presentedBearer(request: FastifyRequest): string | undefined {
  const raw = request.raw.rawHeaders;
  let seen = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.length === AUTHORIZATION.length && name.toLowerCase() === AUTHORIZATION) seen++;
  }
  return seen === 1 ? bearerToken(request) : undefined;
}

/** `?role=R`, once or repeated: the user must hold every one named. */
function requiredRoles(query: unknown): string[] {
  const role = (query as { role?: unknown } | null)?.role;
  if (role === undefined) return [];
  return (Array.isArray(role) ? role : [role]).map(String);
}

/**
 * Header values are Latin-1 at most; a legacy username may hold any letter. Percent-encoding
 * leaves the letters and digits of every registered name as they are.
 */
const headerText = (value: string): string => encodeURIComponent(value);

/**
 * `/auth/verify`: the caller's identity in headers and an empty 200, or the failure the error
 * handler maps. The checks are `me`'s, in the one service call.
 */
export function verifyHandler(sessions: SessionService, signIdentity?: (identity: Identity) => string) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    // `undefined` would have clientContext read the header itself: '' is no token.
    const { value, rateLimit } = await sessions.authenticate(clientContext(request, presentedBearer(request) ?? ''));
    const { user, session } = value;
    requireRoles(user, requiredRoles(request.query));
    // A legacy token's session is the one derived from it, the same on every instance.
    const identity: Identity = { sub: String(user.id), username: user.username, role: user.role, sid: session.id };
    if (rateLimit) {
      reply.headers({ 'x-ratelimit-limit': rateLimit.limit, 'x-ratelimit-remaining': rateLimit.remaining });
    }
    reply.headers({
      'cache-control': 'no-store',
      'x-auth-user-id': identity.sub,
      'x-auth-username': headerText(user.username),
      'x-auth-role': headerText(user.role),
      'x-auth-session-id': session.id,
    });
    if (signIdentity) reply.header('x-auth-identity', signIdentity(identity));
    return reply.code(200).send();
  };
}
