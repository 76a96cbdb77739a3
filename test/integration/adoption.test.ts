import { createHash, createHmac } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createOrm, migrate } from '../../src/db/orm.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { type Gateway, startGateway } from '../helpers/gateway.js';
import { gql, ops } from '../helpers/graphql.js';
import { insertLegacyRows, legacyFixture } from '../helpers/legacy-fixture.js';

type Row = Record<string, unknown>;
const GENERATED = 1000;
const generatedPassword = (i: number) => `legacy-pass-${i}`;

/** Legacy hashes as PHP writes them ($2y$), half below the gateway's BCRYPT_COST of 5 and half at it. */
function legacyHash(i: number): string {
  return bcrypt.hashSync(generatedPassword(i), i % 2 === 0 ? 4 : 5).replace(/^\$2b\$/, '$2y$');
}

async function buildLegacyDatabase(db: TestDatabase): Promise<void> {
  for (const ddl of legacyFixture().legacy_tables_sql) await db.query(ddl);
  // Another legacy table beside them, which adoption must leave alone.
  await db.query(
    'CREATE TABLE password_resets (email VARCHAR(255) NOT NULL, token VARCHAR(255) NOT NULL, created_at TIMESTAMP NULL)',
  );
  await db.query("INSERT INTO password_resets VALUES ('a@example.com', 'reset-token', '2020-07-24 08:00:00')");
  await insertLegacyRows(db);
  const rows = Array.from({ length: GENERATED }, (_, k) => {
    const i = k + 1;
    return [
      `Legacy User ${i}`,
      `legacyuser${i}`,
      legacyHash(i),
      'WELCOME2020',
      1,
      '2021-03-04 05:06:07',
      '2021-03-04 05:06:07',
    ];
  });
  await db.query(
    'INSERT INTO users (name, username, password, invitation_code, status, created_at, updated_at) VALUES ?',
    [rows],
  );
}

const snapshot = (db: TestDatabase, table: string) => db.query<Row>(`SELECT * FROM ${table} ORDER BY 1`);

async function restLogin(url: string, username: string, password: string) {
  const response = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  return (await response.json()) as { code: number; data: { access_token?: string } | null };
}

/** Verifies a token the way jwt-auth 1.0 does: HS256 signature, its required claims, its `prv`. */
function jwtAuthAccepts(token: string, secret: string): boolean {
  const [header, payload, signature] = token.split('.');
  const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  const head = JSON.parse(Buffer.from(header!, 'base64url').toString());
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
  const prv = createHash('sha1').update('App\\Models\\User').digest('hex');
  const now = Date.now() / 1000;
  return (
    head.alg === 'HS256' &&
    signature === expected &&
    ['iss', 'iat', 'exp', 'nbf', 'sub', 'jti'].every((c) => claims[c] !== undefined) &&
    (claims.prv === undefined || claims.prv === prv) &&
    claims.exp > now &&
    claims.nbf <= now
  );
}

async function inBatches<T>(items: T[], size: number, run: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(run));
}

