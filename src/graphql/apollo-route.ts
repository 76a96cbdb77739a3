import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import { type ApolloServer, type BaseContext, HeaderMap } from '@apollo/server';
import type { FastifyInstance, FastifyRequest } from 'fastify';

export interface ApolloRouteOptions<TContext extends BaseContext> {
  path: string;
  context(request: FastifyRequest): Promise<TContext>;
}

/** The headers as Apollo reads them: Node's names are lowercase already, repeated values joined. */
function headerMap(headers: IncomingHttpHeaders): HeaderMap {
  const map = new HeaderMap();
  for (const name in headers) {
    const value = headers[name];
    if (value) map.set(name, typeof value === 'string' ? value : value.join(', '));
  }
  return map;
}

/** The query string with its `?`, as `new URL(url).search` has it: up to a fragment, if any. */
function searchOf(url: string): string {
  const start = url.indexOf('?');
  const end = url.indexOf('#');
  if (start < 0 || (end >= 0 && end < start)) return '';
  return end < 0 ? url.slice(start) : url.slice(start, end);
}

/**
 * Apollo Server on `path` in this (encapsulated) Fastify scope: the routes, request and answer
 * of @as-integrations/fastify — GET, POST and OPTIONS (HEAD with GET, as Fastify exposes it),
 * Apollo judging the method, CSRF and the landing page — with less work per request. The
 * integration copies the headers through `Object.entries` and builds a whole `URL` for its query
 * string, from the Host header: a request without a usable one (HTTP/1.0, say) is a 500 there.
 */
export function apolloRoute<TContext extends BaseContext>(
  app: FastifyInstance,
  apollo: ApolloServer<TContext>,
  { path, context }: ApolloRouteOptions<TContext>,
): void {
  apollo.assertStarted('apolloRoute()');
  app.route({
    method: ['GET', 'POST', 'OPTIONS'],
    url: path,
    handler: async (request, reply) => {
      const { status, headers, body } = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: {
          method: request.method,
          headers: headerMap(request.headers),
          search: searchOf(request.url),
          body: request.body,
        },
        context: () => context(request),
      });
      reply.code(status ?? 200);
      for (const [name, value] of headers) reply.header(name, value);
      // An incremental answer (@defer, @stream: graphql 17 only) is streamed in parts, as the integration did.
      return reply.send(body.kind === 'complete' ? body.string : Readable.from(body.asyncIterator));
    },
  });
}
