import { expect } from 'vitest';
import { expectNoStackTrace } from './assertions.js';
import { ops } from './graphql.js';
import { type ExchangeOptions, exchange, type TimedAnswer } from './http.js';

/**
 * What one call of an operation came to, in terms both transports share: the GraphQL
 * `extensions.code`, or for REST the code its exceptional answers stand for (401, 429, 503, 500,
 * and 10001); REST's other business errors carry only their `legacyCode`.
 */
export interface Outcome {
  ok: boolean;
  status: number;
  code?: string;
  legacyCode?: number;
  retryAfter?: number;
  /** The operation's result on success. */
  data?: any;
  answer: TimedAnswer;
}

/** Where requests come from: a loopback source address, and headers (a forwarded-for, say). */
export interface Origin extends Pick<ExchangeOptions, 'from' | 'timeoutMs' | 'agent'> {
  headers?: Record<string, string>;
}

export interface Transport {
  name: 'GraphQL' | 'REST';
  captcha(username?: string): Promise<Outcome>;
  /** Fields in GraphQL's camelCase; REST sends them as the legacy snake_case parameters. */
  register(input: Record<string, string>): Promise<Outcome>;
  login(username: string, password: string): Promise<Outcome>;
  me(token?: string): Promise<Outcome>;
  refresh(token?: string): Promise<Outcome>;
  logout(token?: string): Promise<Outcome>;
}

/** The access token an operation answered with. */
export function tokenOf(outcome: Outcome): string {
  expect(outcome.ok, JSON.stringify(outcome.answer.json)).toBe(true);
  return (outcome.data.accessToken ?? outcome.data.access_token) as string;
}

const bearer = (token?: string): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});

function graphqlOutcome(answer: TimedAnswer, field: string): Outcome {
  expectNoStackTrace(answer.text);
  expect(answer.json, answer.text).toBeDefined();
  const error = answer.json.errors?.[0];
  if (!error) return { ok: true, status: answer.status, data: answer.json.data[field], answer };
  const { code, legacyCode, retryAfter } = error.extensions ?? {};
  return { ok: false, status: answer.status, code, legacyCode, retryAfter, answer };
}

export function graphqlTransport(baseUrl: string, origin: Origin = {}): Transport {
  const call = async (query: string, field: string, variables: object = {}, token?: string) => {
    const answer = await exchange(`${baseUrl}/graphql`, {
      ...origin,
      method: 'POST',
      headers: { 'content-type': 'application/json', ...origin.headers, ...bearer(token) },
      body: JSON.stringify({ query, variables }),
    });
    return graphqlOutcome(answer, field);
  };
  return {
    name: 'GraphQL',
    captcha: (username) => call(ops.captcha, 'requestCaptcha', { username }),
    register: (input) => call(ops.register, 'register', { input }),
    login: (username, password) => call(ops.login, 'login', { input: { username, password } }),
    me: (token) => call(ops.me, 'me', {}, token),
    refresh: (token) => call(ops.refresh, 'refresh', {}, token),
    logout: (token) => call(ops.logout, 'logout', {}, token),
  };
}

/** The exact shapes of REST's exceptional answers, each under the GraphQL code it stands for. */
function restOutcome(answer: TimedAnswer): Outcome {
  expectNoStackTrace(answer.text);
  const { status, json: body } = answer;
  const failed = (code: string | undefined, legacyCode: number, extra: Partial<Outcome> = {}): Outcome => ({
    ok: false,
    status,
    code,
    legacyCode,
    answer,
    ...extra,
  });
  switch (status) {
    case 200:
      expect(Object.keys(body ?? {}), answer.text).toEqual(expect.arrayContaining(['data', 'code', 'msg']));
      if (body.code === 20001) return { ok: true, status, legacyCode: 20001, data: body.data, answer };
      return failed(body.code === 10001 ? 'BAD_USER_INPUT' : undefined, body.code);
    case 401:
      expect(body, answer.text).toEqual({ message: 'Unauthenticated.' });
      return failed('UNAUTHENTICATED', 40005);
    case 429:
      expect(body, answer.text).toEqual({ message: 'Too Many Attempts.' });
      expect(answer.headers.get('x-ratelimit-limit')).toMatch(/^\d+$/);
      expect(answer.headers.get('x-ratelimit-remaining')).toBe('0');
      return failed('TOO_MANY_REQUESTS', 40001, { retryAfter: Number(answer.headers.get('retry-after')) });
    case 503:
      expect(body, answer.text).toEqual({ data: null, code: 50001, msg: '操作失败' });
      return failed('SERVICE_UNAVAILABLE', 50001);
    case 500:
      return failed('INTERNAL_SERVER_ERROR', 50001);
    default:
      expect(body, answer.text).toMatchObject({ data: null, code: 10001 });
      return failed('BAD_USER_INPUT', 10001);
  }
}

const snakeCase = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The legacy routes, called as the documented clients call them: parameters in the query string. */
export function restTransport(baseUrl: string, origin: Origin = {}): Transport {
  const call = async (method: string, path: string, params: Record<string, string> = {}, token?: string) => {
    const url = new URL(path, baseUrl);
    for (const [name, value] of Object.entries(params)) url.searchParams.append(snakeCase(name), value);
    const headers = { accept: 'application/json', ...origin.headers, ...bearer(token) };
    return restOutcome(await exchange(url.toString(), { ...origin, method, headers }));
  };
  return {
    name: 'REST',
    captcha: (username) => call('POST', '/api/captchas', username === undefined ? {} : { username }),
    register: (input) => call('POST', '/api/auth/register', input),
    login: (username, password) => call('POST', '/api/auth/login', { username, password }),
    me: (token) => call('GET', '/api/auth/me', {}, token),
    refresh: (token) => call('PUT', '/api/auth/refresh', {}, token),
    logout: (token) => call('DELETE', '/api/auth/logout', {}, token),
  };
}

/** Both transports to one gateway, GraphQL first. */
export function bothTransports(baseUrl: string, origin: Origin = {}): Transport[] {
  return [graphqlTransport(baseUrl, origin), restTransport(baseUrl, origin)];
}
