import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';

/**
 * PHP's json_decode reads no deeper by default, so no legacy client sends more; deeper documents
 * would overflow the stack of whatever walks them next (the echo of a validation failure did).
 */
export const MAX_JSON_DEPTH = 512;

/** Walks the parsed body without recursion, so any depth the body limit allows is measured safely. */
function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: Array<{ node: unknown; depth: number }> = [{ node: value, depth: 0 }];
  for (let entry = pending.pop(); entry; entry = pending.pop()) {
    const { node, depth } = entry;
    if (node === null || typeof node !== 'object') continue;
    if (depth >= limit) return true;
    for (const child of Object.values(node)) pending.push({ node: child, depth: depth + 1 });
  }
  return false;
}

const tooDeep = () =>
  Object.assign(new Error(`The JSON body nests deeper than ${MAX_JSON_DEPTH} levels.`), { statusCode: 400 });

/**
 * JSON and form-urlencoded bodies. The documented requests declare JSON and send no body, which
 * Fastify's own JSON parser rejects: an empty body here means no body parameters.
 */
export async function legacyContentTypes(app: FastifyInstance): Promise<void> {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(null, undefined);
    parseJson(request, text, (err, parsed) => {
      if (err) done(err);
      else if (nestsDeeperThan(parsed, MAX_JSON_DEPTH)) done(tooDeep());
      else done(null, parsed);
    });
  });
  await app.register(formbody);
}
