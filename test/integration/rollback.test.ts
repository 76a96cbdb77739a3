import type { MikroORM } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { SessionsAuditMigration } from '../../src/db/migrations/sessions-audit.migration.js';
import { createOrm } from '../../src/db/orm.js';
import { errorOf } from '../helpers/attempts.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { type Gateway, startGateway } from '../helpers/gateway.js';
import { gql, ops } from '../helpers/graphql.js';
import { claimsOf, mintToken, nowSeconds } from '../helpers/jwt.js';
import { JwtAuthVerifier } from '../helpers/jwt-auth.js';
import { insertLegacyRows, legacyFixture } from '../helpers/legacy-fixture.js';

const fixture = legacyFixture();
const { secret } = fixture.jwt;
const LEGACY_TABLES = ['invitation_codes', 'users'];
const NEW_TABLES = ['auth_events', 'password_reset_codes', 'sessions'];

const tables = async (db: TestDatabase) =>
  (
    await db.query<{ TABLE_NAME: string }>(
      'SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY 1',
    )
  ).map((row) => row.TABLE_NAME);
const definition = async (db: TestDatabase, table: string) =>
  ((await db.query<Record<string, string>>(`SHOW CREATE TABLE ${table}`))[0]!['Create Table'] as string).replace(
    / AUTO_INCREMENT=\d+/,
    '',
  );

describe('rolling back to the legacy service with the new tables present', () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({
      env: { JWT_SECRET: secret },
      beforeMigrate: async (db) => {
        for (const ddl of fixture.legacy_tables_sql) await db.query(ddl);
        await insertLegacyRows(db);
      },
    });
  });
  afterAll(async () => gw?.close());

  const signIn = async () => {
    const answer = await gql(gw.url, ops.login, { input: { username: 'legacy01', password: 'password' } });
    expect(answer.errors).toBeUndefined();
    return answer.data!.login.accessToken as string;
  };

  // First: the password change of the next test moves user 1's token version on, as it should.
  it('storegate accepts the legacy tokens, without sid, as before', async () => {
    expect((await gql(gw.url, ops.me, {}, fixture.jwt.long_lived_token_for_user_1)).data?.me).toMatchObject({
      id: '1',
    });
    const legacyToken = mintToken(secret, { sub: '1' });
    expect(new JwtAuthVerifier(secret).verify(legacyToken)).toBeNull();
    expect(errorOf(await gql(gw.url, ops.me, {}, legacyToken))).toBeUndefined();
    const renewed = (await gql(gw.url, ops.refresh, {}, legacyToken)).data!.refresh.accessToken as string;
    expect(new JwtAuthVerifier(secret).verify(renewed)).toBeNull();
    expect(errorOf(await gql(gw.url, ops.logout, {}, renewed))).toBeUndefined();
    expect(errorOf(await gql(gw.url, ops.me, {}, renewed))?.code).toBe('UNAUTHENTICATED');
  });

  it('the legacy verifier (jwt-auth 1.0) accepts storegate’s tokens, sid and ver included', async () => {
    const legacy = new JwtAuthVerifier(secret);
    const login = await signIn();
    expect(claimsOf(login)).toMatchObject({ sid: expect.any(String), ver: 0 });
    const refreshed = (await gql(gw.url, ops.refresh, {}, login)).data!.refresh.accessToken as string;
    const input = { currentPassword: 'password', newPassword: 'password', newPasswordConfirmation: 'password' };
    const changed = (await gql(gw.url, ops.changePassword, { input }, refreshed)).data!.changePassword
      .accessToken as string;
    for (const token of [login, refreshed, changed]) expect(legacy.verify(token)).toBeNull();
    expect(await tables(gw.db)).toEqual(expect.arrayContaining([...LEGACY_TABLES, ...NEW_TABLES]));
  });

  it('and refuses them as jwt-auth would: its blacklist, another secret, a lapsed exp, a future nbf or iat', async () => {
    const token = await signIn();
    const legacy = new JwtAuthVerifier(secret);
    legacy.invalidate(token);
    expect(legacy.verify(token)).toBe('blacklisted');
    const graceful = new JwtAuthVerifier(secret, 30);
    graceful.invalidate(token);
    expect(graceful.verify(token), 'within the grace period').toBeNull();
    expect(new JwtAuthVerifier('another-secret-of-enough-length-0000').verify(token)).toBe('signature');
    const { exp, iat } = claimsOf(token) as { exp: number; iat: number };
    expect(new JwtAuthVerifier(secret, 0, () => exp + 1).verify(token)).toBe('expired');
    expect(new JwtAuthVerifier(secret, 0, () => iat - 1).verify(token)).toBe('not yet valid');
    const futureIat = mintToken(secret, { iat: nowSeconds() + 3600, nbf: nowSeconds() });
    expect(legacy.verify(futureIat)).toBe('future iat');
  });
});

describe('the sessions and audit migration', () => {
  let db: TestDatabase;
  let orm: MikroORM;
  beforeAll(async () => {
    db = await createTestDatabase();
    for (const ddl of fixture.legacy_tables_sql) await db.query(ddl);
    await insertLegacyRows(db);
    orm = await createOrm(loadConfig({ DATABASE_URL: db.url }).db);
  });
  afterAll(async () => {
    await orm?.close();
    await db?.drop();
  });

  it('only creates its own tables: no ALTER, DROP, RENAME or write of a legacy table', async () => {
    const migration = new SessionsAuditMigration(
      orm.em.getDriver() as ConstructorParameters<typeof SessionsAuditMigration>[0],
      orm.config,
    );
    await migration.up();
    const queries = migration.getQueries().map((query) => String(query));
    expect(queries).toHaveLength(NEW_TABLES.length);
    for (const sql of queries) {
      expect(sql).toMatch(/^CREATE TABLE IF NOT EXISTS (sessions|auth_events|password_reset_codes) \(/);
      expect(sql).not.toMatch(/\b(ALTER|DROP|RENAME|TRUNCATE|DELETE|UPDATE|INSERT)\b/i);
      for (const legacy of LEGACY_TABLES) expect(sql).not.toMatch(new RegExp(`\\b${legacy}\\b`));
    }
  });

  it('run on a legacy database after the earlier ones, leaves the legacy columns and rows as they were (users gains three indexes)', async () => {
    const migrator = orm.getMigrator();
    await migrator.up({ to: '20261124000100_storegate_columns' });
    const before = {
      tables: await tables(db),
      definitions: await Promise.all(LEGACY_TABLES.map((table) => definition(db, table))),
      rows: await Promise.all(LEGACY_TABLES.map((table) => db.query(`SELECT * FROM ${table} ORDER BY id`))),
    };
    expect((await migrator.up()).map((migration) => migration.name)).toEqual([
      '20261201000000_sessions_audit',
      '20261202000000_user_admin_indexes',
    ]);
    expect(await tables(db)).toEqual([...before.tables, ...NEW_TABLES].sort());
    // The only change to a legacy table: three indexes on users, for finding users (no column, no row).
    const withoutAdminIndexes = (ddl: string) =>
      ddl.replace(/,\n\s+KEY `users_(name|status|role)_index` \(`\w+`\)/g, '');
    const after = await Promise.all(LEGACY_TABLES.map((table) => definition(db, table)));
    expect(after.map(withoutAdminIndexes)).toEqual(before.definitions);
    expect(after.join('\n').match(/KEY `users_(name|status|role)_index`/g)).toHaveLength(3);
    expect(await Promise.all(LEGACY_TABLES.map((table) => db.query(`SELECT * FROM ${table} ORDER BY id`)))).toEqual(
      before.rows,
    );
  });
});
