import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createOrm, FAIL_FAST_MS } from '../../src/db/orm.js';
import { storegate } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { type Gateway, startGateway } from '../helpers/gateway.js';
import { gql, ops } from '../helpers/graphql.js';
import { insertLegacyRows, legacyFixture } from '../helpers/legacy-fixture.js';
import { type MariaDbServer, startMariaDbServer } from '../helpers/mariadb-server.js';
import { registerViaRest, rest } from '../helpers/rest.js';
import { ensureBuilt } from '../helpers/server-process.js';

/**
 * A client of the legacy database whose session zone is `zone`, as a Laravel connection with a
 * `timezone`; without one, the server's default zone, as a connection without.
 */
async function zonedClient(url: string, zone?: string) {
  const connection = await mysql.createConnection({ uri: url, dateStrings: true });
  if (zone) await connection.query('SET time_zone = ?', [zone]);
  return {
    async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
      const [rows] = await connection.query(sql, params);
      return rows as T[];
    },
    end: () => connection.end(),
  };
}

/** `YYYY-MM-DD HH:mm:ss` of `date` at a fixed offset from UTC. */
function wallClock(date: Date, offsetMinutes: number): string {
  return new Date(date.getTime() + offsetMinutes * 60_000).toISOString().slice(0, 19).replace('T', ' ');
}

const fixture = legacyFixture();

describe('legacy timestamps on a server whose default time zone is UTC', () => {
  let server: MariaDbServer;
  /** DB_SESSION_TIMEZONE unset: the sessions use DB_TIMEZONE, +08:00. */
  let gw: Gateway;
  /** The same database with DB_SESSION_TIMEZONE=server. */
  let serverZoned: Gateway;

  beforeAll(async () => {
    server = await startMariaDbServer(['--default-time-zone=+00:00']);
    console.info(
      `private MariaDB (default zone +00:00) started in ${server.startupMs} ms (bootstrap ${server.bootstrapMs} ms)`,
    );
    gw = await startGateway({
      mysqlServerUrl: server.url,
      env: { JWT_SECRET: fixture.jwt.secret },
      beforeMigrate: async (db) => {
        for (const ddl of fixture.legacy_tables_sql) await db.query(ddl);
        // The legacy service's connection had `timezone` +08:00: it wrote PRC wall-clock times.
        const legacy = await zonedClient(db.url, '+08:00');
        try {
          await insertLegacyRows({ ...db, query: legacy.query });
        } finally {
          await legacy.end();
        }
      },
    });
    serverZoned = await startGateway({
      shareWith: gw,
      env: { JWT_SECRET: fixture.jwt.secret, DB_SESSION_TIMEZONE: 'server' },
    });
  }, 120_000);
  afterAll(async () => {
    await serverZoned?.close();
    await gw?.close();
    await server?.stop();
  });

  it('the private server is UTC by default, and holds the legacy 10:00 at +08:00 as 02:00 UTC', async () => {
    const plain = await zonedClient(gw.db.url);
    try {
      const [zones] = await plain.query<{ global: string; session: string }>(
        'SELECT @@GLOBAL.time_zone AS global, @@SESSION.time_zone AS session',
      );
      expect(zones).toEqual({ global: '+00:00', session: '+00:00' });
      const [utc] = await plain.query<{ created_at: string }>('SELECT created_at FROM users WHERE id = 1');
      expect(utc!.created_at).toBe('2020-07-23 02:00:00');
    } finally {
      await plain.end();
    }
  });

  it('GET /api/auth/me answers the legacy created_at 2020-07-23 10:00:00 as exactly that by default', async () => {
    const me = await rest(gw.url, 'GET', '/api/auth/me', { token: fixture.jwt.long_lived_token_for_user_1 });
    expect(me.body).toMatchObject({
      code: 20001,
      data: { id: 1, username: 'legacy01', created_at: '2020-07-23 10:00:00', updated_at: '2020-07-23 10:00:00' },
    });
    const graphql = await gql(gw.url, ops.me, {}, fixture.jwt.long_lived_token_for_user_1);
    expect(graphql.data?.me.createdAt).toBe('2020-07-23T02:00:00.000Z');
  });

  it('with DB_SESSION_TIMEZONE=server the UTC default shifts it to 2020-07-23 02:00:00, as a connection without a zone read it', async () => {
    const me = await rest(serverZoned.url, 'GET', '/api/auth/me', {
      token: fixture.jwt.long_lived_token_for_user_1,
    });
    expect(me.body).toMatchObject({ code: 20001, data: { id: 1, created_at: '2020-07-23 02:00:00' } });
  });

  it('sets the session zone on every connection, the server’s (with a query timeout) and the CLI’s', async () => {
    const sessionZones = async (env: Record<string, string>, settings = {}) => {
      const orm = await createOrm(loadConfig({ DATABASE_URL: gw.db.url, ...env }).db, settings);
      try {
        const rows = await Promise.all(
          [1, 2, 3].map(() =>
            orm.em.getConnection().execute<{ zone: string }[]>('SELECT @@SESSION.time_zone AS zone, SLEEP(0.2) AS s'),
          ),
        );
        return rows.map(([row]) => row!.zone);
      } finally {
        await orm.close();
      }
    };
    expect(await sessionZones({})).toEqual(['+08:00', '+08:00', '+08:00']);
    expect(await sessionZones({}, { queryTimeoutMs: FAIL_FAST_MS })).toEqual(['+08:00', '+08:00', '+08:00']);
    expect(await sessionZones({ DB_TIMEZONE: 'Z' })).toEqual(['+00:00', '+00:00', '+00:00']);
    expect(await sessionZones({ DB_SESSION_TIMEZONE: '-03:30' })).toEqual(['-03:30', '-03:30', '-03:30']);
    expect(await sessionZones({ DB_SESSION_TIMEZONE: 'server' })).toEqual(['+00:00', '+00:00', '+00:00']);
  });

  it("storegate's own writes read back through a +08:00 legacy client as the time they were made", async () => {
    const before = new Date(Date.now() - 1000);
    const user = await registerViaRest(gw, 'tzwriter01');
    const after = new Date(Date.now() + 1000);
    const me = await rest(gw.url, 'GET', '/api/auth/me', { token: user.token });
    const answered = me.body.data.created_at as string;
    expect(answered >= wallClock(before, 480) && answered <= wallClock(after, 480)).toBe(true);

    const legacy = await zonedClient(gw.db.url, '+08:00');
    try {
      const [row] = await legacy.query<{ created_at: string }>('SELECT created_at FROM users WHERE id = ?', [user.id]);
      expect(row!.created_at).toBe(answered);
    } finally {
      await legacy.end();
    }
  });
});

