/**
 * The admin queries at scale: seeds 1 000 000 users, 1 000 000 sessions and 1 000 000 audit
 * events into a throw-away database, then runs `users`, `user` and `auditEvents` through the
 * gateway's own services, printing each SQL statement the ORM sent, its query plan and the
 * median time of the operation. `npm run bench:admin`.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import mysql from 'mysql2/promise';
import { createDatabase, databaseUrl, dropDatabase, migrate } from './database.js';
import { REPO_ROOT } from './paths.js';

const SERVER = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
const DATABASE = `storegate_bench_admin_${process.pid}`;
const ROWS = Number(process.env.BENCH_ADMIN_ROWS ?? 1_000_000);
const RUNS = 5;
/** The CLI's actor: the reads are audited as an operator's. */
const OPERATOR = { userId: null };

interface Page {
  edges: { cursor: string; node: unknown }[];
  endCursor: string | null;
}

/** The slice of the built services this uses. */
interface AdminServices {
  userAdmin: {
    list(input: Record<string, unknown>, actor: object): Promise<Page>;
    get(id: string, actor: object): Promise<unknown>;
    events(input: Record<string, unknown>, actor: object): Promise<Page>;
  };
  close(): Promise<void>;
}

async function seed(conn: mysql.Connection): Promise<void> {
  const sequence = `seq_1_to_${ROWS}`;
  const names = "ELT(1 + seq % 8, 'Alice', 'Bruno', 'Chen', 'Dana', 'Emil', 'Fatima', 'Goro', 'Hana')";
  await conn.query(
    'INSERT INTO users (name, username, password, invitation_code, status, role, created_at, updated_at) ' +
      `SELECT CONCAT(${names}, ' ', seq), CONCAT('user', LPAD(seq, 7, '0')), '$2y$04$benchbenchbenchbenchbe', 'BENCH', ` +
      `IF(seq % 100 = 0, -1, 1), IF(seq % 10000 = 0, 'admin', 'user'), NOW(), NOW() FROM ${sequence}`,
  );
  await conn.query(
    'INSERT INTO sessions (id, user_id, created_at, last_used_at, expires_at, ip, user_agent, last_ip, last_user_agent, ' +
      'current_jti, revoked_at, revoked_reason) ' +
      `SELECT CONCAT('bench', LPAD(seq, 17, '0')), 1 + (seq * 7919) % ${ROWS}, NOW(3) - INTERVAL seq SECOND, NOW(3), ` +
      "NOW() + INTERVAL 14 DAY, '127.0.0.1', 'bench', '127.0.0.1', 'bench', CONCAT('jti', seq), " +
      `IF(seq % 2 = 0, NOW(), NULL), IF(seq % 2 = 0, 'logout', NULL) FROM ${sequence}`,
  );
  const types = "ELT(1 + seq % 5, 'login_succeeded', 'login_failed', 'logout', 'registered', 'session_revoked')";
  await conn.query(
    'INSERT INTO auth_events (at, type, user_id, ip, user_agent) ' +
      `SELECT NOW(3) - INTERVAL (${ROWS} - seq) SECOND, ${types}, 1 + (seq * 7919) % ${ROWS}, '127.0.0.1', 'bench' ` +
      `FROM ${sequence}`,
  );
  await conn.query('ANALYZE TABLE users, sessions, auth_events');
}

/** The SQL statements the ORM logs while `work` runs (MIKRO_ORM_DEBUG), with their bound values inlined. */
async function statementsOf(work: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    for (const line of stripVTControlCharacters(String(chunk)).split('\n')) {
      const sql = /\[query\] (select .*?)(?: \[took .*)?$/i.exec(line)?.[1];
      if (sql) seen.push(sql);
    }
    return true;
  }) as typeof process.stdout.write;
  try {
    await work();
  } finally {
    process.stdout.write = write;
  }
  return seen;
}

async function medianMs(work: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    await work();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return times.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
}

async function main(): Promise<void> {
  await createDatabase(SERVER, DATABASE);
  const url = databaseUrl(SERVER, DATABASE);
  const conn = await mysql.createConnection({ uri: url });
  try {
    await migrate(url);
    const seedStart = Date.now();
    await seed(conn);
    console.log(`seeded ${ROWS} users, sessions and audit events in ${((Date.now() - seedStart) / 1000).toFixed(1)} s`);

    process.env.MIKRO_ORM_DEBUG = 'true';
    const dist = (file: string) => import(pathToFileURL(join(REPO_ROOT, 'dist', file)).href);
    const { loadConfig } = await dist('config.js');
    const { openServices } = (await dist('services.js')) as {
      openServices(config: unknown): Promise<AdminServices>;
    };
    const services = await openServices(loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'silent' }));
    const { userAdmin } = services;
    const second = await userAdmin.list({ search: 'user00', first: 100 }, OPERATOR);
    const cases: [string, () => Promise<unknown>][] = [
      ['users(first: 100)', () => userAdmin.list({ first: 100 }, OPERATOR)],
      ['users(search: "user00012")', () => userAdmin.list({ search: 'user00012', first: 100 }, OPERATOR)],
      ['users(search: "Hana 99")', () => userAdmin.list({ search: 'Hana 99', first: 100 }, OPERATOR)],
      ['users(search: "a", a common prefix)', () => userAdmin.list({ search: 'a', first: 100 }, OPERATOR)],
      ['users(search: "zzz", none)', () => userAdmin.list({ search: 'zzz', first: 100 }, OPERATOR)],
      [
        'users(search: "user00", after: page 1)',
        () => userAdmin.list({ search: 'user00', first: 100, after: second.endCursor }, OPERATOR),
      ],
      ['users(status: -1)', () => userAdmin.list({ status: -1, first: 100 }, OPERATOR)],
      ['users(role: "admin")', () => userAdmin.list({ role: 'admin', first: 100 }, OPERATOR)],
      [`user(id: ${ROWS / 2})`, () => userAdmin.get(String(ROWS / 2), OPERATOR)],
      ['auditEvents(first: 100)', () => userAdmin.events({ first: 100 }, OPERATOR)],
      ['auditEvents(userId: 424242)', () => userAdmin.events({ userId: '424242', first: 100 }, OPERATOR)],
      ['auditEvents(type: "logout")', () => userAdmin.events({ type: 'logout', first: 100 }, OPERATOR)],
      [
        'auditEvents(since: 1 h ago)',
        () => userAdmin.events({ since: new Date(Date.now() - 3_600_000), first: 100 }, OPERATOR),
      ],
      [
        'auditEvents(type: "logout", since: 1 h ago)',
        () => userAdmin.events({ type: 'logout', since: new Date(Date.now() - 3_600_000), first: 100 }, OPERATOR),
      ],
    ];
    for (const [name, work] of cases) {
      const statements = await statementsOf(work);
      let ms = 0;
      // Timed with the ORM's query log captured, not printed.
      await statementsOf(async () => {
        ms = await medianMs(work);
      });
      console.log(`\n## ${name}: median ${ms.toFixed(1)} ms over ${RUNS} runs`);
      for (const sql of statements) {
        console.log(`  ${sql.replace(/ in \(('[^']*', ){3}[^)]*\)/, ' in (…the page’s user ids…)')}`);
        const [plan] = await conn.query(`EXPLAIN ${sql}`);
        for (const row of plan as Record<string, unknown>[]) {
          const { table, type, key, rows, Extra } = row;
          console.log(`    table=${table} type=${type} key=${key} rows=${rows} ${Extra ?? ''}`);
        }
      }
    }
    await services.close();
  } finally {
    await conn.end();
    await dropDatabase(SERVER, DATABASE);
  }
}

await main();
