import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MikroORM, type Options } from '@mikro-orm/core';
import { LibSqlDriver } from '@mikro-orm/libsql';
import { Migrator } from '@mikro-orm/migrations';
import { MySqlDriver } from '@mikro-orm/mysql';
import type { Config } from '../config.js';
import { assertAdoptable } from './adoption.js';
import { AuthEvent } from './entities/auth-event.entity.js';
import { InvitationCode } from './entities/invitation-code.entity.js';
import { PasswordResetCode } from './entities/password-reset-code.entity.js';
import { Session } from './entities/session.entity.js';
import { User } from './entities/user.entity.js';
import { LegacyTablesMigration } from './migrations/legacy-tables.migration.js';
import { SessionsAuditMigration } from './migrations/sessions-audit.migration.js';
import { StoregateColumnsMigration } from './migrations/storegate-columns.migration.js';
import { UserAdminIndexesMigration } from './migrations/user-admin-indexes.migration.js';
import { queryTimeout } from './query-timeout.js';
import { withSessionTimeZone } from './session-time-zone.js';

const entities = [User, InvitationCode, Session, AuthEvent, PasswordResetCode];

const migrations = [
  { name: '20261124000000_legacy_tables', class: LegacyTablesMigration },
  { name: '20261124000100_storegate_columns', class: StoregateColumnsMigration },
  { name: '20261201000000_sessions_audit', class: SessionsAuditMigration },
  { name: '20261202000000_user_admin_indexes', class: UserAdminIndexesMigration },
];

/**
 * How long the server waits for a pooled connection, a new one, or an answer to a query: each is
 * under the 2 s within which a request must be answered when MySQL is gone, and the first
 * to run out fails the request.
 */
export const FAIL_FAST_MS = 1500;

export interface OrmSettings {
  /** Fails a query unanswered for this long. Unset (the CLI), queries wait: a migration may run long. */
  queryTimeoutMs?: number;
}

function ormOptions(db: Config['db'], { queryTimeoutMs }: OrmSettings = {}): Options {
  const common = {
    entities,
    timezone: db.timezone,
    allowGlobalContext: false,
    ensureDatabase: false,
    discovery: { warnWhenNoEntities: true },
  } satisfies Options;
  if (db.kind === 'mysql') {
    // Every connection, the server's and the CLI's, gets the session zone.
    const afterCreate = withSessionTimeZone(
      db.sessionTimezone,
      queryTimeoutMs === undefined ? undefined : queryTimeout(queryTimeoutMs),
    );
    return {
      ...common,
      driver: MySqlDriver,
      clientUrl: db.url,
      pool: {
        min: 0,
        max: db.poolMax,
        acquireTimeoutMillis: FAIL_FAST_MS,
        ...(afterCreate && { afterCreate }),
      },
      driverOptions: { connection: { connectTimeout: FAIL_FAST_MS } },
      extensions: [Migrator],
      migrations: { tableName: 'storegate_migrations', migrationsList: migrations, transactional: false, silent: true },
    };
  }
  return { ...common, driver: LibSqlDriver, dbName: db.path };
}

export async function createOrm(db: Config['db'], settings: OrmSettings = {}): Promise<MikroORM> {
  if (db.kind === 'sqlite' && db.path !== ':memory:') mkdirSync(dirname(db.path), { recursive: true });
  try {
    return await MikroORM.init(ormOptions(db, settings));
  } catch (err) {
    const where = db.kind === 'mysql' ? 'MySQL' : `the SQLite file ${db.path}`;
    throw new Error(`cannot open ${where}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * Brings the schema up to date: committed migrations on MySQL (after checking that legacy data
 * can be adopted as it is); on the embedded SQLite file the
 * schema is derived from the entities, with usernames unique regardless of letter case as
 * MySQL's default collation makes them.
 */
export async function migrate(orm: MikroORM): Promise<string[]> {
  if (orm.config.get('driver') === MySqlDriver) {
    await assertAdoptable(orm);
    const done = await orm.getMigrator().up();
    return done.map((m) => m.name);
  }
  await orm.schema.updateSchema();
  await orm.em
    .getConnection()
    .execute('CREATE UNIQUE INDEX IF NOT EXISTS users_username_nocase ON users (username COLLATE NOCASE)');
  return [];
}
