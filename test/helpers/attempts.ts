import { type GraphqlResponse, gql, ops } from './graphql.js';

export interface ErrorSummary {
  code?: string;
  legacyCode?: number;
  retryAfter?: number;
  message: string;
}

/** The first error's extensions and message, or undefined when the operation succeeded. */
export function errorOf(response: GraphqlResponse): ErrorSummary | undefined {
  const error = response.errors?.[0];
  return error && { ...error.extensions, message: error.message };
}

/** How many responses ended each way: `ok`, or by error code. */
export function outcomes(responses: GraphqlResponse[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const response of responses) {
    const outcome = errorOf(response)?.code ?? 'ok';
    counts[outcome] = (counts[outcome] ?? 0) + 1;
  }
  return counts;
}

/** A login whose outcome the test inspects, success or not. */
export function attemptLogin(
  url: string,
  username: string,
  password: string,
  headers: Record<string, string> = {},
): Promise<ErrorSummary | undefined> {
  return gql(url, ops.login, { input: { username, password } }, undefined, headers).then(errorOf);
}
