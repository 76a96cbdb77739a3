import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import fastifyApollo, { fastifyApolloDrainPlugin } from '@as-integrations/fastify';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { FastifyInstance } from 'fastify';
import type { AuthService } from '../auth/auth.service.js';
import type { InvitationService } from '../auth/invitation.service.js';
import { clientContext } from '../client-context.js';
import type { Config } from '../config.js';
import { loggableCause } from '../errors.js';
import { createContext, type GraphqlContext } from './context.js';
import { formatGraphqlError } from './format-error.js';
import { AuthResolver } from './resolvers/auth.resolver.js';
import { InvitationResolver } from './resolvers/invitation.resolver.js';
import { createSchema, type ResolverClass } from './schema.js';

export interface GraphqlDependencies {
  config: Config;
  auth: AuthService;
  invitations: InvitationService;
  /** More Apollo plugins (metrics). */
  plugins?: ApolloServerPlugin<GraphqlContext>[];
}

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

/** Mounts Apollo Server on `/graphql`: the schema, its limits, error shaping and the Sandbox page. */
export async function registerGraphql(
  app: FastifyInstance,
  { config, auth, invitations, plugins = [] }: GraphqlDependencies,
) {
  const schema = await createSchema(
    new Map<ResolverClass, object>([
      [AuthResolver, new AuthResolver(auth)],
      [InvitationResolver, new InvitationResolver(invitations)],
    ]),
  );
  const armor = new ApolloArmor({
    maxDepth: { n: config.graphql.maxDepth },
    maxAliases: { n: config.graphql.maxAliases },
    // Counted by graphql-js's parser instead (parseOptions below): graphql-armor's token limit
    // parses the query in a hook Apollo does not guard, so any syntax error became a 500.
    maxTokens: { enabled: false },
    maxDirectives: { n: 20 },
    costLimit: { maxCost: 5000 },
    // Hidden by formatGraphqlError instead, which rewrites variable errors from their unmasked reason.
    blockFieldSuggestion: { enabled: false },
  }).protect();

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
    // graphql-armor and the Fastify integration type their plugins against Apollo's CommonJS typings.
    plugins: [
      ...armor.plugins,
      fastifyApolloDrainPlugin(app),
      ApolloServerPluginCacheControlDisabled(),
      noStore,
      ...plugins,
      config.graphql.sandbox
        ? ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false })
        : ApolloServerPluginLandingPageDisabled(),
    ] as ApolloServerPlugin<GraphqlContext>[],
    formatError: (formatted, error) =>
      formatGraphqlError(formatted, error, {
        hideSuggestions: !config.graphql.introspection,
        onUnexpected: (failure) =>
          app.log.error({ err: loggableCause(failure), code: failure.graphqlCode }, 'graphql operation failed'),
      }),
  });
  await apollo.start();
  await app.register(fastifyApollo(apollo), {
    path: '/graphql',
    context: async (request) => createContext(auth, clientContext(request)),
  });
}
