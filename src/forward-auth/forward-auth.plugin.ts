import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import type { SessionService } from '../sessions/session.service.js';
import { identitySigner } from './identity-token.js';
import { JWKS_MAX_AGE_SECONDS, jwksBody } from './jwks.js';
import { verifyHandler } from './verify.route.js';
import { forwardAuthErrorHandler } from './verify-errors.js';

export interface ForwardAuthOptions {
  sessions: SessionService;
  identity: Config['identity'];
}

/**
 * For the reverse proxy in front of the store's other services: `/auth/verify` (any
 * method; `/auth/verify/*` too, for Envoy's `path_prefix`) and `/.well-known/jwks.json`, in a
 * scope of their own with their own error handler.
 */
export async function forwardAuth(app: FastifyInstance, { sessions, identity }: ForwardAuthOptions): Promise<void> {
  app.setErrorHandler(forwardAuthErrorHandler);
  // No body is read: a proxy may forward one, and a client's malformed one must not change the verdict.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => {
    payload.resume();
    done(null);
  });

  const { signingKey, audience, issuer } = identity;
  const verify = verifyHandler(sessions, signingKey && identitySigner({ key: signingKey, audience, issuer }));
  app.all('/auth/verify', verify);
  app.all('/auth/verify/*', verify);

  const jwks = jwksBody([signingKey, ...identity.previousKeys]);
  app.get('/.well-known/jwks.json', async (_request, reply) =>
    reply
      .headers({
        'content-type': 'application/json; charset=utf-8',
        'cache-control': `public, max-age=${JWKS_MAX_AGE_SECONDS}`,
      })
      .send(jwks),
  );
}
