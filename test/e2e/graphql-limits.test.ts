import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectBadInput, expectNoInternals } from '../helpers/assertions.js';
import { type Gateway, startGateway } from '../helpers/gateway.js';
import { useGateway } from '../helpers/gateway-hooks.js';
import { ops } from '../helpers/graphql.js';
import { queryOfDepth, queryWithAliases } from '../helpers/graphql-documents.js';
import { type HttpAnswer, postGraphql, send } from '../helpers/http.js';

const INTROSPECTION = '{ __schema { queryType { name } } }';
const SANDBOX_SCRIPT = 'https://embeddable-sandbox.cdn.apollographql.com/';

/** An answer a client can act on: never a 500, never internals, a JSON body when it is an error. */
function expectClearRefusal(answer: HttpAnswer, status: number): void {
  expect(answer.status).toBe(status);
  expect(answer.json, answer.text).toBeDefined();
  expectNoInternals(answer.text);
}

function expectRefusedInput(answer: HttpAnswer): void {
  expectClearRefusal(answer, 400);
  expect(answer.json.data).toBeUndefined();
  expectBadInput({ ...answer.json, status: answer.status }, 'query');
}

const getGraphql = (gw: Gateway, query: string, headers: Record<string, string> = {}) =>
  send(`${gw.url}/graphql?query=${encodeURIComponent(query)}`, { headers });

const landingPage = (gw: Gateway) => send(`${gw.url}/graphql`, { headers: { accept: 'text/html' } });

describe('GraphQL limits', () => {
  const gw = useGateway();

  it('caps the depth at GRAPHQL_MAX_DEPTH', async () => {
    const { maxDepth } = gw().config.graphql;
    expect((await postGraphql(gw().url, { query: queryOfDepth(maxDepth) })).json.data.responseCodes).toBeDefined();
    expectRefusedInput(await postGraphql(gw().url, { query: queryOfDepth(maxDepth + 1) }));
  });

  it('caps the aliases at GRAPHQL_MAX_ALIASES, and refuses 1000 of them', async () => {
    const { maxAliases } = gw().config.graphql;
    expect((await postGraphql(gw().url, { query: queryWithAliases(maxAliases) })).json.errors).toBeUndefined();
    expectRefusedInput(await postGraphql(gw().url, { query: queryWithAliases(maxAliases + 1) }));
    expectRefusedInput(await postGraphql(gw().url, { query: queryWithAliases(1000) }));
  });

  it('refuses a query text over the token limit', async () => {
    const query = `{ responseCodes { ${'code '.repeat(gw().config.graphql.maxTokens)}} }`;
    expectRefusedInput(await postGraphql(gw().url, { query }));
  });

  it('answers 413 to a body over BODY_LIMIT', async () => {
    const padding = 'x'.repeat(gw().config.http.bodyLimit);
    const answer = await postGraphql(gw().url, { query: ops.responseCodes, variables: { padding } });
    expectClearRefusal(answer, 413);
    expect(answer.json.errors[0].extensions.legacyCode).toBe(10001);
  });

  it('refuses batched requests', async () => {
    expectRefusedInput(await postGraphql(gw().url, [{ query: ops.responseCodes }, { query: ops.responseCodes }]));
  });

  describe('CSRF prevention', () => {
    it('refuses a GET without a preflight header, and serves it with one', async () => {
      const refused = await getGraphql(gw(), ops.responseCodes);
      expectRefusedInput(refused);
      expect(refused.json.errors[0].message).toMatch(/CSRF/);
      const allowed = await getGraphql(gw(), ops.responseCodes, { 'apollo-require-preflight': 'true' });
      expect(allowed.json.data.responseCodes.length).toBeGreaterThan(0);
    });

    it('refuses a mutation over GET, preflight or not', async () => {
      const answer = await getGraphql(gw(), ops.logout, { 'apollo-require-preflight': 'true' });
      expectClearRefusal(answer, 405);
    });

    it('refuses a text/plain POST without a preflight header', async () => {
      const answer = await postGraphql(gw().url, { query: ops.responseCodes }, { 'content-type': 'text/plain' });
      expectRefusedInput(answer);
      expect(answer.json.errors[0].message).toMatch(/CSRF/);
    });
  });

  describe('outside production', () => {
    it('allows introspection', async () => {
      const answer = await postGraphql(gw().url, { query: INTROSPECTION });
      expect(answer.json).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
    });

    it('serves the Apollo Sandbox landing page to a browser', async () => {
      const page = await landingPage(gw());
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.text).toMatch(/Apollo/);
      expect(page.text).toMatch(/Sandbox/);
      expect(page.text).toContain(SANDBOX_SCRIPT);
    });
  });

  describe('in production', () => {
    let production: Gateway;
    let switchedOn: Gateway;
    beforeAll(async () => {
      production = await startGateway({ env: { NODE_ENV: 'production' }, shareWith: gw() });
      switchedOn = await startGateway({
        env: { NODE_ENV: 'production', GRAPHQL_INTROSPECTION: 'true', GRAPHQL_SANDBOX: 'true' },
        shareWith: gw(),
      });
    });
    afterAll(async () => {
      await production?.close();
      await switchedOn?.close();
    });

    it('refuses introspection unless GRAPHQL_INTROSPECTION=true', async () => {
      expectRefusedInput(await postGraphql(production.url, { query: INTROSPECTION }));
      const allowed = await postGraphql(switchedOn.url, { query: INTROSPECTION });
      expect(allowed.json.data.__schema.queryType.name).toBe('Query');
    });

    it('serves no landing page unless GRAPHQL_SANDBOX=true', async () => {
      const page = await landingPage(production);
      expectClearRefusal(page, 400);
      expect(page.text).not.toContain(SANDBOX_SCRIPT);
      expect((await landingPage(switchedOn)).text).toContain(SANDBOX_SCRIPT);
    });

    it('hides field suggestions, which would reveal the schema', async () => {
      const input = { username: 'someone1', password: 'secret12', passwrd: 'secret12' };
      const typo = await postGraphql(production.url, { query: ops.login, variables: { input } });
      expectBadInput({ ...typo.json, status: typo.status }, 'passwrd');
      const unknownField = await postGraphql(production.url, { query: '{ responseCode { code } }' });
      expectRefusedInput(unknownField);
      for (const answer of [typo, unknownField]) expect(answer.text).not.toMatch(/did you mean|suggestion/i);
      const outside = await postGraphql(gw().url, { query: '{ responseCode { code } }' });
      expect(outside.json.errors[0].message).toMatch(/Did you mean "responseCodes"\?/);
    });

    it('still answers bad queries with a clear error and no stack trace', async () => {
      expectRefusedInput(await postGraphql(production.url, { query: 'mutation { register(' }));
      expectRefusedInput(await postGraphql(production.url, { query: queryOfDepth(50) }));
    });
  });
});
