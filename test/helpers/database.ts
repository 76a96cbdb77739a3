import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { TEST_MYSQL_URL } from './services-env.js';

/**
 * The session zone of a TestDatabase's own client: the legacy service's connection had `timezone`
 * +08:00 (the legacy PRC), so fixture timestamps are PRC wall-clock times whatever the server's default zone.
 */
export const LEGACY_SESSION_TIME_ZONE = '+08:00';

export interface TestDatabase {
  url: string;
  name: string;
  /** Runs SQL on this database outside the ORM (fixtures, assertions), as the legacy service did: session zone +08:00. */
  query<T = unknown>(sql: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

/** TEST_MYSQL_URL names the server (and perhaps a database of its own): the same server, another database. */
export function databaseUrl(name: string, serverUrl = TEST_MYSQL_URL): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * A fresh, empty MariaDB database for one test file, on the shared test server or on the one
 * `serverUrl` names (a private server, say); `drop()` removes it.
 */
export async function createTestDatabase(serverUrl = TEST_MYSQL_URL): Promise<TestDatabase> {
  const name = `storegate_test_${randomBytes(5).toString('hex')}`;
  const admin = await mysql.createConnection({ uri: serverUrl });
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  const url = databaseUrl(name, serverUrl);
  const pool = mysql.createPool({ uri: url, connectionLimit: 2, dateStrings: true });
  // mysql2 runs the SET before any query the new connection is given.
  pool.pool.on('connection', (connection) => {
    connection.query('SET time_zone = ?', [LEGACY_SESSION_TIME_ZONE], (err) => err && connection.destroy());
  });
  return {
    url,
    name,
    async query<T>(sql: string, params: unknown[] = []) {
      const [rows] = await pool.query(sql, params);
      return rows as T[];
    },
    async drop() {
      await pool.end();
      const conn = await mysql.createConnection({ uri: serverUrl });
      await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await conn.end();
    },
  };
}
