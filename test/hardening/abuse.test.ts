import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { median } from '../helpers/failures.js';
import { type Gateway, startGateway } from '../helpers/gateway.js';
import { fragmentBomb, queryOfDepth, queryWithAliases } from '../helpers/graphql-documents.js';
import { exchange } from '../helpers/http.js';

/** Every refusal (and the one cheap request below) is answered this fast: no abuse ties the server up. */
const ANSWER_WITHIN_MS = 1000;
const BODY_LIMIT = 102_400;

const nestedArrays = (depth: number) => `${'['.repeat(depth)}"x"${']'.repeat(depth)}`;
const graphqlBody = (query: string, variables?: string) =>
  variables === undefined ? JSON.stringify({ query }) : `{"query":${JSON.stringify(query)},"variables":${variables}}`;

interface Abuse {
  name: string;
  /** The production gateway (introspection off) instead of the default one. */
  production?: true;
  path: '/graphql' | '/api/auth/login';
  body: string;
  status: number;
  /** GraphQL: every error's extensions.code; REST: the envelope's code. */
  code: string | number | null;
}

const graphql = (name: string, body: string, status = 400, code: string | null = 'BAD_USER_INPUT'): Abuse => ({
  name,
  path: '/graphql',
  body,
  status,
  code,
});

const SMALL_QUERY = '{ responseCodes { code } }';
const CAPTCHA_FOR = 'mutation ($u: String) { requestCaptcha(username: $u) { captchaKey } }';

const restLogin = (name: string, body: string): Abuse => ({
  name,
  path: '/api/auth/login',
  body,
  status: 400,
  code: 10001,
});

const ABUSES: Abuse[] = [
  graphql('depth 50, five times the limit', graphqlBody(queryOfDepth(50))),
  graphql('nesting 5 000 deep, stopped by the token limit before the parser recurses', graphqlBody(queryOfDepth(5000))),
  graphql('1 000 aliases', graphqlBody(queryWithAliases(1000))),
  graphql('fragments that expand to 2^40 fields', graphqlBody(fragmentBomb(40))),
  graphql('a fragment cycle', graphqlBody('{ ...a } fragment a on Query { ...b } fragment b on Query { ...a }')),
  graphql('50 directives on one field', graphqlBody(`{ responseCodes ${'@include(if: true) '.repeat(50)}{ code } }`)),
  graphql('a query text of 19 000 fields (95 KB)', graphqlBody(`{ responseCodes { ${'code '.repeat(19_000)}} }`)),
  graphql('95 KB of comments around a small query: answered', graphqlBody(SMALL_QUERY + '#'.repeat(95_000)), 200, null),
  graphql('a body over BODY_LIMIT', graphqlBody(SMALL_QUERY + '#'.repeat(BODY_LIMIT)), 413, 'PAYLOAD_TOO_LARGE'),
  graphql('a batch of 1 000 operations', JSON.stringify(Array.from({ length: 1000 }, () => ({ query: SMALL_QUERY })))),
  graphql('variables nested 45 000 deep', graphqlBody(CAPTCHA_FOR, `{"u":${nestedArrays(45_000)}}`)),
  { ...graphql('introspection in production', graphqlBody('{ __schema { types { name } } }')), production: true },
  restLogin('a REST body nested 45 000 deep', `{"username":${nestedArrays(45_000)}}`),
  restLogin('a REST body nested past PHP’s 512 levels', `{"username":${nestedArrays(600)}}`),
];

describe('abuse gets a clear answer in bounded time', () => {
  let gw: Gateway;
  let production: Gateway;
  beforeAll(async () => {
    gw = await startGateway();
    production = await startGateway({ env: { NODE_ENV: 'production' }, shareWith: gw });
  });
  afterAll(async () => {
    await production?.close();
    await gw?.close();
  });

  it.each(ABUSES.map((abuse) => [abuse.name, abuse] as const))('%s', async (_name, abuse) => {
    const target = abuse.production ? production : gw;
    const answer = await exchange(`${target.url}${abuse.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: abuse.body,
    });
    expect(answer.status, answer.text.slice(0, 300)).toBe(abuse.status);
    expect(answer.text).not.toMatch(/stacktrace|\n\s+at /);
    if (abuse.path === '/graphql') {
      const codes = (answer.json.errors ?? []).map((e: { extensions: { code: string } }) => e.extensions.code);
      expect(codes.length ? [...new Set(codes)] : [null]).toEqual([abuse.code]);
    } else {
      expect(answer.json).toMatchObject({ data: null, code: abuse.code });
    }
    expect(answer.ms).toBeLessThan(ANSWER_WITHIN_MS);
  });
});

describe('error messages that echo the input', () => {
  let production: Gateway;
  beforeAll(async () => {
    production = await startGateway({ env: { NODE_ENV: 'production' } });
  });
  afterAll(async () => production?.close());

  /** A 97 KB login whose variable echoes back a phrase the suggestion filter looks for, 7 500 times. */
  const loginWith = (filler: string) =>
    JSON.stringify({
      query: 'mutation ($input: LoginInput!) { login(input: $input) { accessToken } }',
      variables: { input: { username: { x: filler }, password: 'x' } },
    });
  const echoing = loginWith('Did you mean '.repeat(7500));
  const plain = loginWith('x'.repeat('Did you mean '.length * 7500));

  const post = (body: string) =>
    exchange(`${production.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  /** Medians of the two bodies sent in turn, so both meet the same load from the rest of the suite. */
  const medianMsOf = async (first: string, second: string): Promise<[number, number]> => {
    const samples: [number[], number[]] = [[], []];
    for (let i = 0; i < 9; i++) {
      samples[0].push((await post(first)).ms);
      samples[1].push((await post(second)).ms);
    }
    return [median(samples[0]), median(samples[1])];
  };

  it('are formatted in time linear in their size, while /healthz stays prompt', async () => {
    expect(echoing.length).toBeGreaterThan(97_000);
    const single = await post(echoing);
    expect(single.status, single.text.slice(0, 300)).toBe(400);
    expect(single.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    // Against a body of the same size that echoes nothing the filter looks for, in the same conditions.
    const [echoingMs, plainMs] = await medianMsOf(echoing, plain);
    expect(echoingMs).toBeLessThan(250);
    // Quadratic formatting made this over 100; linear keeps it near 1.
    expect(echoingMs / plainMs).toBeLessThan(4);

    const [health] = await Promise.all([
      exchange(`${production.url}/healthz`),
      ...Array.from({ length: 4 }, () => post(echoing)),
    ]);
    expect(health.status).toBe(200);
    expect(health.ms).toBeLessThan(500);
  });
});