describe('storegate migrate and the server default time zone', () => {
  let utcServer: MariaDbServer;
  /** Default zone SYSTEM, the system zone of the server process being Asia/Shanghai (CST, +08:00). */
  let prcServer: MariaDbServer;
  const databases: TestDatabase[] = [];

  beforeAll(async () => {
    // Both started before either failure is thrown, so afterAll stops whichever did start.
    const [utc, prc, built] = await Promise.allSettled([
      startMariaDbServer(['--default-time-zone=+00:00']),
      startMariaDbServer([], { env: { TZ: 'Asia/Shanghai' } }),
      ensureBuilt(),
    ]);
    if (utc.status === 'fulfilled') utcServer = utc.value;
    if (prc.status === 'fulfilled') prcServer = prc.value;
    for (const result of [utc, prc, built]) if (result.status === 'rejected') throw result.reason;
    console.info(`private MariaDB servers started in ${utcServer.startupMs} ms and ${prcServer.startupMs} ms`);
  }, 180_000);
  afterAll(async () => {
    for (const db of databases) await db.drop();
    await Promise.all([utcServer?.stop(), prcServer?.stop()]);
  });

  const migrateOn = async (server: MariaDbServer, env: Record<string, string> = {}) => {
    const db = await createTestDatabase(server.url);
    databases.push(db);
    return storegate(['migrate'], { DATABASE_URL: db.url, ...env });
  };

  it('warns in one line naming both zones when the default (+00:00) differs from the session zone (+08:00)', async () => {
    const run = await migrateOn(utcServer);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Applied: .*legacy_tables/);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/warning/i);
    expect(lines[0]).toContain('+00:00');
    expect(lines[0]).toContain('+08:00');
    expect(lines[0]).toContain('DB_SESSION_TIMEZONE');
  });

  it('names SYSTEM and the system zone when the default is SYSTEM', async () => {
    const run = await migrateOn(prcServer, { DB_SESSION_TIMEZONE: '+00:00' });
    expect(run.code).toBe(0);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('SYSTEM (CST)');
    expect(run.stderr).toContain('+00:00');
  });

  it('says nothing when they agree, or with DB_SESSION_TIMEZONE=server', async () => {
    for (const [server, env] of [
      [utcServer, { DB_SESSION_TIMEZONE: '+00:00' }],
      [utcServer, { DB_TIMEZONE: 'Z' }],
      [utcServer, { DB_SESSION_TIMEZONE: 'server' }],
      [prcServer, {}],
    ] as const) {
      const run = await migrateOn(server, env);
      expect(run, JSON.stringify(env)).toMatchObject({ code: 0, stderr: '' });
      expect(run.stdout).toMatch(/Applied: .*legacy_tables/);
    }
  });
});
