import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import { TEST_MYSQL_URL, TEST_REDIS_URL } from './services-env.js';

const HOW_TO_START = `
The test suite needs MariaDB (or MySQL) and Redis. Start them, or point the tests elsewhere:
  MariaDB: start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  Redis:   redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no
  or set TEST_MYSQL_URL=mysql://user:pass@host:port and TEST_REDIS_URL=redis://host:port
(npm run test:unit needs neither.)`;

async function mariadbProblem(): Promise<string | null> {
  try {
    const connection = await mysql.createConnection({ uri: TEST_MYSQL_URL, connectTimeout: 3000 });
    await connection.query('select 1');
    await connection.end();
    return null;
  } catch (err) {
    return `MariaDB at ${TEST_MYSQL_URL} is unreachable: ${(err as Error).message}`;
  }
}

async function redisProblem(): Promise<string | null> {
  const redis = new Redis(TEST_REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // The socket's own error says why ("connect ECONNREFUSED …"); the rejection only "Connection is closed".
  let socketError: Error | undefined;
  redis.on('error', (err: Error) => {
    socketError ??= err;
  });
  try {
    await redis.connect();
    await redis.ping();
    return null;
  } catch (err) {
    return `Redis at ${TEST_REDIS_URL} is unreachable: ${(socketError ?? (err as Error)).message}`;
  } finally {
    redis.disconnect();
  }
}

/** What is wrong with the backing services, one line each; empty when both answer. */
export async function serviceProblems(): Promise<string[]> {
  const problems = await Promise.all([mariadbProblem(), redisProblem()]);
  return problems.filter((problem) => problem !== null);
}

/**
 * Ends the whole run at once, saying how to fix it, when a backing service is unreachable. The
 * reason is the first thing printed: an error thrown here would reach the terminal only after
 * vitest's "No test files found", so the check writes it and exits instead.
 */
export default async function checkServices(): Promise<void> {
  const problems = await serviceProblems();
  if (problems.length === 0) return;
  process.stderr.write(`${problems.join('\n')}\n${HOW_TO_START}\n`);
  process.exit(1);
}
