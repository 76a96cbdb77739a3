import { connect } from 'node:net';
import { newInvitationCode, PASSWORD, registerUser } from './accounts.js';
import { CAPTCHA_CODE, type Gateway } from './gateway.js';

export interface RestResponse<T = any> {
  status: number;
  headers: Headers;
  /** The parsed JSON answer, or null when there is none. */
  body: T;
}

export interface RestRequest {
  query?: Record<string, string>;
  /** Sent as a JSON body. */
  json?: unknown;
  /** Sent as a form-urlencoded body. */
  form?: Record<string, string>;
  /** Sent as is (set `content-type` in `headers`). */
  raw?: string;
  token?: string;
  headers?: Record<string, string>;
}

/**
 * One REST request over real HTTP, as the documented clients send it: `Accept: application/json`,
 * redirects not followed.
 */
export async function rest<T = any>(
  baseUrl: string,
  method: string,
  path: string,
  { query, json, form, raw, token, headers = {} }: RestRequest = {},
): Promise<RestResponse<T>> {
  const url = new URL(path, baseUrl);
  for (const [key, value] of Object.entries(query ?? {})) url.searchParams.append(key, value);
  const contentType = json !== undefined ? 'application/json' : form ? 'application/x-www-form-urlencoded' : undefined;
  const response = await fetch(url, {
    method,
    redirect: 'manual',
    headers: {
      accept: 'application/json',
      ...(contentType && { 'content-type': contentType }),
      ...(token && { authorization: `Bearer ${token}` }),
      ...headers,
    },
    body: json !== undefined ? JSON.stringify(json) : form ? new URLSearchParams(form).toString() : raw,
  });
  const text = await response.text();
  const isJson = response.headers.get('content-type')?.includes('json') && text !== '';
  return { status: response.status, headers: response.headers, body: (isJson ? JSON.parse(text) : null) as T };
}

export interface RegisteredUser {
  username: string;
  password: string;
  token: string;
  id: number;
}

/** A fresh invitation code: `newInvitationCode` of accounts.ts, kept under this name for its importers. */
export async function invitationCode(gw: Gateway, uses = 1): Promise<string> {
  return newInvitationCode(gw.app, uses);
}

/** The parameters of a valid registration, with a fresh captcha and invitation code. */
export async function registrationParams(gw: Gateway, username: string, password = PASSWORD) {
  const captcha = await rest(gw.url, 'POST', '/api/captchas', { query: { username } });
  return {
    name: `Name ${username}`,
    username,
    password,
    password_confirmation: password,
    invitation_code: await newInvitationCode(gw.app),
    captcha_key: captcha.body.data.captcha_key as string,
    captcha_code: CAPTCHA_CODE,
  };
}

/** A user registered through REST (`registerUser` of accounts.ts), with a fresh invitation code of the gateway. */
export async function registerViaRest(gw: Gateway, username: string, password = PASSWORD): Promise<RegisteredUser> {
  const account = await registerUser(gw.url, await newInvitationCode(gw.app), { username, password, via: 'REST' });
  return { username, password, token: account.token, id: Number(account.id) };
}

/**
 * A request written byte for byte as curl sends it: no body and, unlike fetch and node:http, no
 * `Content-Length` either. The answer is read until the server closes the connection.
 */
export async function curlRequest(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string>,
): Promise<RestResponse> {
  const { hostname, port, host } = new URL(baseUrl);
  const lines = [`${method} ${path} HTTP/1.1`, `Host: ${host}`, 'User-Agent: curl/8.5.0'];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  lines.push('Connection: close', '', '');
  const raw = await new Promise<string>((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => socket.write(lines.join('\r\n')));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
  });
  const [head = '', ...rest] = raw.split('\r\n\r\n');
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const responseHeaders = new Headers(
    headerLines.map(
      (line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()] as [string, string],
    ),
  );
  const text = rest.join('\r\n\r\n');
  const isJson = responseHeaders.get('content-type')?.includes('json') && text !== '';
  return { status: Number(statusLine.split(' ')[1]), headers: responseHeaders, body: isJson ? JSON.parse(text) : null };
}
