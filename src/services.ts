import { UserAdminService } from './admin/user-admin.service.js';
import { AuditLog } from './audit/audit-log.js';
import { AdminService } from './auth/admin.service.js';
import { AuthService } from './auth/auth.service.js';
import { CaptchaService } from './auth/captcha.service.js';
import { CaptchaDrawer } from './auth/captcha-drawer.js';
import { InvitationService } from './auth/invitation.service.js';
import { PasswordService } from './auth/password.service.js';
import { PasswordHasher } from './auth/password-hasher.js';
import { ThrottleService } from './auth/throttle.service.js';
import { TokenService } from './auth/token.service.js';
import type { Config } from './config.js';
import { type Database, openDatabase } from './db/database.js';
import { RevocationList } from './sessions/revocation-list.js';
import { SessionService } from './sessions/session.service.js';
import { createMemoryStore } from './store/memory.store.js';
import { createRedisStore, isRedisConfigured } from './store/redis.store.js';
import type { KeyValueStore } from './store/store.js';

/** The domain services over one database and one shared store: the server and the CLI use the same. */
export interface Services {
  readonly database: Database;
  readonly store: KeyValueStore;
  readonly hasher: PasswordHasher;
  readonly revocations: RevocationList;
  readonly audit: AuditLog;
  readonly auth: AuthService;
  readonly sessions: SessionService;
  readonly passwords: PasswordService;
  readonly invitations: InvitationService;
  readonly admin: AdminService;
  readonly userAdmin: UserAdminService;
  /** Flushes the audit log, closes the worker pools, the store and the database. */
  close(): Promise<void>;
}

export interface ServiceOptions {
  /** The server's queries fail fast; the CLI's (migrations) may run long. */
  failFast?: boolean;
  /** Password worker threads; defaults to the configured pool size. */
  passwordThreads?: number;
}

function openStore(config: Config): Promise<KeyValueStore> {
  return isRedisConfigured(config.redis) ? createRedisStore(config.redis) : Promise.resolve(createMemoryStore());
}

/** Opens the database and the store and wires the services on them. */
export async function openServices(config: Config, options: ServiceOptions = {}): Promise<Services> {
  const database = await openDatabase(config.db, { failFast: options.failFast });
  const store = await openStore(config).catch(async (err) => {
    await database.close();
    throw err;
  });
  const hasher = new PasswordHasher(config.passwords.cost, options.passwordThreads ?? config.passwords.poolSize);
  const drawer = new CaptchaDrawer();
  const throttle = new ThrottleService(config.limits, store);
  const audit = new AuditLog(database.audit, store, config.audit);
  const revocations = new RevocationList(store, database.sessions, config.jwt.ttlMinutes * 60);
  const sessions = new SessionService({
    users: database.users,
    sessions: database.sessions,
    tokens: new TokenService(config.jwt),
    revocations,
    throttle,
    audit,
    settings: config.sessions,
  });
  const { minLength } = config.passwords;
  const passwords = new PasswordService({
    users: database.users,
    resetCodes: database.resetCodes,
    hasher,
    sessions,
    throttle,
    audit,
    passwordMinLength: minLength,
    resetTtlSeconds: config.passwords.resetTtlSeconds,
  });
  return {
    database,
    store,
    hasher,
    revocations,
    audit,
    sessions,
    auth: new AuthService({
      users: database.users,
      hasher,
      sessions,
      captchas: new CaptchaService(config.captcha, store, drawer),
      throttle,
      audit,
      passwordMinLength: minLength,
    }),
    passwords,
    invitations: new InvitationService(database.invitations, audit),
    admin: new AdminService(database.users, hasher, minLength),
    userAdmin: new UserAdminService({
      users: database.users,
      sessionRows: database.sessions,
      sessions,
      passwords,
      audit,
    }),
    async close() {
      await audit.close();
      await Promise.allSettled([hasher.close(), drawer.close(), store.close(), database.close()]);
    },
  };
}
