import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createDatabase, databaseUrl, dropDatabase, migrate, type SeededUser, seedUsers } from './database.js';
import { MARKER_KEY } from './me-work.js';
import { REPO_ROOT } from './paths.js';
import { freePort, type ServerProcess, startServer, stopServer } from './processes.js';
import type { BenchSettings } from './settings.js';

export interface BenchEnvironment {
  users: SeededUser[];
  gateway: ServerProcess;
  bare: ServerProcess;
  /** A plain Apollo Server on Fastify doing the same work: what Apollo itself costs. */
  apolloFloor: ServerProcess;
}

export const PROFILE_DIR = join(REPO_ROOT, 'bench', 'results', 'profiles');

/** Undo steps, last first; each runs once even if a signal and the normal path both ask. */
const undo: Array<() => Promise<void>> = [];

/** Something to undo at the end (last first), whatever happens. */
export function undoLater(step: () => Promise<void>): void {
  undo.push(step);
}

export async function tearDown(): Promise<void> {
  while (undo.length) {
    const step = undo.pop()!;
    await step().catch((err: unknown) => console.error('cleanup step failed:', err));
  }
}

async function withRedis(redisUrl: string, work: (redis: Redis) => Promise<void>): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    await work(redis);
  } finally {
    redis.disconnect();
  }
}

const deleteKeys = (redisUrl: string, prefix: string) =>
  withRedis(redisUrl, async (redis) => {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  });

/** A throw-away database with seeded users, then the gateway and the reference servers, each its own process. */
export async function setUp(settings: BenchSettings): Promise<BenchEnvironment> {
  const url = databaseUrl(settings.mysqlUrl, settings.database);
  await createDatabase(settings.mysqlUrl, settings.database);
  undo.push(() => dropDatabase(settings.mysqlUrl, settings.database));
  undo.push(() => deleteKeys(settings.redisUrl, settings.keyPrefix));

  console.log(`database ${settings.database}: migrating and seeding ${settings.users} users`);
  await migrate(url);
  const users = await seedUsers(url, settings.users, settings.password, settings.bcryptCost);
  // A build from before sessions writes no store marker, which the reference's store read requires.
  if (settings.otherBuild) {
    await withRedis(settings.redisUrl, async (redis) => {
      await redis.set(settings.keyPrefix + MARKER_KEY, new Date().toISOString());
    });
  }

  const shared = {
    DATABASE_URL: url,
    REDIS_URL: settings.redisUrl,
    REDIS_KEY_PREFIX: settings.keyPrefix,
    JWT_SECRET: settings.jwtSecret,
    LEGACY_JWT_PRV: settings.jwtPrv,
  };
  // As deployed: production, the defaults (info-level logging included), but no throttles: a bench
  // of 500 users at thousands of requests a second would be throttled, and the reference has none.
  const gatewayEnv = {
    ...shared,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    BCRYPT_COST: String(settings.bcryptCost),
    RATE_LIMIT_ACCESS: '0',
    RATE_LIMIT_SIGN: '0',
    ...(settings.gatewayLogLevel && { LOG_LEVEL: settings.gatewayLogLevel }),
  };
  const profiling = (server: string) =>
    settings.cpuProfile
      ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`, `--cpu-prof-name=${settings.runId}-${server}.cpuprofile`]
      : [];
  if (settings.cpuProfile) mkdirSync(PROFILE_DIR, { recursive: true });

  undo.push(() => rm(settings.gatewayLogFile, { force: true }));
  const gateway = await startServer(
    'gateway',
    [...profiling('gateway'), 'dist/server.js'],
    await freePort(),
    gatewayEnv,
    { logFile: settings.gatewayLogFile, cwd: settings.gatewayDir },
  );
  undo.push(() => stopServer(gateway));
  const bare = await startServer(
    'bare server',
    [...profiling('reference'), 'dist-bench/bare-server.js'],
    await freePort(),
    shared,
  );
  undo.push(() => stopServer(bare));
  const apolloFloor = await startServer(
    'Apollo floor',
    [...profiling('apollo-floor'), 'dist-bench/apollo-floor-server.js'],
    await freePort(),
    {
      ...shared,
      NODE_ENV: 'production',
    },
  );
  undo.push(() => stopServer(apolloFloor));
  return { users, gateway, bare, apolloFloor };
}
