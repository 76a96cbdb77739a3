import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';

/**
 * Collects the routes registered after it in this scope into an OpenAPI 3 document, from the
 * same schemas the routes declare.
 */
export async function registerOpenapi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'storegate legacy REST API',
        version: '1.0.0',
        description:
          'The REST API of the legacy service, kept for its clients. Business outcomes, errors included, ' +
          'are HTTP 200 with `{data, code, msg}`; see GET /api/response_code for the codes.',
      },
      tags: [{ name: 'legacy', description: 'The documented legacy routes' }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          tokenQuery: { type: 'apiKey', in: 'query', name: 'token' },
        },
      },
    },
  });
}
