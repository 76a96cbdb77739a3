import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedGateway } from '../helpers/gateway.js';
import { gql, ops } from '../helpers/graphql.js';
import { send } from '../helpers/http.js';
import { type Labels, parseMetrics, sampleValue } from '../helpers/prometheus.js';
import { rest } from '../helpers/rest.js';

type EmbeddedGateway = Awaited<ReturnType<typeof startEmbeddedGateway>>;

const LOGIN_MAX_ATTEMPTS = 2;

async function scrape(gateway: EmbeddedGateway) {
  const answer = await send(`${gateway.url}/metrics`);
  expect(answer.status).toBe(200);
  expect(answer.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseMetrics(answer.text);
}

describe('GET /metrics', () => {
  let gateway: EmbeddedGateway;
  let other: EmbeddedGateway;
  beforeAll(async () => {
    const env = { LOGIN_MAX_ATTEMPTS: String(LOGIN_MAX_ATTEMPTS) };
    [gateway, other] = await Promise.all([startEmbeddedGateway(env), startEmbeddedGateway(env)]);

    const graphqlLogin = () => gql(gateway.url, ops.login, { input: { username: 'nobody01', password: 'wrong-pass' } });
    for (let i = 0; i <= LOGIN_MAX_ATTEMPTS; i++) await graphqlLogin();
    await gql(gateway.url, '{ codes: responseCodes { code } me { id } }');
    await gql(gateway.url, '{ noSuchField }');

    const restLogin = () =>
      rest(gateway.url, 'POST', '/api/auth/login', { query: { username: 'nobody02', password: 'wrong-pass' } });
    for (let i = 0; i <= LOGIN_MAX_ATTEMPTS; i++) await restLogin();
    await rest(gateway.url, 'GET', '/api/response_code');
    await rest(gateway.url, 'GET', '/api/auth/me');
    await rest(gateway.url, 'GET', '/api/no/such/path/42');
  });
  afterAll(async () => {
    await gateway?.close();
    await other?.close();
  });

  it('exposes the default process metrics', async () => {
    const names = new Set((await scrape(gateway)).map((s) => s.name));
    const defaults = [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
    ];
    for (const name of defaults) {
      expect(names.has(name), name).toBe(true);
    }
  });

  it('counts GraphQL requests by root field and extensions.code', async () => {
    const samples = await scrape(gateway);
    const requests = (operation: string, outcome: string) =>
      sampleValue(samples, 'storegate_requests_total', { transport: 'graphql', operation, outcome });
    expect(requests('login', 'INVALID_CREDENTIALS')).toBe(LOGIN_MAX_ATTEMPTS);
    expect(requests('login', 'TOO_MANY_REQUESTS')).toBe(1);
    expect(requests('responseCodes', 'OK')).toBe(1);
    expect(requests('me', 'UNAUTHENTICATED')).toBe(1);
    expect(requests('(invalid)', 'BAD_USER_INPUT')).toBe(1);
  });

  it('counts REST requests by route and business code, or status when there is no envelope', async () => {
    const samples = await scrape(gateway);
    const requests = (operation: string, outcome: string) =>
      sampleValue(samples, 'storegate_requests_total', { transport: 'rest', operation, outcome });
    expect(requests('POST /api/auth/login', '10003')).toBe(LOGIN_MAX_ATTEMPTS);
    expect(requests('POST /api/auth/login', '429')).toBe(1);
    expect(requests('GET /api/response_code', '20001')).toBe(1);
    expect(requests('GET /api/auth/me', '401')).toBe(1);
    expect(requests('GET (unmatched)', '40004')).toBe(1);
    expect(samples.some((s) => s.labels.operation?.includes('/no/such/path'))).toBe(false);
  });

  it('has latency histograms, login failures and throttles for both transports', async () => {
    const samples = await scrape(gateway);
    for (const [transport, operation] of [
      ['graphql', 'login'],
      ['rest', 'POST /api/auth/login'],
    ] as const) {
      const value = (name: string, labels: Labels = { operation }) =>
        sampleValue(samples, name, { transport, ...labels });
      const attempts = LOGIN_MAX_ATTEMPTS + 1;
      expect(value('storegate_request_duration_seconds_count')).toBe(attempts);
      expect(value('storegate_request_duration_seconds_bucket', { operation, le: '+Inf' })).toBe(attempts);
      expect(value('storegate_request_duration_seconds_sum')).toBeGreaterThan(0);
      expect(value('storegate_login_failures_total', { reason: 'invalid_credentials' })).toBe(LOGIN_MAX_ATTEMPTS);
      expect(value('storegate_throttled_requests_total')).toBe(1);
    }
  });

  it("shows the password pool's queue length and wait time", async () => {
    const samples = await scrape(gateway);
    expect(samples.find((s) => s.name === 'storegate_password_queue_length')?.value).toBe(0);
    const waits = samples.filter((s) => s.name === 'storegate_password_queue_wait_seconds');
    expect(waits.map((s) => s.labels.quantile)).toEqual(['0.5', '0.9', '0.99']);
    for (const wait of waits) expect(wait.value).toBeGreaterThanOrEqual(0);
  });

  it('keeps one registry per app: another app has its own counts and outlives its neighbour', async () => {
    await gateway.close();
    const samples = await scrape(other);
    expect(sampleValue(samples, 'storegate_login_failures_total', { transport: 'graphql' })).toBe(0);
    expect(samples.some((s) => s.name === 'process_cpu_user_seconds_total')).toBe(true);
  });
});
