import type { MikroORM } from '@mikro-orm/core';
import type { Config } from '../config.js';
import { MysqlUserReader } from './mysql-user-reader.js';
import { createOrm, FAIL_FAST_MS, migrate } from './orm.js';
import { guarded } from './outage.js';
import { AuditRepository } from './repositories/audit.repository.js';
import { InvitationRepository } from './repositories/invitation.repository.js';
import { ResetCodeRepository } from './repositories/reset-code.repository.js';
import { SessionRepository } from './repositories/session.repository.js';
import { ormUserReader, UserRepository } from './repositories/user.repository.js';

/** The database and the repositories that own every query storegate makes. */
export interface Database {
  readonly orm: MikroORM;
  readonly users: UserRepository;
  readonly invitations: InvitationRepository;
  readonly sessions: SessionRepository;
  readonly audit: AuditRepository;
  readonly resetCodes: ResetCodeRepository;
  /** Throws SERVICE_UNAVAILABLE when the database does not answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseSettings {
  /** Queries fail fast instead of waiting (the server); unset for the CLI, whose migrations may run long. */
  failFast?: boolean;
}

/** Opens the configured database; the embedded SQLite file builds its own schema. */
export async function openDatabase(db: Config['db'], { failFast = false }: DatabaseSettings = {}): Promise<Database> {
  const orm = await createOrm(db, failFast ? { queryTimeoutMs: FAIL_FAST_MS } : {});
  if (db.kind === 'sqlite') await migrate(orm);
  const reader =
    db.kind === 'mysql'
      ? new MysqlUserReader({
          url: db.url,
          timezone: db.timezone,
          sessionTimeZone: db.sessionTimezone,
          poolMax: db.poolMax,
          failFastMs: FAIL_FAST_MS,
        })
      : ormUserReader(orm);
  return {
    orm,
    users: new UserRepository(orm, reader),
    invitations: new InvitationRepository(orm),
    sessions: new SessionRepository(orm),
    audit: new AuditRepository(orm),
    resetCodes: new ResetCodeRepository(orm),
    async ping() {
      await guarded(() => orm.em.getConnection().execute('select 1'));
    },
    async close() {
      await Promise.allSettled([reader.close(), orm.close()]);
    },
  };
}
