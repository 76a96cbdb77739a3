import {
  ApolloServer,
  type ApolloServerPlugin,
  type BaseContext,
  type GraphQLResponse,
  HeaderMap,
} from '@apollo/server';
import {
  GraphQLBoolean,
  GraphQLError,
  type GraphQLFormattedError,
  GraphQLInputObjectType,
  GraphQLInt,
  GraphQLInterfaceType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { compiledExecution } from '../../src/graphql/compiled-execution.js';
import { formatGraphqlError } from '../../src/graphql/format-error.js';

const later = <T>(value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), 1));

const Node = new GraphQLInterfaceType({
  name: 'Node',
  fields: { id: { type: new GraphQLNonNull(GraphQLString) } },
  resolveType: (value: { kind: string }) => value.kind,
});
const Person: GraphQLObjectType = new GraphQLObjectType({
  name: 'Person',
  interfaces: [Node],
  fields: () => ({
    id: { type: new GraphQLNonNull(GraphQLString) },
    name: { type: GraphQLString },
    age: { type: GraphQLInt, resolve: (person) => (person.id === 'p2' ? 'not a number' : 42) },
    friends: { type: new GraphQLList(Person), resolve: () => later([people[1], people[0]]) },
    secret: {
      type: GraphQLString,
      resolve: () => {
        throw new AppError('FORBIDDEN');
      },
    },
    mandatory: { type: new GraphQLNonNull(GraphQLString), resolve: (person) => (person.id === 'p1' ? 'here' : null) },
  }),
});
const people = [
  { kind: 'Person', id: 'p1', name: 'Ann' },
  { kind: 'Person', id: 'p2', name: null },
];
const Filter = new GraphQLInputObjectType({
  name: 'Filter',
  fields: { name: { type: GraphQLString }, limit: { type: GraphQLInt, defaultValue: 10 } },
});

const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      hello: { type: GraphQLString, resolve: () => 'world' },
      people: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(Person))), resolve: () => later(people) },
      node: {
        type: Node,
        args: { id: { type: GraphQLString } },
        resolve: (_root, { id }) => people.find((p) => p.id === id),
      },
      search: {
        type: GraphQLString,
        args: { filter: { type: Filter }, exact: { type: GraphQLBoolean, defaultValue: false } },
        resolve: (_root, args) => JSON.stringify(args),
      },
      forbidden: {
        type: GraphQLString,
        resolve: () =>
          Promise.reject(
            new GraphQLError('keep out', {
              extensions: { code: 'FORBIDDEN', http: { status: 403, headers: new HeaderMap([['x-why', 'because']]) } },
            }),
          ),
      },
      slowFailure: {
        type: GraphQLString,
        resolve: async () => {
          await later(null);
          throw new AppError('FORBIDDEN');
        },
      },
      badlyFormatted: { type: GraphQLString, resolve: () => Promise.reject(new Error('format me badly')) },
      strict: { type: new GraphQLNonNull(GraphQLString), resolve: () => null },
      notAList: { type: new GraphQLList(GraphQLString), resolve: () => 'nope' },
    },
  }),
  mutation: new GraphQLObjectType({
    name: 'Mutation',
    fields: {
      strictRecord: {
        type: new GraphQLNonNull(GraphQLString),
        resolve: async () => {
          await later(null);
          throw new AppError('FORBIDDEN');
        },
      },
      record: {
        type: GraphQLString,
        args: { entry: { type: new GraphQLNonNull(GraphQLString) } },
        resolve: (_root, { entry }) => later(entry),
      },
    },
  }),
});

/** The server's formatError, noting the causes it logs; one that fails on one message, as Apollo allows. */
function formatErrorLogging(logged: string[]) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    if (formatted.message === 'format me badly') throw new Error('formatError failed');
    return formatGraphqlError(formatted, error, {
      hideSuggestions: false,
      onUnexpected: (failure) => logged.push(String((failure.details.cause as Error).message)),
    });
  };
}

