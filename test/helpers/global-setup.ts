import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import { TEST_MYSQL_URL, TEST_REDIS_URL } from './services-env.js';

const HOW_TO_START = `
The test suite needs MariaDB (or MySQL) and Redis. Start them, or point the tests elsewhere:
  MariaDB: start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  Redis:   redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no
  or set TEST_MYSQL_URL=mysql://user:pass@host:port and TEST_REDIS_URL=redis://host:port`;

/** Fails the whole run at once, saying how to fix it, when a backing service is unreachable. */
export default async function checkServices(): Promise<void> {
  const problems: string[] = [];
  try {
    const connection = await mysql.createConnection({ uri: TEST_MYSQL_URL, connectTimeout: 3000 });
    await connection.query('select 1');
    await connection.end();
  } catch (err) {
    problems.push(`MariaDB at ${TEST_MYSQL_URL} is unreachable: ${(err as Error).message}`);
  }
  const redis = new Redis(TEST_REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    problems.push(`Redis at ${TEST_REDIS_URL} is unreachable: ${(err as Error).message}`);
  } finally {
    redis.disconnect();
  }
  if (problems.length > 0) throw new Error(`${problems.join('\n')}\n${HOW_TO_START}`);
}
