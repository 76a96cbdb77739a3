import { type RegisterOverrides, registerInput } from './accounts.js';
import type { TestDatabase } from './database.js';
import { type GraphqlResponse, gql, ops } from './graphql.js';

export const times = <T>(n: number, make: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => make(i));

/** Which of several gateways the i-th of a burst of requests goes to: round robin, as a load balancer would. */
export const spread = <T>(targets: readonly T[], i: number): T => targets[i % targets.length]!;

/**
 * Prepares one valid registration per override (each with its own captcha), then sends them all at
 * once, spread over the gateways.
 */
export async function registerAtOnce(
  urls: readonly string[],
  invitationCode: string,
  overrides: RegisterOverrides[],
): Promise<GraphqlResponse[]> {
  const inputs = await Promise.all(overrides.map((o, i) => registerInput(spread(urls, i + 1), invitationCode, o)));
  return Promise.all(inputs.map((input, i) => gql(spread(urls, i), ops.register, { input })));
}

export async function usageTimes(db: TestDatabase, code: string): Promise<number> {
  const sql = 'SELECT usage_times FROM invitation_codes WHERE code = ?';
  const [row] = await db.query<{ usage_times: number }>(sql, [code]);
  return row!.usage_times;
}

export async function countUsers(db: TestDatabase, where: string, params: unknown[]): Promise<number> {
  const [row] = await db.query<{ n: number }>(`SELECT COUNT(*) AS n FROM users WHERE ${where}`, params);
  return row!.n;
}
