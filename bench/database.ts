import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import bcrypt from 'bcryptjs';
import mysql from 'mysql2/promise';
import { REPO_ROOT } from './paths.js';

const run = promisify(execFile);
const SEED_BATCH = 1000;

export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function createDatabase(serverUrl: string, database: string): Promise<void> {
  const admin = await mysql.createConnection({ uri: serverUrl });
  try {
    await admin.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await admin.end();
  }
}

export async function dropDatabase(serverUrl: string, database: string): Promise<void> {
  const admin = await mysql.createConnection({ uri: serverUrl });
  try {
    await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
  } finally {
    await admin.end();
  }
}

/** The schema comes from the built CLI, so it is exactly what `storegate migrate` applies. */
export async function migrate(url: string): Promise<void> {
  await run(process.execPath, ['bin/storegate.js', 'migrate'], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, NODE_ENV: 'development', DATABASE_URL: url, LOG_LEVEL: 'warn' },
    timeout: 60_000,
  });
}

export function benchUsername(index: number): string {
  return `benchuser${String(index).padStart(6, '0')}`;
}

/**
 * Inserts `count` enabled users sharing one password. One hash serves them all: hashing 10 000
 * passwords at the real cost would take minutes and measure nothing.
 */
export interface SeededUser {
  id: number;
  username: string;
}

export async function seedUsers(url: string, count: number, password: string, cost: number): Promise<SeededUser[]> {
  const hash = bcrypt.hashSync(password, cost).replace(/^\$2[ab]\$/, '$2y$');
  const conn = await mysql.createConnection({ uri: url });
  try {
    for (let first = 1; first <= count; first += SEED_BATCH) {
      const rows = [];
      for (let i = first; i < Math.min(first + SEED_BATCH, count + 1); i++) {
        rows.push([`Bench User ${i}`, benchUsername(i), hash, 'BENCH', 1, new Date(), new Date()]);
      }
      await conn.query(
        'INSERT INTO users (name, username, password, invitation_code, status, created_at, updated_at) VALUES ?',
        [rows],
      );
    }
    const [users] = await conn.query<mysql.RowDataPacket[]>('SELECT id, username FROM users ORDER BY id');
    return users.map((row) => ({ id: Number(row.id), username: String(row.username) }));
  } finally {
    await conn.end();
  }
}
