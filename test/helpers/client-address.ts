import { request } from 'node:http';
import type { GraphqlResponse } from './graphql.js';

/**
 * Sends one GraphQL operation from a chosen loopback source address (any of 127.0.0.0/8), so the
 * gateway sees another client IP on the socket itself, with no forwarded-for header to trust.
 */
export function gqlFrom(
  clientAddress: string,
  baseUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<GraphqlResponse> {
  const body = JSON.stringify({ query, variables });
  const headers = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
  return new Promise((resolve, reject) => {
    const req = request(`${baseUrl}/graphql`, { method: 'POST', localAddress: clientAddress, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        try {
          const { data, errors } = JSON.parse(text) as Omit<GraphqlResponse, 'status'>;
          resolve({ status: res.statusCode ?? 0, data, errors });
        } catch (err) {
          reject(err);
        }
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