describe('adopting the legacy database in place', () => {
  const fixture = legacyFixture();
  let gw: Gateway;
  const before: Record<string, Row[]> = {};

  beforeAll(async () => {
    gw = await startGateway({
      env: { JWT_SECRET: fixture.jwt.secret, BCRYPT_COST: '5' },
      beforeMigrate: async (db) => {
        await buildLegacyDatabase(db);
        for (const table of ['users', 'invitation_codes', 'password_resets']) before[table] = await snapshot(db, table);
      },
    });
  }, 120_000);
  afterAll(async () => gw?.close());

  it('adds only storegate columns and leaves every legacy row as it was', async () => {
    const users = await snapshot(gw.db, 'users');
    expect(users).toHaveLength(GENERATED + fixture.users.length);
    expect(users.map(({ token_version: _v, role: _r, ...legacy }) => legacy)).toEqual(before.users);
    expect(users.every((u) => u.token_version === 0 && u.role === 'user')).toBe(true);
    expect(await snapshot(gw.db, 'invitation_codes')).toEqual(before.invitation_codes);
    expect(await snapshot(gw.db, 'password_resets')).toEqual(before.password_resets);
  });

  it('is safe to run twice', async () => {
    const orm = await createOrm(gw.config.db);
    try {
      expect(await migrate(orm)).toEqual([]);
    } finally {
      await orm.close();
    }
    expect(await snapshot(gw.db, 'invitation_codes')).toEqual(before.invitation_codes);
  });

  it('lets every legacy user log in with the old password, on both transports', async () => {
    const accounts = [
      { username: 'legacy01', password: 'password' },
      ...Array.from({ length: GENERATED }, (_, k) => ({
        username: `legacyuser${k + 1}`,
        password: generatedPassword(k + 1),
      })),
    ];
    const failures: string[] = [];
    await inBatches(accounts, 25, async ({ username, password }) => {
      const viaGraphql = await gql(gw.url, ops.login, { input: { username, password } });
      const viaRest = await restLogin(gw.url, username, password);
      if (viaGraphql.errors || viaRest.code !== 20001) failures.push(username);
    });
    expect(failures).toEqual([]);
  }, 240_000);

  it('upgrades a hash only when its cost is below BCRYPT_COST, keeping the $2y$ prefix', async () => {
    const after = new Map((await snapshot(gw.db, 'users')).map((u) => [u.id, u]));
    for (const old of before.users!) {
      const now = after.get(old.id)!;
      const oldCost = Number(String(old.password).slice(4, 6));
      if (oldCost < 5) {
        expect(String(now.password)).toMatch(/^\$2y\$05\$/);
        expect(
          bcrypt.compareSync(
            old.username === 'legacy01' ? 'password' : generatedPassword(Number(String(old.username).slice(10))),
            String(now.password),
          ),
        ).toBe(true);
      } else {
        expect(now.password).toBe(old.password);
      }
      const { password: _p, updated_at: _u, token_version: _t, role: _r, ...rest } = now;
      const { password: _op, updated_at: _ou, ...oldRest } = old;
      expect(rest).toEqual(oldRest);
    }
  });

  it('refuses the disabled legacy user, on both transports', async () => {
    const viaGraphql = await gql(gw.url, ops.login, { input: { username: 'legacy02', password: 'password' } });
    expect(viaGraphql.errors?.[0]?.extensions).toMatchObject({ code: 'ACCOUNT_DISABLED', legacyCode: 40001 });
    expect((await restLogin(gw.url, 'legacy02', 'password')).code).toBe(40001);
  });

  it("accepts the legacy service's long-lived token as user 1, with the legacy timestamps", async () => {
    const token = fixture.jwt.long_lived_token_for_user_1;
    const me = await gql(gw.url, ops.me, {}, token);
    expect(me.data?.me).toMatchObject({ id: '1', username: 'legacy01' });
    expect(me.data?.me.createdAt).toBe('2020-07-23T02:00:00.000Z');
    const rest = await fetch(`${gw.url}/api/auth/me`, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
    });
    const body = (await rest.json()) as { code: number; data: Row };
    expect(body.code).toBe(20001);
    expect(body.data).toMatchObject({ id: 1, username: 'legacy01', created_at: '2020-07-23 10:00:00' });
  });

  it('issues tokens the legacy jwt-auth 1.0 would accept (rollback)', async () => {
    const login = await gql(gw.url, ops.login, { input: { username: 'legacy01', password: 'password' } });
    const token = login.data?.login.accessToken as string;
    expect(jwtAuthAccepts(token, fixture.jwt.secret)).toBe(true);
    expect(jwtAuthAccepts(token, 'another-secret-of-enough-length-0000')).toBe(false);
  });
});

describe('adopting a database whose usernames collide by letter case', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    for (const ddl of legacyFixture().legacy_tables_sql)
      await db.query(ddl.replace(/utf8mb4_unicode_ci/g, 'utf8mb4_bin'));
    const hash = legacyFixture().users[0]!.password;
    await db.query(
      "INSERT INTO users (name, username, password, invitation_code) VALUES ('A', 'Alice01', ?, 'X'), ('B', 'alice01', ?, 'X')",
      [hash, hash],
    );
  });
  afterAll(async () => db?.drop());

  it('stops with a message naming them, and changes nothing', async () => {
    const orm = await createOrm(loadConfig({ DATABASE_URL: db.url }).db);
    try {
      await expect(migrate(orm)).rejects.toThrow(/1:Alice01, 2:alice01/);
    } finally {
      await orm.close();
    }
    const tables = await db.query<{ TABLE_NAME: string }>(
      'SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY 1',
    );
    expect(tables.map((t) => t.TABLE_NAME)).toEqual(['invitation_codes', 'users']);
    const columns = await db.query("SHOW COLUMNS FROM users WHERE Field IN ('token_version', 'role')");
    expect(columns).toEqual([]);
  });
});
