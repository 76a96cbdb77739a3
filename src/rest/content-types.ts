import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';

/**
 * JSON and form-urlencoded bodies. The documented requests declare JSON and send no body, which
 * Fastify's own JSON parser rejects: an empty body here means no body parameters.
 */
export async function legacyContentTypes(app: FastifyInstance): Promise<void> {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (text.trim() === '') done(null, undefined);
    else parseJson(request, text, done);
  });
  await app.register(formbody);
}
