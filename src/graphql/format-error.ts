import { ApolloServerErrorCode } from '@apollo/server/errors';
import type { GraphQLError, GraphQLFormattedError } from 'graphql';
import { AppError } from '../errors.js';
import { describeInputError } from './input-error.js';

const INPUT_CODES: string[] = [
  ApolloServerErrorCode.BAD_USER_INPUT,
  ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED,
  ApolloServerErrorCode.GRAPHQL_PARSE_FAILED,
  ApolloServerErrorCode.PERSISTED_QUERY_NOT_SUPPORTED,
  ApolloServerErrorCode.OPERATION_RESOLUTION_FAILURE,
  ApolloServerErrorCode.BAD_REQUEST,
];

function appErrorExtensions(err: AppError): Record<string, unknown> {
  return {
    code: err.graphqlCode,
    legacyCode: err.legacyCode,
    ...(err.details.fieldErrors && { fieldErrors: err.details.fieldErrors }),
    ...(err.details.retryAfter !== undefined && { retryAfter: err.details.retryAfter }),
  };
}

export interface FormatOptions {
  /** Drop graphql-js's "Did you mean …?" hints: with introspection off they would reveal the schema. */
  hideSuggestions: boolean;
  onUnexpected(err: AppError): void;
}

const SUGGESTION = 'Did you mean ';

/**
 * graphql-js ends a message with at most one "Did you mean …?" hint. Found from the end with a
 * plain search: a pattern scanning for it is quadratic on messages that echo the input.
 */
function withoutSuggestion(message: string): string {
  if (!message.endsWith('?')) return message;
  const at = message.lastIndexOf(SUGGESTION);
  return at < 0 ? message : message.slice(0, at).trimEnd();
}

/**
 * The one place GraphQL errors get their shape: every error carries `extensions.code` and the
 * legacy business code, input errors name their field, and nothing internal leaves the server.
 */
export function formatGraphqlError(
  formatted: GraphQLFormattedError,
  error: unknown,
  { hideSuggestions, onUnexpected }: FormatOptions,
): GraphQLFormattedError {
  const original = (error as { originalError?: unknown }).originalError ?? error;
  const code = formatted.extensions?.code;
  const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };

  if (!(original instanceof AppError) && typeof code === 'string' && INPUT_CODES.includes(code)) {
    const { field, message } = describeInputError(error as GraphQLError);
    const shown = hideSuggestions ? withoutSuggestion(message) : message;
    return { ...base, message: shown, extensions: appErrorExtensions(AppError.invalid({ [field]: [shown] })) };
  }
  const failure = AppError.from(original);
  if (failure.unexpected) onUnexpected(failure);
  return { ...base, message: failure.message, extensions: appErrorExtensions(failure) };
}

/** An error raised before Apollo saw the request (its body refused, say), in GraphQL's shape. */
export function graphqlErrorBody(failure: AppError): { errors: GraphQLFormattedError[] } {
  return { errors: [{ message: failure.message, extensions: appErrorExtensions(failure) }] };
}
