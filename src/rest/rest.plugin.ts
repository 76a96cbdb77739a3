import type { FastifyInstance } from 'fastify';
import { legacyContentTypes } from './content-types.js';
import { errorHandler, notFoundHandler } from './error-handler.js';
import { registerOpenapi } from './openapi.js';
import { type RestDependencies, restRoutes } from './routes.js';

/** The /api scope: legacy body parsing, schemas that only document, the routes and their OpenAPI. */
async function restScope(app: FastifyInstance, deps: RestDependencies): Promise<void> {
  // A 200 answer is a success or a business-error envelope: the schemas must neither reject input
  // (the services do, in Laravel's words) nor reshape the answer.
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  await legacyContentTypes(app);
  await registerOpenapi(app);
  restRoutes(app, deps);
}

/**
 * The legacy REST API under /api, and the root error and not-found handlers. Register it before
 * GraphQL: Fastify binds a route to the error handler of the moment it is added, and /graphql
 * needs the root handler for its body errors.
 */
export async function registerRest(app: FastifyInstance, deps: RestDependencies): Promise<void> {
  // Decorated at the root, so the answer steps read them on every request.
  app.decorateRequest('legacyClient', null);
  app.decorateReply('envelopeCode', null);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  await app.register(restScope, { prefix: '/api', ...deps });
}
