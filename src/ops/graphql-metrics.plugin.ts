import { performance } from 'node:perf_hooks';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { type DocumentNode, type GraphQLFormattedError, Kind, type SelectionSetNode } from 'graphql';
import type { Metrics } from './metrics.js';

interface RootField {
  /** The schema's field name: a bounded label, unlike operation names, which clients choose. */
  name: string;
  /** The alias or the name: where the field's errors point in their `path`. */
  responseKey: string;
}

function rootFields(selectionSet: SelectionSetNode, document: DocumentNode): RootField[] {
  return selectionSet.selections.flatMap((selection): RootField[] => {
    if (selection.kind === Kind.FIELD) {
      return [{ name: selection.name.value, responseKey: selection.alias?.value ?? selection.name.value }];
    }
    if (selection.kind === Kind.INLINE_FRAGMENT) return rootFields(selection.selectionSet, document);
    const fragment = document.definitions.find(
      (d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === selection.name.value,
    );
    return fragment?.kind === Kind.FRAGMENT_DEFINITION ? rootFields(fragment.selectionSet, document) : [];
  });
}

const codeOf = (error: GraphQLFormattedError): string => String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR');

/**
 * Records each root field of each GraphQL request with the `extensions.code` of its error, or
 * `OK`; a request that never reached execution (unparseable, invalid) counts as `(invalid)`.
 */
export function graphqlMetricsPlugin<T extends BaseContext>(metrics: Metrics): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse({ operation, document, response }) {
          const seconds = (performance.now() - started) / 1000;
          const errors = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
          const requestError = errors.find((error) => !error.path);
          const record = (operation: string, error: GraphQLFormattedError | undefined) =>
            metrics.record({ transport: 'graphql', operation, outcome: error ? codeOf(error) : 'OK', seconds });

          if (!operation || !document) {
            record('(invalid)', requestError ?? errors[0]);
            return;
          }
          for (const field of rootFields(operation.selectionSet, document)) {
            record(field.name, errors.find((error) => error.path?.[0] === field.responseKey) ?? requestError);
          }
        },
      };
    },
  };
}
