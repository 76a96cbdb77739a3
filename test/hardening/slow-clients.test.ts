import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { useGateway } from '../helpers/gateway-hooks.js';
import { exchange } from '../helpers/http.js';

const REQUEST_TIMEOUT_S = 2;
/** The timeout, plus Node's check interval and some scheduling slack. */
const CLOSED_WITHIN_MS = REQUEST_TIMEOUT_S * 1000 + 2000;

interface Closed {
  ms: number;
  received: string;
}

/** Opens a raw connection, sends `start`, then `drip` once every `everyMs` until the server closes it. */
function slowClient(url: string, start: string, drip?: { chunk: string; everyMs: number }): Promise<Closed> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host: hostname, port: Number(port) });
    const opened = performance.now();
    let received = '';
    let timer: NodeJS.Timeout | undefined;
    const giveUp = setTimeout(() => {
      socket.destroy();
      reject(new Error(`still open after ${CLOSED_WITHIN_MS * 2} ms`));
    }, CLOSED_WITHIN_MS * 2);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      resolve({ ms: performance.now() - opened, received });
    });
    socket.on('connect', () => {
      socket.write(start);
      if (drip) timer = setInterval(() => socket.writable && socket.write(drip.chunk), drip.everyMs);
    });
  });
}

const LOGIN_HEAD =
  'POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n';

describe('slow clients cannot hold the server', () => {
  const gateway = useGateway({ env: { REQUEST_TIMEOUT: String(REQUEST_TIMEOUT_S) } });

  it.concurrent('closes a request whose body stalls after its headers', async () => {
    const closed = await slowClient(gateway().url, `${LOGIN_HEAD}{"username":`);
    expect(closed.ms).toBeLessThan(CLOSED_WITHIN_MS);
    expect(closed.received).toMatch(/^HTTP\/1\.1 408/);
  });

  it.concurrent('closes a request whose body drips in a byte at a time', async () => {
    const closed = await slowClient(gateway().url, `${LOGIN_HEAD}{"username":"`, { chunk: 'a', everyMs: 200 });
    expect(closed.ms).toBeGreaterThan(REQUEST_TIMEOUT_S * 1000 - 100);
    expect(closed.ms).toBeLessThan(CLOSED_WITHIN_MS);
  });

  it.concurrent('closes a connection whose headers never finish', async () => {
    const closed = await slowClient(gateway().url, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n', {
      chunk: 'X-Slow: 1\r\n',
      everyMs: 200,
    });
    expect(closed.ms).toBeLessThan(CLOSED_WITHIN_MS);
  });

  it('keeps answering requests that arrive in time', async () => {
    const answer = await exchange(`${gateway().url}/healthz`);
    expect(answer.status).toBe(200);
  });
});
