/**
 * What Apollo Server itself costs: the same `me` work as the bare server, answered by a plain
 * Apollo Server 5 on Fastify 5 through @as-integrations/fastify, with Apollo's defaults, no
 * plugins, no logger and a two-line schema. The gateway's GraphQL ratio cannot beat this one's
 * by much; it is printed beside the targets, not as one. Run with NODE_ENV=production, as the
 * gateway is (graphql-js checks more outside production).
 */
import { ApolloServer } from '@apollo/server';
import fastifyApollo from '@as-integrations/fastify';
import Fastify from 'fastify';
import { meWork, required } from './me-work.js';

interface Context {
  authorization?: string;
}

const { caller, close } = meWork();

async function me(authorization: string | undefined) {
  const { user } = await caller(authorization);
  return { id: String(user[0]), username: user[2], name: user[1] };
}

const apollo = new ApolloServer<Context>({
  typeDefs: 'type User { id: ID! username: String! name: String! } type Query { me: User }',
  resolvers: {
    Query: { me: (_root: unknown, _args: unknown, context: Context) => me(context.authorization) },
  },
});
await apollo.start();
const app = Fastify({ logger: false });
await app.register(fastifyApollo(apollo), {
  context: async (request) => ({ authorization: request.headers.authorization }),
});
await app.listen({ port: Number(required('PORT')), host: '127.0.0.1' });

process.once('SIGTERM', () => {
  void Promise.allSettled([app.close(), apollo.stop(), close()]).finally(() => process.exit(0));
});
