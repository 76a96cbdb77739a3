import { randomBytes } from 'node:crypto';
import type { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { type Config, loadConfig } from '../../src/config.js';
import { createOrm, migrate } from '../../src/db/orm.js';
import { loggerOptions } from '../../src/ops/logger.js';
import { CAPTCHA_CODE, TEST_JWT_SECRET } from './constants.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { clearRedisPrefix } from './redis.js';
import { TEST_REDIS_URL } from './services-env.js';

export { CAPTCHA_CODE, TEST_JWT_SECRET };

export interface Gateway {
  /** `http://127.0.0.1:PORT` */
  url: string;
  app: FastifyInstance;
  config: Config;
  db: TestDatabase;
  redisPrefix: string;
  close(): Promise<void>;
}

export interface GatewayOptions {
  env?: Record<string, string>;
  /** Share another gateway's database and Redis prefix (several instances). */
  shareWith?: Gateway;
  /** Runs on the fresh database before the migrations (a legacy schema to adopt, say). */
  beforeMigrate?: (db: TestDatabase) => Promise<void>;
  /** The MariaDB server the fresh database is created on (a private one, say); default TEST_MYSQL_URL. */
  mysqlServerUrl?: string;
  /** The URL the gateway connects to its database with, made from the direct one (through a proxy, say). */
  connectVia?: (databaseUrl: string) => string;
  /** Receives the gateway's JSON log lines, at LOG_LEVEL (silent unless `env` sets it); none without. */
  logStream?: Writable;
}

/** A fresh database with storegate's schema, as `storegate migrate` leaves it. */
export async function createMigratedDatabase(
  beforeMigrate?: GatewayOptions['beforeMigrate'],
  mysqlServerUrl?: string,
): Promise<TestDatabase> {
  const db = await createTestDatabase(mysqlServerUrl);
  await beforeMigrate?.(db);
  const orm = await createOrm(loadConfig({ DATABASE_URL: db.url }).db);
  try {
    await migrate(orm);
  } finally {
    await orm.close();
  }
  return db;
}

/**
 * A gateway on MariaDB and Redis, listening on a random loopback port, with its own migrated
 * database and Redis key prefix. Limits are relaxed unless `env` sets them.
 */
export async function startGateway(options: GatewayOptions = {}): Promise<Gateway> {
  const { env = {}, shareWith, beforeMigrate, mysqlServerUrl, connectVia = (url) => url, logStream } = options;
  const db = shareWith?.db ?? (await createMigratedDatabase(beforeMigrate, mysqlServerUrl));
  const redisPrefix = shareWith?.redisPrefix ?? `sgtest:${randomBytes(4).toString('hex')}:`;
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: connectVia(db.url),
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: redisPrefix,
    JWT_SECRET: TEST_JWT_SECRET,
    BCRYPT_COST: '4',
    BCRYPT_POOL_SIZE: '2',
    CAPTCHA_FIXED_CODE: CAPTCHA_CODE,
    RATE_LIMIT_SIGN: '0',
    RATE_LIMIT_ACCESS: '0',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const logger = logStream ? { ...loggerOptions(config), stream: logStream } : false;
  const app = await buildApp(config, { logger });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url: address,
    app,
    config,
    db,
    redisPrefix,
    // Once, however often it is called: a test may close its gateway before the hooks do.
    close: once(async () => {
      await app.close();
      if (!shareWith) {
        await db.drop();
        await clearRedisPrefix(redisPrefix);
      }
    }),
  };
}

function once(action: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => {
    done ??= action();
    return done;
  };
}

/** A gateway on the embedded default: SQLite in a temporary file and the in-process store. */
export async function startEmbeddedGateway(
  env: Record<string, string> = {},
): Promise<Omit<Gateway, 'db' | 'redisPrefix'>> {
  const path = `/tmp/storegate-test-${randomBytes(4).toString('hex')}.sqlite`;
  const config = loadConfig({
    NODE_ENV: 'test',
    SQLITE_PATH: path,
    BCRYPT_COST: '4',
    BCRYPT_POOL_SIZE: '2',
    CAPTCHA_FIXED_CODE: CAPTCHA_CODE,
    LOG_LEVEL: 'silent',
    ...env,
  });
  const app = await buildApp(config, { logger: false });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url: address,
    app,
    config,
    async close() {
      await app.close();
      const { rm } = await import('node:fs/promises');
      await rm(path, { force: true });
    },
  };
}
