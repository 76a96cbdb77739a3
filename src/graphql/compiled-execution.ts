import {
  type ApolloServerOptions,
  type ApolloServerPlugin,
  type BaseContext,
  type GraphQLRequestListener,
  HeaderMap,
  type HTTPGraphQLHead,
} from '@apollo/server';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import { type GraphQLError, type GraphQLFormattedError, Kind, type OperationDefinitionNode } from 'graphql';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';
import { LRUCache } from 'lru-cache';

type FormatError = NonNullable<ApolloServerOptions<BaseContext>['formatError']>;

export interface CompiledExecutionOptions {
  /** The server's `formatError`: Apollo sends what this plugin answers without formatting it. */
  formatError: FormatError;
  /** How many compiled operations to keep. */
  max: number;
}

/** An answer without errors has no status or headers of its own; Apollo only reads this. */
const NO_HEAD: HTTPGraphQLHead = { headers: new HeaderMap() };

function isPartialHead(value: unknown): value is Partial<HTTPGraphQLHead> {
  if (!value || typeof value !== 'object') return false;
  const head = value as Record<string, unknown>;
  return (
    (!('status' in head) || typeof head.status === 'number') && (!('headers' in head) || head.headers instanceof Map)
  );
}

/**
 * One execution error as Apollo's normalizeAndFormatErrors (internal to Apollo) shapes it: a
 * default `code`, an `http` extension moved onto the answer's head, then `formatError`, its
 * failure answered as a bare internal error. (Apollo's stack traces are off on this server, and
 * its BAD_USER_INPUT rewrite is for variable errors, which operations without variables lack.)
 */
function formatted(error: GraphQLError, head: HTTPGraphQLHead, formatError: FormatError): GraphQLFormattedError {
  try {
    const extensions: Record<string, unknown> = {
      ...error.extensions,
      code: error.extensions?.code ?? ApolloServerErrorCode.INTERNAL_SERVER_ERROR,
    };
    if (isPartialHead(extensions.http)) {
      const { status, headers } = extensions.http;
      if (status) head.status = status;
      for (const [name, value] of headers ?? []) head.headers.set(name, value);
      delete extensions.http;
    }
    return formatError({ ...error.toJSON(), extensions }, error);
  } catch {
    return { message: 'Internal server error', extensions: { code: ApolloServerErrorCode.INTERNAL_SERVER_ERROR } };
  }
}

/**
 * The operations graphql-jit may execute: queries, and mutations of one root field. Once a root
 * mutation failed (and nulled the answer), graphql-jit goes on with the next ones, which
 * graphql-js never starts. Operations with variables stay with graphql-js, whose coercion of
 * variables graphql-jit does not share.
 */
function compilable(operation: OperationDefinitionNode | undefined): boolean {
  // Apollo asks even when no operation matched the request, and answers that itself.
  if (!operation || operation.variableDefinitions?.length) return false;
  const [first, ...others] = operation.selectionSet.selections;
  return (
    operation.operation === 'query' ||
    (operation.operation === 'mutation' && !others.length && first?.kind === Kind.FIELD)
  );
}

/**
 * Executes operations with graphql-jit, each compiled once, instead of graphql-js: Apollo's
 * `responseForOperation` seam, reached after parsing, validation and the operation's resolution.
 * What `compilable` refuses, or graphql-jit cannot compile, Apollo executes as ever. The answer
 * is graphql-js's but when an error nulls the answer (or an object) while other fields are still
 * running: graphql-js answers at once, graphql-jit waits and lists their errors too.
 * On this path Apollo calls no `executionDidStart`, `willResolveField` or `didEncounterErrors`
 * hooks, which no plugin of this server has; `willSendResponse` sees the same answer and errors.
 * The cache is not keyed by schema: this server's never changes.
 */
export function compiledExecution<TContext extends BaseContext>({
  formatError,
  max,
}: CompiledExecutionOptions): ApolloServerPlugin<TContext> {
  // false: graphql-jit could not compile the operation, so Apollo executes it.
  const compiled = new LRUCache<string, CompiledQuery | false>({ max });
  const listener: GraphQLRequestListener<TContext> = {
    async responseForOperation(requestContext) {
      const { operation, document, schema, queryHash, request } = requestContext;
      if (!compilable(operation)) return null;
      const key = `${queryHash}:${request.operationName ?? ''}`;
      let query = compiled.get(key);
      if (query === undefined) {
        const result = compileQuery(schema, document, request.operationName);
        query = isCompiledQuery(result) && result;
        compiled.set(key, query);
      }
      if (!query) return null;

      const { data, errors } = await query.query(undefined, requestContext.contextValue, undefined);
      if (!errors?.length) return { http: NO_HEAD, body: { kind: 'single', singleResult: { data } } };
      // What Apollo's didEncounterErrors step leaves for willSendResponse.
      (requestContext as { errors?: readonly GraphQLError[] }).errors = errors;
      const head: HTTPGraphQLHead = { headers: new HeaderMap() };
      const formattedErrors = errors.map((error) => formatted(error, head, formatError));
      return { http: head, body: { kind: 'single', singleResult: { data, errors: formattedErrors } } };
    },
  };
  return { requestDidStart: async () => listener };
}
