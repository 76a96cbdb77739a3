import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { login } from '../helpers/accounts.js';
import { verify } from '../helpers/forward-auth.js';
import type { Gateway } from '../helpers/gateway.js';
import { useGateway, useGatewayBehindMysqlProxy } from '../helpers/gateway-hooks.js';
import { exchange } from '../helpers/http.js';
import { insertUser } from '../helpers/legacy-users.js';
import { waitUntil } from '../helpers/wait.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface LogLine {
  msg: string;
  reqId?: string;
  req?: { method: string; url: string; remoteAddress: string };
  res?: { statusCode: number };
  responseTime?: number;
  [key: string]: unknown;
}

/** A gateway logging at debug into memory, and its lines so far. */
function loggedGateway(env: Record<string, string>) {
  const lines: LogLine[] = [];
  const logStream = new PassThrough();
  logStream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as LogLine);
  });
  const gw = useGateway({ env: { LOG_LEVEL: 'debug', ...env }, logStream });
  /** The lines of one request, once its completion line is written. */
  const linesOf = async (reqId: string): Promise<LogLine[]> => {
    const completed = async () => lines.some((line) => line.reqId === reqId && line.msg === 'request completed');
    await waitUntil(completed, { timeoutMs: 1000, intervalMs: 20, what: `the completion line of ${reqId}` });
    return lines.filter((line) => line.reqId === reqId);
  };
  return { gw, linesOf };
}

let users = 0;
async function signedIn(gw: Gateway): Promise<string> {
  const username = `faops${String(++users).padStart(4, '0')}`;
  await insertUser(gw.db, username);
  return (await login(gw.url, username)).token;
}

describe('/auth/verify carries what every other answer does: its log lines and request id', () => {
  const { gw, linesOf } = loggedGateway({ TRUST_PROXY: '1' });

  it('logs its arrival at debug and one completion line at info, in the shape of a REST route’s', async () => {
    const token = await signedIn(gw());
    const headers = { authorization: `Bearer ${token}`, 'x-forwarded-for': '203.0.113.7' };
    await exchange(`${gw().url}/api/auth/me`, { headers: { ...headers, 'x-request-id': 'fa-me-1' } });
    const path = '/auth/verify?role=user&password=hunter2-5ecret';
    const answer = await verify(gw().url, { path, headers: { ...headers, 'x-request-id': 'fa-verify-1' } });
    expect(answer.status).toBe(200);

    const [meArrival, meDone] = await linesOf('fa-me-1');
    const [arrival, done, ...more] = await linesOf('fa-verify-1');
    expect(more).toEqual([]);
    expect(arrival).toMatchObject({ level: 20, msg: 'incoming request', req: { method: 'GET' } });
    expect(Object.keys(arrival!).sort()).toEqual(Object.keys(meArrival!).sort());
    expect(done).toMatchObject({
      level: 30,
      msg: 'request completed',
      req: { method: 'GET', url: '/auth/verify?role=user&password=%5Bredacted%5D', remoteAddress: '203.0.113.7' },
      res: { statusCode: 200 },
    });
    expect(done!.responseTime).toBeGreaterThan(0);
    expect(Object.keys(done!).sort()).toEqual(Object.keys(meDone!).sort());
    expect(meDone!.req!.remoteAddress, 'both read the client through TRUST_PROXY').toBe('203.0.113.7');
    expect(JSON.stringify(await linesOf('fa-verify-1'))).not.toContain('hunter2');
  });

  it('logs a refusal’s status too, and answers every request with its id', async () => {
    const answer = await verify(gw().url, { token: 'not-a-jwt', headers: { 'x-request-id': 'fa-verify-2' } });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('x-request-id')).toBe('fa-verify-2');
    expect((await linesOf('fa-verify-2'))[1]).toMatchObject({ res: { statusCode: 401 } });

    const garbled = await verify(gw().url, { headers: { 'x-request-id': 'two words' } });
    expect(garbled.headers.get('x-request-id'), 'an id that could garble the log is replaced').toMatch(UUID);
    expect((await verify(gw().url)).headers.get('x-request-id')).toMatch(UUID);
  });
});

describe('/auth/verify without TRUST_PROXY', () => {
  const { gw, linesOf } = loggedGateway({});

  it('logs the socket’s address, whatever X-Forwarded-For claims', async () => {
    const headers = { 'x-forwarded-for': '203.0.113.7', 'x-request-id': 'fa-direct-1' };
    expect((await verify(gw().url, { headers })).status).toBe(401);
    expect((await linesOf('fa-direct-1'))[1]?.req?.remoteAddress).toBe('127.0.0.1');
  });
});

/** One GET over a kept-alive connection, as a proxy's pool would send it: its status and headers. */
function keptAliveGet(url: string, headers: Record<string, string>, agent: Agent) {
  return new Promise<{ status: number; headers: IncomingHttpHeaders }>((resolve, reject) => {
    const sent = httpRequest(url, { agent, headers }, (answer) => {
      answer.resume();
      answer.on('end', () => resolve({ status: answer.statusCode ?? 0, headers: answer.headers }));
    });
    sent.on('error', reject);
    sent.end();
  });
}

describe('/auth/verify while the app closes', () => {
  const behindProxy = useGatewayBehindMysqlProxy();

  it('a check in flight is answered, with Connection: close on its kept-alive connection', async () => {
    const [gateway, proxy] = [behindProxy.gw(), behindProxy.proxy()];
    const token = await signedIn(gateway);
    const agent = new Agent({ keepAlive: true });
    const headers = { authorization: `Bearer ${token}` };
    const before = await keptAliveGet(`${gateway.url}/auth/verify`, headers, agent);
    expect(before.status).toBe(200);
    expect(before.headers.connection).toBe('keep-alive');

    // The database hangs, so the next check waits on it while the app begins closing.
    proxy.freeze();
    const inFlight = keptAliveGet(`${gateway.url}/auth/verify`, headers, agent);
    await sleep(300);
    const closed = gateway.close();
    await sleep(200);
    proxy.thaw();
    const answer = await inFlight;
    await closed;
    agent.destroy();
    expect(answer.status).toBe(200);
    expect(answer.headers['x-auth-user-id']).toBeDefined();
    expect(answer.headers.connection).toBe('close');
  });
});
