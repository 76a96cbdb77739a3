import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { FastifyInstance } from 'fastify';
import type { GraphQLFormattedError } from 'graphql';
import type { Config } from '../config.js';
import { clientContext } from '../http/client-context.js';
import { answerError } from '../http/request-error.js';
import { logUnexpected } from '../ops/logger.js';
import type { Services } from '../services.js';
import { apolloRoute } from './apollo-route.js';
import { compiledExecution } from './compiled-execution.js';
import { createContext, type GraphqlContext } from './context.js';
import { formatGraphqlError, graphqlErrorBody } from './format-error.js';
import { AccountResolver } from './resolvers/account.resolver.js';
import { AuthResolver } from './resolvers/auth.resolver.js';
import { InvitationResolver } from './resolvers/invitation.resolver.js';
import { SessionResolver } from './resolvers/session.resolver.js';
import { UserAdminResolver } from './resolvers/user-admin.resolver.js';
import { createSchema, type ResolverClass } from './schema.js';

export interface GraphqlDependencies {
  config: Config;
  services: Pick<Services, 'auth' | 'sessions' | 'passwords' | 'invitations' | 'userAdmin' | 'audit'>;
  /** More Apollo plugins (metrics). */
  plugins?: ApolloServerPlugin<GraphqlContext>[];
}

/** Compiled operations kept: clients send a few dozen distinct ones, each about 16 kB compiled. */
const COMPILED_OPERATIONS = 500;

/**
 * Apollo's default cache-control plugin instruments every field of every request only to answer
 * `no-store`: no type or resolver gives a cache hint, so this says it directly.
 */
const noStore: ApolloServerPlugin<GraphqlContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        response.http.headers.set('cache-control', 'no-store');
      },
    };
  },
};

/**
 * The GraphQL transport, an encapsulated plugin: Apollo Server on `/graphql` with the schema,
 * its limits, the Sandbox page, and its errors shaped by `formatGraphqlError` alone — also those
 * Fastify raises before Apollo sees the request (a body too large or unparseable).
 */
export async function graphqlTransport(app: FastifyInstance, { config, services, plugins = [] }: GraphqlDependencies) {
  const schema = await createSchema(
    new Map<ResolverClass, object>([
      [AuthResolver, new AuthResolver(services.auth, services.sessions)],
      [SessionResolver, new SessionResolver(services.sessions)],
      [AccountResolver, new AccountResolver(services.passwords, services.audit)],
      [InvitationResolver, new InvitationResolver(services.invitations)],
      [UserAdminResolver, new UserAdminResolver(services.userAdmin)],
    ]),
  );
  const armor = new ApolloArmor({
    maxDepth: { n: config.graphql.maxDepth },
    maxAliases: { n: config.graphql.maxAliases },
    // Counted by graphql-js's parser instead (parseOptions below): graphql-armor's token limit
    // parses the query in a hook Apollo does not guard, where a syntax error would be a 500.
    maxTokens: { enabled: false },
    maxDirectives: { n: 20 },
    costLimit: { maxCost: 5000 },
    // Hidden by formatGraphqlError instead, which rewrites variable errors from their unmasked reason.
    blockFieldSuggestion: { enabled: false },
  }).protect();

  const formatError = (formatted: GraphQLFormattedError, error: unknown) =>
    formatGraphqlError(formatted, error, {
      hideSuggestions: !config.graphql.introspection,
      onUnexpected: (failure) => logUnexpected(app.log, failure, 'graphql operation failed'),
    });

  const apollo = new ApolloServer<GraphqlContext>({
    schema,
    introspection: config.graphql.introspection,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    // src/server.ts owns SIGTERM: Apollo's own handler would race it and re-raise the signal once
    // Apollo has stopped, ending the process by the signal instead of with exit code 0.
    stopOnTerminationSignals: false,
    validationRules: armor.validationRules,
    parseOptions: { maxLexicalTokens: config.graphql.maxTokens },
    // graphql-armor types its plugins against Apollo's CommonJS typings.
    plugins: [
      ...armor.plugins,
      ApolloServerPluginCacheControlDisabled(),
      noStore,
      compiledExecution<GraphqlContext>({ formatError, max: COMPILED_OPERATIONS }),
      // Apollo's stop runs this (and its drain) from onClose below; the shutdown log shows it did.
      { serverWillStart: async () => ({ serverWillStop: async () => app.log.debug('GraphQL server stopped') }) },
      ...plugins,
      config.graphql.sandbox
        ? ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false })
        : ApolloServerPluginLandingPageDisabled(),
    ] as ApolloServerPlugin<GraphqlContext>[],
    formatError,
  });
  await apollo.start();
  // Fastify finishes the requests in flight before onClose; Apollo's own stop runs its plugins' hooks.
  app.addHook('onClose', () => apollo.stop());
  app.setErrorHandler((error, request, reply) => {
    const failure = answerError(error);
    if (failure.unexpected) logUnexpected(request.log, failure, 'graphql request failed');
    return reply.code(failure.status).send(graphqlErrorBody(failure));
  });
  apolloRoute(app, apollo, {
    path: '/graphql',
    context: async (request) => createContext(services.sessions, clientContext(request)),
  });
}
