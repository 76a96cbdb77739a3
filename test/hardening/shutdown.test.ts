import { randomBytes } from 'node:crypto';
import { Agent } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../helpers/accounts.js';
import type { TestDatabase } from '../helpers/database.js';
import { createMigratedDatabase, TEST_JWT_SECRET } from '../helpers/gateway.js';
import { insertUser, legacyHash } from '../helpers/legacy-users.js';
import { freePort } from '../helpers/ports.js';
import { spread, times } from '../helpers/races.js';
import { clearRedisPrefix } from '../helpers/redis.js';
import { ensureBuilt, type ServerProcess, startServerProcess } from '../helpers/server-process.js';
import { TEST_REDIS_URL } from '../helpers/services-env.js';
import { bothTransports, type Outcome } from '../helpers/transports.js';
import { waitUntil } from '../helpers/wait.js';

const BUILD_TIMEOUT_MS = 180_000;
const IN_FLIGHT = 50;
const shutdownUser = (i: number): string => `shutdown${String(i).padStart(2, '0')}`;
/** Each login holds a password worker for tens of milliseconds, so the 50 queue up and stay in flight. */
const LOGIN_COST = 8;
/** In-flight requests get this long to finish. */
const SHUTDOWN_GRACE_MS = 10_000;
const LOGIN_URL = /"url":"\/(graphql|api\/auth\/login)/;

/** The login requests the server has received so far, by its own log. */
const loginsReceived = (log: string): number =>
  log.split('\n').filter((line) => line.includes('"incoming request"') && LOGIN_URL.test(line)).length;

/** Whether a new TCP connection to the port is refused. */
const refusesConnections = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });

describe('graceful shutdown of `node dist/server.js` on MariaDB and Redis', () => {
  const redisPrefix = `sgtest:${randomBytes(4).toString('hex')}:`;
  let db: TestDatabase;
  let server: ServerProcess;
  let port: number;
  // Like a load balancer's, its connections stay open between requests for as long as the server allows.
  const agent = new Agent({ keepAlive: true });

  beforeAll(async () => {
    await ensureBuilt();
    db = await createMigratedDatabase();
    // One account per login, as 50 clients would be: the failed-login lock counts attempts per account and IP.
    const passwordHash = legacyHash(PASSWORD, LOGIN_COST);
    for (let i = 0; i < IN_FLIGHT; i++) await insertUser(db, shutdownUser(i), { passwordHash });
    port = await freePort();
    server = startServerProcess(
      {
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(port),
        DATABASE_URL: db.url,
        REDIS_URL: TEST_REDIS_URL,
        REDIS_KEY_PREFIX: redisPrefix,
        JWT_SECRET: TEST_JWT_SECRET,
        BCRYPT_COST: String(LOGIN_COST),
        RATE_LIMIT_ACCESS: '0',
        // Apollo's stop is logged at debug.
        LOG_LEVEL: 'debug',
      },
      tmpdir(),
    );
    await server.waitFor(/GraphQL/);
  }, BUILD_TIMEOUT_MS);
  afterAll(async () => {
    agent.destroy();
    await server?.stop('SIGKILL');
    await db?.drop();
    await clearRedisPrefix(redisPrefix);
  });

  it(`SIGTERM with ${IN_FLIGHT} logins in flight: all complete, new connections are refused, exit 0`, async () => {
    const clients = bothTransports(`http://127.0.0.1:${port}`, { timeoutMs: SHUTDOWN_GRACE_MS, agent });
    const finishedAt: number[] = [];
    const inFlight = times(IN_FLIGHT, (i) =>
      spread(clients, i)
        .login(shutdownUser(i), PASSWORD)
        .then((outcome: Outcome) => {
          finishedAt.push(performance.now());
          return outcome;
        }),
    );
    await waitUntil(async () => loginsReceived(server.output()) >= IN_FLIGHT, {
      timeoutMs: 5000,
      intervalMs: 10,
      what: `${IN_FLIGHT} logins received`,
    });

    const signalled = performance.now();
    const exitCode = server.stop('SIGTERM');
    await waitUntil(() => refusesConnections(port), { timeoutMs: 1000, intervalMs: 10, what: 'connections refused' });
    const refusing = performance.now();

    const outcomes = await Promise.all(inFlight);
    expect(outcomes.map((o) => (o.ok ? 'ok' : `${o.status} ${o.code}`))).toEqual(times(IN_FLIGHT, () => 'ok'));
    expect(Math.max(...finishedAt), 'the last login ended after connections were refused').toBeGreaterThan(refusing);
    expect(await exitCode).toBe(0);
    expect(performance.now() - signalled).toBeLessThan(SHUTDOWN_GRACE_MS);
    // Apollo Server was stopped too: its plugins' serverWillStop ran (the drain) before the exit.
    expect(server.output()).toContain('GraphQL server stopped');
  });
});
