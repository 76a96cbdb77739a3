import { ApolloServerErrorCode } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { AppError, toAppError, type FieldErrors } from '../errors.js';

/** graphql-js names the offending field in these places of its messages. */
const FIELD_PATTERNS = [
  /got invalid value .* at "(?:[^"]*\.)?([^".]+)"/,
  /Field "(?:[A-Za-z0-9_]+\.)?([A-Za-z0-9_]+)" of required type/,
  /Field "([A-Za-z0-9_]+)" is not defined by type/,
  /Argument "([A-Za-z0-9_]+)" of (?:required|non-null) type/,
  /Variable "\$([A-Za-z0-9_]+)"/,
];

function fieldOf(message: string): string {
  for (const pattern of FIELD_PATTERNS) {
    const match = pattern.exec(message);
    if (match?.[1]) return match[1];
  }
  return 'query';
}

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

/**
 * The one place GraphQL errors get their shape: every error carries `extensions.code` and the
 * legacy business code, input errors name their field, and nothing internal leaves the server.
 */
export function formatGraphqlError(
  formatted: GraphQLFormattedError,
  error: unknown,
  onUnexpected: (err: AppError) => void,
): GraphQLFormattedError {
  const original = (error as { originalError?: unknown }).originalError ?? error;
  const code = formatted.extensions?.code;
  const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };

  if (original instanceof AppError) {
    return { ...base, message: original.message, extensions: appErrorExtensions(original) };
  }
  if (typeof code === 'string' && INPUT_CODES.includes(code)) {
    const fieldErrors: FieldErrors = { [fieldOf(formatted.message)]: [formatted.message] };
    const input = AppError.invalid(fieldErrors);
    return { ...base, extensions: appErrorExtensions(input) };
  }
  const failure = toAppError(original);
  onUnexpected(failure);
  return { ...base, message: failure.message, extensions: appErrorExtensions(failure) };
}
