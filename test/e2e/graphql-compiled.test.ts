import { beforeAll, describe, expect, it } from 'vitest';
import { newInvitationCode, registerUser } from '../helpers/accounts.js';
import { useGateway } from '../helpers/gateway-hooks.js';
import { postGraphql } from '../helpers/http.js';

/**
 * The same operation twice: as written, which graphql-jit executes, and with a variable where
 * `%` marks the end of a field's line, which sends it through Apollo's own execution. The
 * variable shifts nothing an error points at: every field keeps its line and column.
 */
function bothWays(operation: string): [compiled: string, apollo: string] {
  const opening = operation.indexOf(' {');
  const withVariable = `${operation.slice(0, opening)} ($x: Boolean = true)${operation.slice(opening)}`;
  return [operation.replace('%', ''), withVariable.replace('%', ' @include(if: $x)')];
}

/** Status, headers (but those that change from request to request) and body, byte for byte. */
async function answered(url: string, query: string, token?: string) {
  const answer = await postGraphql(url, { query }, token ? { authorization: `Bearer ${token}` } : {});
  const headers = [...answer.headers].filter(([name]) => !['date', 'x-request-id'].includes(name));
  return { status: answer.status, headers, text: answer.text };
}

const ME = 'me {\n    id\n    username\n    createdAt%\n  }';

const CASES = [
  { name: 'me without a token: UNAUTHENTICATED', operation: `query {\n  ${ME}\n}` },
  { name: 'me with a token', operation: `query {\n  ${ME}\n}`, signedIn: true },
  { name: 'two root fields without a token', operation: `query {\n  sessions {\n    id\n  }\n  ${ME}\n}` },
  {
    name: 'an admin field as a user: FORBIDDEN',
    operation: 'query {\n  invitationCodes {\n    code%\n  }\n}',
    signedIn: true,
  },
  { name: 'the response codes', operation: 'query {\n  responseCodes {\n    code\n    message%\n  }\n}' },
  { name: 'a mutation without a token', operation: 'mutation {\n  logoutAll%\n}' },
];

describe('GraphQL through graphql-jit, answered as through Apollo', () => {
  const gw = useGateway();
  let token: string;
  beforeAll(async () => {
    token = (await registerUser(gw().url, await newInvitationCode(gw().app))).token;
  });

  for (const { name, operation, signedIn } of CASES) {
    it(name, async () => {
      const [compiled, apollo] = bothWays(operation);
      const expected = await answered(gw().url, apollo, signedIn ? token : undefined);
      // Executed, not refused before: an answer with `data`, null or not.
      expect(expected.status, expected.text).toBe(200);
      expect(JSON.parse(expected.text)).toHaveProperty('data');
      expect(await answered(gw().url, compiled, signedIn ? token : undefined)).toEqual(expected);
    });
  }
});
