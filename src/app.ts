import cors from '@fastify/cors';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Config } from './config.js';
import { createOrm, FAIL_FAST_MS, migrate } from './db/orm.js';
import { closeConnectionsWhenClosing } from './drain-connections.js';
import { forwardAuth } from './forward-auth/forward-auth.plugin.js';
import { registerGraphql } from './graphql/graphql.plugin.js';
import { onEveryAnswer } from './ops/answer-hook.js';
import { graphqlMetricsPlugin } from './ops/graphql-metrics.plugin.js';
import { dependencyChecks, healthRoutes } from './ops/health.routes.js';
import { type LoggerOptions, loggerOptions } from './ops/logger.js';
import { registerMetrics } from './ops/metrics.plugin.js';
import { echoRequestId, requestId } from './ops/request-id.js';
import { recordRestAnswers } from './ops/rest-metrics.js';
import { rateLimitHeaders } from './rest/client.js';
import { registerRest } from './rest/rest.plugin.js';
import { createServices, type Services } from './services.js';
import { createMemoryStore } from './store/memory.store.js';
import { createRedisStore, isRedisConfigured } from './store/redis.store.js';
import type { KeyValueStore } from './store/store.js';

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
  return typeof trust === 'number' ? (_address: string, hop: number) => hop < trust : trust;
}

export async function createStore(config: Config): Promise<KeyValueStore> {
  return isRedisConfigured(config.redis) ? createRedisStore(config.redis) : createMemoryStore();
}

/**
 * The composition root: database, shared store, services, GraphQL and REST on one Fastify
 * instance. Everything it opens is closed by `app.close()`.
 */
export async function buildApp(config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const orm = await createOrm(config.db, { queryTimeoutMs: FAIL_FAST_MS });
  if (config.db.kind === 'sqlite') await migrate(orm);
  const store = await createStore(config).catch(async (err) => {
    await orm.close();
    throw err;
  });
  const services = createServices(config, orm, store);

  const app: FastifyInstance = Fastify({
    // Never Fastify's `false`: without a logger Fastify does not time its answers (reply.elapsedTime).
    logger: options.logger === false ? { level: 'silent' } : (options.logger ?? loggerOptions(config)),
    bodyLimit: config.http.bodyLimit,
    trustProxy: trustProxy(config.http),
    requestIdHeader: false,
    genReqId: requestId,
    return503OnClosing: true,
  });
  app.decorate('services', services);
  app.addHook('onClose', async () => {
    await Promise.allSettled([services.hasher.close(), store.close(), orm.close()]);
  });

  // Without origins CORS is off, and the plugin would still run a hook on every request.
  if (config.http.corsOrigins.length) await app.register(cors, { origin: [...config.http.corsOrigins] });
  const metrics = registerMetrics(app, services.hasher);
  onEveryAnswer(app, [echoRequestId, closeConnectionsWhenClosing(app), rateLimitHeaders, recordRestAnswers(metrics)]);
  await app.register(healthRoutes, { checks: dependencyChecks(services, config.db.kind) });
  await registerRest(app, { config, auth: services.auth });
  await app.register(forwardAuth, { auth: services.auth, identity: config.identity });
  await registerGraphql(app, {
    config,
    auth: services.auth,
    invitations: services.invitations,
    plugins: [graphqlMetricsPlugin(metrics)],
  });
  return app;
}
