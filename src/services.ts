import { AdminService } from './auth/admin.service.js';
import { AuthService } from './auth/auth.service.js';
import { CaptchaService } from './auth/captcha.service.js';
import { CaptchaDrawer } from './auth/captcha-drawer.js';
import { InvitationService } from './auth/invitation.service.js';
import { PasswordHasher } from './auth/password-hasher.js';
import { ThrottleService } from './auth/throttle.service.js';
import { TokenService } from './auth/token.service.js';
import type { Config } from './config.js';
import { type Database, openDatabase } from './db/database.js';
import { createMemoryStore } from './store/memory.store.js';
import { createRedisStore, isRedisConfigured } from './store/redis.store.js';
import type { KeyValueStore } from './store/store.js';

/** The domain services over one database and one shared store: the server and the CLI use the same. */
export interface Services {
  readonly database: Database;
  readonly store: KeyValueStore;
  readonly hasher: PasswordHasher;
  readonly auth: AuthService;
  readonly invitations: InvitationService;
  readonly admin: AdminService;
  /** Closes the worker pools, the store and the database. */
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
  const auth = new AuthService({
    users: database.users,
    hasher,
    tokens: new TokenService(config.jwt, store),
    captchas: new CaptchaService(config.captcha, store, drawer),
    throttle: new ThrottleService(config.limits, store),
    passwordMinLength: config.passwords.minLength,
  });
  return {
    database,
    store,
    hasher,
    auth,
    invitations: new InvitationService(database.invitations),
    admin: new AdminService(database.users, hasher, config.passwords.minLength),
    async close() {
      await Promise.allSettled([hasher.close(), drawer.close(), store.close(), database.close()]);
    },
  };
}
