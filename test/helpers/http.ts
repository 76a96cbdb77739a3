import { type Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: any;
}

function parsedOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** One raw HTTP exchange, for requests `gql()` cannot make (bad bodies, GET, odd content types). */
export async function send(url: string, init: RequestInit = {}): Promise<HttpAnswer> {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: parsedOrUndefined(text) };
}

/** A POST to `/graphql` with a body sent exactly as given (a string is not re-encoded). */
export function postGraphql(baseUrl: string, body: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  return send(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export interface ExchangeOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** A loopback source address (any of 127.0.0.0/8): the client IP the gateway sees on the socket. */
  from?: string;
  /** Gives up on an answer that takes longer, so a hanging server fails the test instead of stalling it. */
  timeoutMs?: number;
  /** Connections to reuse, as a load balancer keeps them; node:http's global agent by default. */
  agent?: Agent;
}

export interface TimedAnswer extends HttpAnswer {
  /** Milliseconds from sending to the end of the answer. */
  ms: number;
}

/** One HTTP exchange over node:http, which, unlike fetch, can choose the source address. */
export function exchange(url: string, options: ExchangeOptions = {}): Promise<TimedAnswer> {
  const { method = 'GET', headers = {}, body, from, timeoutMs = 10_000, agent } = options;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    // node:http would send a GET's or DELETE's body without declaring it, as the start of another request.
    const length = body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) };
    const signal = AbortSignal.timeout(timeoutMs);
    const requestOptions = { method, headers: { ...headers, ...length }, localAddress: from, signal, agent };
    const req = request(url, requestOptions, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('error', reject);
      res.on('end', () => {
        const answerHeaders = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          for (const item of [value ?? []].flat()) answerHeaders.append(name, item);
        }
        const ms = performance.now() - started;
        resolve({ status: res.statusCode ?? 0, headers: answerHeaders, text, json: parsedOrUndefined(text), ms });
      });
    });
    req.on('error', (err) =>
      reject(signal.aborted ? new Error(`${method} ${url}: no answer within ${timeoutMs} ms`) : err),
    );
    req.end(body);
  });
}
