import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthService, ClientContext } from '../auth/auth.service.js';
import type { Config } from '../config.js';
import { BUSINESS_CODES } from '../errors.js';
import { legacyClient } from './client.js';
import { type Envelope, envelope, success } from './envelope.js';
import { type Params, requestParams, serviceInput } from './params.js';
import { legacyPayloads } from './payloads.js';
import { LOGIN_PARAMS, REGISTER_PARAMS, routeSchemas as schemas } from './schemas.js';

export interface RestDependencies {
  config: Config;
  auth: AuthService;
}

type Action = (params: Params, client: ClientContext) => Promise<Envelope>;

/** A route answering an envelope, its code noted for the metrics. */
const answering =
  (produce: (request: FastifyRequest) => Promise<Envelope>) => async (request: FastifyRequest, reply: FastifyReply) => {
    const answer = await produce(request);
    reply.envelopeCode = answer.code;
    return answer;
  };

/** Reads the parameters and the client, then runs the one service call of the route. */
const handle = (action: Action) =>
  answering(async (request) => {
    const params = requestParams(request);
    return action(params, legacyClient(request, params));
  });

const REGISTER_FIELDS = Object.keys(REGISTER_PARAMS);
const LOGIN_FIELDS = Object.keys(LOGIN_PARAMS);

/** The legacy routes, relative to /api: each reads its input, calls one service method, shapes the envelope. */
export function restRoutes(app: FastifyInstance, { config, auth }: RestDependencies): void {
  const legacy = legacyPayloads(config.appTimezone);

  app.get(
    '/response_code',
    { schema: schemas.responseCode },
    answering(async () => success(BUSINESS_CODES)),
  );

  app.post(
    '/captchas',
    { schema: schemas.captchas },
    handle(async (params, client) => success(legacy.captcha(await auth.requestCaptcha(params.username, client)))),
  );

  app.post(
    '/auth/register',
    { schema: schemas.register },
    handle(async (params, client) => {
      const { user, token } = await auth.register(serviceInput(params, REGISTER_FIELDS), client);
      return success({ ...legacy.user(user), ...legacy.token(token) });
    }),
  );

  app.post(
    '/auth/login',
    { schema: schemas.login },
    handle(async (params, client) =>
      success(legacy.token((await auth.login(serviceInput(params, LOGIN_FIELDS), client)).token)),
    ),
  );

  app.delete(
    '/auth/logout',
    { schema: schemas.logout },
    handle(async (_params, client) => {
      await auth.logout(client);
      return success(null, '注销成功');
    }),
  );

  app.put(
    '/auth/refresh',
    { schema: schemas.refresh },
    handle(async (_params, client) => success(legacy.token((await auth.refresh(client)).token))),
  );

  app.get(
    '/auth/me',
    { schema: schemas.me },
    handle(async (_params, client) => success(legacy.user(await auth.me(client)))),
  );

  app.get(
    '/unauthorized',
    { schema: schemas.unauthorized },
    answering(async () => envelope(null, 40005, '授权过期')),
  );

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
