import { generateKeyPairSync } from 'node:crypto';
import { connect } from 'node:net';
import { type ExchangeOptions, exchange, type TimedAnswer } from './http.js';

export interface VerifyRequest extends Omit<ExchangeOptions, 'headers'> {
  token?: string;
  /** `/auth/verify` unless given (a query string, Envoy's path prefix). */
  path?: string;
  headers?: Record<string, string>;
}

/** One request to `/auth/verify`, as a proxy's subrequest would send it. */
export function verify(
  baseUrl: string,
  { token, path = '/auth/verify', headers = {}, ...options }: VerifyRequest = {},
) {
  const authorization: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  return exchange(`${baseUrl}${path}`, { ...options, headers: { ...authorization, ...headers } });
}

/** The identity headers of a verify answer, by name (null when absent). */
export function identityHeaders(answer: TimedAnswer): Record<string, string | null> {
  const names = ['x-auth-user-id', 'x-auth-username', 'x-auth-role', 'x-auth-session-id'];
  return Object.fromEntries(names.map((name) => [name, answer.headers.get(name)]));
}

/** A chunked body's data (RFC 9112 §7.1), without its chunk sizes. */
function unchunked(body: string): string {
  let text = '';
  let rest = Buffer.from(body);
  for (;;) {
    const eol = rest.indexOf('\r\n');
    const size = Number.parseInt(rest.subarray(0, eol).toString(), 16);
    if (!size) return text;
    text += rest.subarray(eol + 2, eol + 2 + size).toString();
    rest = rest.subarray(eol + 2 + size + 2);
  }
}

export interface RawAnswer {
  status: number;
  headers: Headers;
  text: string;
}

/**
 * A request written byte for byte, header lines as given (the same name twice, say), with
 * `Connection: close`; the answer is read until the server closes.
 */
export async function rawRequest(
  baseUrl: string,
  method: string,
  path: string,
  headers: [string, string][],
): Promise<RawAnswer> {
  const { hostname, port, host } = new URL(baseUrl);
  const lines = [`${method} ${path} HTTP/1.1`, `Host: ${host}`, ...headers.map(([n, v]) => `${n}: ${v}`)];
  lines.push('Connection: close', '', '');
  const raw = await new Promise<string>((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => socket.write(lines.join('\r\n')));
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => socket.destroy(new Error(`${method} ${path}: no answer within 10 s`)));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
  });
  const [head = '', ...rest] = raw.split('\r\n\r\n');
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const answerHeaders = new Headers();
  for (const line of headerLines)
    answerHeaders.append(line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim());
  const body = rest.join('\r\n\r\n');
  const chunked = answerHeaders.get('transfer-encoding')?.includes('chunked');
  return { status: Number(statusLine.split(' ')[1]), headers: answerHeaders, text: chunked ? unchunked(body) : body };
}

export type IdentityKeyKind = 'ed25519' | 'p256';

export interface IdentityKeyPair {
  privatePem: string;
  publicPem: string;
}

/** A fresh identity key pair, PEM (PKCS #8 and SPKI), as an operator would make with openssl. */
export function identityKeyPair(kind: IdentityKeyKind = 'ed25519'): IdentityKeyPair {
  const { privateKey, publicKey } =
    kind === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
  };
}
