import type { GraphqlResponse } from './graphql.js';
import { exchange } from './http.js';

/**
 * Sends one GraphQL operation from a chosen loopback source address (any of 127.0.0.0/8), so the
 * gateway sees another client IP on the socket itself, with no forwarded-for header to trust.
 */
export async function gqlFrom(
  clientAddress: string,
  baseUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<GraphqlResponse> {
  const headers = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
  const answer = await exchange(`${baseUrl}/graphql`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
    from: clientAddress,
  });
  if (answer.json === undefined) throw new Error(`not JSON (${answer.status}): ${answer.text}`);
  const { data, errors } = answer.json as Omit<GraphqlResponse, 'status'>;
  return { status: answer.status, data, errors };
}
