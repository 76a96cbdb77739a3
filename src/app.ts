import cors from '@fastify/cors';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Config } from './config.js';
import { AppError } from './errors.js';
import { forwardAuth } from './forward-auth/forward-auth.plugin.js';
import { graphqlTransport } from './graphql/graphql.plugin.js';
import { closeConnectionsWhenClosing } from './http/drain-connections.js';
import { rootHandlers } from './http/root-handlers.js';
import { httpServerFactory } from './http/server-factory.js';
import { onEveryAnswer } from './ops/answer-hook.js';
import { graphqlMetricsPlugin } from './ops/graphql-metrics.plugin.js';
import { dependencyChecks, healthRoutes } from './ops/health.routes.js';
import { type LoggerOptions, loggerOptions } from './ops/logger.js';
import { registerMetrics } from './ops/metrics.plugin.js';
import { echoRequestId, requestId } from './ops/request-id.js';
import { OneLinePerRequest } from './ops/request-log.js';
import { restTransport } from './rest/rest.plugin.js';
import { openServices, type Services } from './services.js';

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
  }
}

export interface BuildOptions {
  /** Pino options, or false for no output; defaults to the configured JSON logger. */
  logger?: LoggerOptions | false;
}

/** TRUST_PROXY: the proxies' addresses, or a hop count: trust that many hops nearest the socket. */
function trustProxy({ trustProxy: trust }: Config['http']): FastifyServerOptions['trustProxy'] {
  if (typeof trust === 'number') return (_address: string, hop: number) => hop < trust;
  return trust && [...trust];
}

/**
 * The composition root: the services on the database and the shared store, and the two
 * transports over them on one Fastify instance. Everything it opens is closed by `app.close()`.
 */
export async function buildApp(config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const services = await openServices(config, { failFast: true });
  try {
    return await composeApp(config, services, options);
  } catch (err) {
    await services.close();
    throw err;
  }
}

async function composeApp(config: Config, services: Services, options: BuildOptions): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    // Never Fastify's `false`: without a logger Fastify does not time its answers (reply.elapsedTime).
    logger: options.logger === false ? { level: 'silent' } : (options.logger ?? loggerOptions(config)),
    bodyLimit: config.http.bodyLimit,
    serverFactory: httpServerFactory(config.http.requestTimeoutSeconds),
    trustProxy: trustProxy(config.http),
    requestIdHeader: false,
    genReqId: requestId,
    return503OnClosing: true,
    logController: new OneLinePerRequest(),
  });
  app.decorate('services', services);
  app.addHook('onClose', () => services.close());
  // Failed logins take as long as checking the costliest stored hash: learn its cost in the background.
  services.database.users.highestHashCost().then(
    (cost) => cost !== null && services.hasher.expectCost(cost),
    (err: unknown) => app.log.warn({ err }, 'could not read the highest stored bcrypt cost'),
  );

  // Without origins CORS is off, and the plugin would still run a hook on every request.
  if (config.http.corsOrigins.length) await app.register(cors, { origin: [...config.http.corsOrigins] });
  const metrics = registerMetrics(app, services.hasher);
  services.audit.onWriteFailure((err, lost) => {
    metrics.auditWriteFailures(lost);
    app.log.error({ err: AppError.from(err).details.cause ?? err, lost }, 'audit entries could not be written');
  });
  services.audit.schedulePruning((err) => app.log.warn({ err }, 'pruning the audit log failed'));
  // A store that lost its revocations (or a new one) is restored before any token is trusted.
  await services.revocations.ensureIntact();
  onEveryAnswer(app, [echoRequestId, closeConnectionsWhenClosing(app)]);
  rootHandlers(app);
  await app.register(healthRoutes, { checks: dependencyChecks(services, config.db.kind) });
  await app.register(restTransport, {
    prefix: '/api',
    config,
    auth: services.auth,
    sessions: services.sessions,
    metrics,
  });
  await app.register(forwardAuth, { sessions: services.sessions, identity: config.identity });
  await app.register(graphqlTransport, { config, services, plugins: [graphqlMetricsPlugin(metrics)] });
  return app;
}
