import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../ops/metrics.js';
import { restAnswers } from './answer.js';
import { legacyContentTypes } from './content-types.js';
import { restErrorHandler, restNotFound } from './error-handler.js';
import { registerOpenapi } from './openapi.js';
import { type RestDependencies, restRoutes } from './routes.js';

export interface RestTransportOptions extends RestDependencies {
  metrics: Metrics;
}

/**
 * The legacy REST transport, an encapsulated plugin registered under /api: its body parsing,
 * schemas that only document, its routes and their OpenAPI, and its own answers to failures and
 * unknown paths. Nothing here reaches outside /api.
 */
export async function restTransport(app: FastifyInstance, { metrics, ...deps }: RestTransportOptions): Promise<void> {
  // A 200 answer is a success or a business-error envelope: the schemas must neither reject input
  // (the services do, in Laravel's words) nor reshape the answer.
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.setErrorHandler(restErrorHandler);
  app.setNotFoundHandler(restNotFound);
  restAnswers(app, metrics);
  await legacyContentTypes(app);
  await registerOpenapi(app);
  restRoutes(app, deps);
}
