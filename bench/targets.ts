import type autocannon from 'autocannon';

/** One thing to load: where, the requests every connection cycles through, and what a success looks like. */
export interface Target {
  name: string;
  url: string;
  requests: autocannon.Request[];
  verify: (body: string) => boolean;
}

export interface Credentials {
  username: string;
  password: string;
}

export const ME_QUERY = '{ me { id username name } }';
const LOGIN_MUTATION =
  'mutation Login($input: LoginInput!) { login(input: $input) { accessToken user { id username } } }';

const bearer = (token: string) => ({ authorization: `Bearer ${token}`, accept: 'application/json' });
const json = { 'content-type': 'application/json', accept: 'application/json' };
const hasUser = (body: string) => body.includes('"username":"benchuser');

export function meRest(url: string, tokens: string[], name = 'me REST'): Target {
  return {
    name,
    url,
    requests: tokens.map((token) => ({ method: 'GET', path: '/api/auth/me', headers: bearer(token) })),
    verify: (body) => hasUser(body) && body.includes('"code":20001'),
  };
}

/** A forward-auth check as nginx's auth_request sends it: a GET with the client's Authorization; success is an empty 200. */
export function verifyTarget(url: string, tokens: string[], name = 'verify'): Target {
  return {
    name,
    url,
    requests: tokens.map((token) => ({
      method: 'GET',
      path: '/auth/verify',
      headers: { authorization: `Bearer ${token}` },
    })),
    verify: (body) => body === '',
  };
}

export function meGraphql(url: string, tokens: string[], name = 'me GraphQL'): Target {
  const body = JSON.stringify({ query: ME_QUERY });
  return {
    name,
    url,
    requests: tokens.map((token) => ({
      method: 'POST',
      path: '/graphql',
      headers: { ...json, ...bearer(token) },
      body,
    })),
    verify: (body) => hasUser(body) && !body.includes('"errors"'),
  };
}

export function loginRest(url: string, logins: Credentials[]): Target {
  return {
    name: 'login REST',
    url,
    requests: logins.map((login) => ({
      method: 'POST',
      path: '/api/auth/login',
      headers: json,
      body: JSON.stringify(login),
    })),
    verify: (body) => body.includes('"access_token"') && body.includes('"code":20001'),
  };
}

export function loginGraphql(url: string, logins: Credentials[]): Target {
  return {
    name: 'login GraphQL',
    url,
    requests: logins.map((input) => ({
      method: 'POST',
      path: '/graphql',
      headers: json,
      body: JSON.stringify({ query: LOGIN_MUTATION, variables: { input } }),
    })),
    verify: (body) => body.includes('"accessToken"') && !body.includes('"errors"'),
  };
}

/** Why a target does not work, or null when its first request answers as a success. */
export async function checkTarget(target: Target): Promise<string | null> {
  const [request] = target.requests;
  if (!request) return 'no requests';
  try {
    const response = await fetch(new URL(request.path ?? '/', target.url), {
      method: request.method,
      headers: request.headers as Record<string, string>,
      body: request.body as string | undefined,
      signal: AbortSignal.timeout(10_000),
    });
    const body = await response.text();
    if (response.ok && target.verify(body)) return null;
    return `HTTP ${response.status}: ${body.slice(0, 300)}`;
  } catch (err) {
    return String(err);
  }
}
