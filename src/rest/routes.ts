import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthService } from '../auth/auth.service.js';
import type { ClientContext } from '../auth/client.js';
import type { Limited } from '../auth/throttle.service.js';
import type { Config } from '../config.js';
import { BUSINESS_CODES } from '../errors.js';
import { clientContext } from '../http/client-context.js';
import type { SessionService } from '../sessions/session.service.js';
import { type Envelope, envelope, success } from './envelope.js';
import { type Params, presentedToken, requestParams, serviceInput } from './params.js';
import { legacyPayloads } from './payloads.js';
import { LOGIN_PARAMS, REGISTER_PARAMS, routeSchemas as schemas } from './schemas.js';

export interface RestDependencies {
  config: Config;
  auth: AuthService;
  sessions: SessionService;
}

/** A route answering an envelope, its code noted for the metrics. */
const answering =
  (produce: (request: FastifyRequest, reply: FastifyReply) => Promise<Envelope>) =>
  async (request: FastifyRequest, reply: FastifyReply) => {
    const answer = await produce(request, reply);
    reply.envelopeCode = answer.code;
    return answer;
  };

/**
 * Reads the parameters and the client (its token where jwt-auth looked for it), runs the one
 * service call of the route, and shapes its value; what the throttle left goes in the headers.
 */
const handle = <T>(
  call: (params: Params, client: ClientContext) => Promise<Limited<T>>,
  shape: (value: T) => Envelope,
) =>
  answering(async (request, reply) => {
    const params = requestParams(request);
    const { value, rateLimit } = await call(params, clientContext(request, presentedToken(request, params)));
    reply.rateLimit = rateLimit;
    return shape(value);
  });

/** The legacy routes, relative to /api: each reads its input, calls one service method, shapes the envelope. */
export function restRoutes(app: FastifyInstance, { config, auth, sessions }: RestDependencies): void {
  const legacy = legacyPayloads(config.appTimezone);

  app.get(
    '/response_code',
    { schema: schemas.responseCode },
    answering(async () => success(BUSINESS_CODES)),
  );

  app.post(
    '/captchas',
    { schema: schemas.captchas },
    handle(
      (_params, client) => auth.requestCaptcha(client),
      (captcha) => success(legacy.captcha(captcha)),
    ),
  );

  app.post(
    '/auth/register',
    { schema: schemas.register },
    handle(
      (params, client) => auth.register(serviceInput(params, REGISTER_PARAMS), client),
      ({ user, token }) => success({ ...legacy.user(user), ...legacy.token(token) }),
    ),
  );

  app.post(
    '/auth/login',
    { schema: schemas.login },
    handle(
      (params, client) => auth.login(serviceInput(params, LOGIN_PARAMS), client),
      ({ token }) => success(legacy.token(token)),
    ),
  );

  app.delete(
    '/auth/logout',
    { schema: schemas.logout },
    handle(
      (_params, client) => sessions.logout(client),
      () => success(null, '注销成功'),
    ),
  );

  app.put(
    '/auth/refresh',
    { schema: schemas.refresh },
    handle(
      (_params, client) => sessions.refresh(client),
      ({ token }) => success(legacy.token(token)),
    ),
  );

  app.get(
    '/auth/me',
    { schema: schemas.me },
    handle(
      (_params, client) => sessions.me(client),
      (user) => success(legacy.user(user)),
    ),
  );

  app.get(
    '/unauthorized',
    { schema: schemas.unauthorized },
    answering(async () => envelope(null, 40005, '授权过期')),
  );

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