const DOCUMENTS = {
  scalar: '{ hello }',
  nested: '{ people { id name friends { name } } }',
  fragments:
    'query Named { __typename people { ...who ... on Person { friends { id } } } } fragment who on Person { id name }',
  abstract: '{ node(id: "p1") { __typename id ... on Person { name } } missing: node(id: "p9") { id } }',
  directives: '{ hello @skip(if: true) people @include(if: true) { id name @include(if: false) } }',
  literals: '{ search(filter: { name: "Ann" }) exact: search(filter: { name: "Bob", limit: 2 }, exact: true) }',
  resolverError: '{ hello people { id secret } }',
  nonNullBubbling: '{ hello people { id mandatory } }',
  nonNullRoot: '{ hello strict }',
  serialisation: '{ people { id age } }',
  httpExtension: '{ hello forbidden }',
  formatErrorFails: '{ hello badlyFormatted }',
  mixedErrors: '{ forbidden people { secret mandatory } }',
  mutation: 'mutation { record(entry: "a") }',
  secondOperation: { query: 'query A { hello } query B { people { id } }', operationName: 'B' },
  firstOperation: { query: 'query A { hello } query B { people { id } }', operationName: 'A' },
};

/** Comes after the plugin under test: reached only when that plugin left the operation to Apollo. */
function sentinel(reached: string[]): ApolloServerPlugin<BaseContext> {
  return {
    requestDidStart: async ({ request }) => ({
      responseForOperation: async () => {
        reached.push(request.query ?? '');
        return null;
      },
    }),
  };
}

interface Server {
  apollo: ApolloServer<BaseContext>;
  /** The causes of the unexpected errors formatError logged. */
  logged: string[];
}

function server(compiled: boolean, reached: string[]): Server {
  const logged: string[] = [];
  const formatError = formatErrorLogging(logged);
  const plugins = compiled ? [compiledExecution({ formatError, max: 10 })] : [];
  return {
    apollo: new ApolloServer<BaseContext>({ schema, formatError, plugins: [...plugins, sentinel(reached)] }),
    logged,
  };
}

async function answer({ apollo, logged }: Server, request: { query: string; operationName?: string }) {
  logged.length = 0;
  const response: GraphQLResponse = await apollo.executeOperation(request, { contextValue: {} });
  return { status: response.http.status, headers: [...response.http.headers], body: response.body, logged };
}

describe('compiled execution (graphql-jit behind Apollo)', () => {
  const reached: string[] = [];
  const plain = server(false, []);
  const compiled = server(true, reached);
  beforeAll(() => Promise.all([plain.apollo.start(), compiled.apollo.start()]));
  afterAll(() => Promise.all([plain.apollo.stop(), compiled.apollo.stop()]));

  for (const [name, document] of Object.entries(DOCUMENTS)) {
    it(`answers ${name} as graphql-js does, without Apollo executing it`, async () => {
      const request = typeof document === 'string' ? { query: document } : document;
      const expected = structuredClone(await answer(plain, request));
      for (let round = 0; round < 2; round++) expect(await answer(compiled, request)).toEqual(expected);
      expect(reached).not.toContain(request.query);
    });
  }

  it('words the errors graphql-jit raises itself its own way, which only the log shows', async () => {
    const request = { query: '{ notAList }' };
    const expected = structuredClone(await answer(plain, request));
    expect(await answer(compiled, request)).toEqual({
      ...expected,
      logged: ['Expected Iterable, but did not find one for field Query.notAList.'],
    });
    expect(expected.logged).toEqual(['Expected Iterable, but did not find one for field "Query.notAList".']);
  });

  it('lists the errors of fields still running when an error nulled the answer, which graphql-js leaves out', async () => {
    const request = { query: '{ strict slowFailure }' };
    const expected = structuredClone(await answer(plain, request));
    const { body } = await answer(compiled, request);
    const paths = (response: { body: GraphQLResponse['body'] }) =>
      response.body.kind === 'single' && response.body.singleResult.errors?.map((error) => error.path?.join('.'));
    expect(paths(expected)).toEqual(['strict']);
    expect(paths({ body })).toEqual(['slowFailure', 'strict']);
  });

  it('leaves operations with variables, and those it cannot resolve, to Apollo', async () => {
    const requests = [
      { query: 'query ($id: String) { node(id: $id) { id } }' },
      { query: 'query A { hello } query B { hello }' },
      { query: '{ hello }', operationName: 'Other' },
      // graphql-jit would go on to record "b" after the failure that nulled the answer.
      { query: 'mutation { a: record(entry: "a") s: strictRecord b: record(entry: "b") }' },
    ];
    for (const request of requests) {
      expect(await answer(compiled, request)).toEqual(structuredClone(await answer(plain, request)));
      expect(reached).toContain(request.query);
    }
  });
});
