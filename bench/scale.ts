/**
 * `npm run bench -- --scale`: `me` with 10 000 users, then again once the database
 * holds 1 000 000 users and 1 000 000 revoked sessions and the store 1 000 000 revoked
 * sessions and 1 000 000 traded tokens, written by the gateway's own revocation list (its
 * bucketed hashes, pipelined). Prints both sets of figures, the store's memory per revocation
 * (INFO used_memory deltas, and MEMORY USAGE of sampled buckets per field) and the tables'
 * sizes. Runs on a private redis-server (never the shared one), shut down at the end.
 */
import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import { availableTargets, meTargets } from './available-targets.js';
import { benchUsername, databaseUrl } from './database.js';
import { type BenchEnvironment, setUp, tearDown, undoLater } from './environment.js';
import { freePort } from './processes.js';
import { ME_LABELS, type MeKind, type Round, summarize, writeResults } from './report.js';
import { runMeRounds, warmUp } from './rounds.js';
import type { BenchSettings } from './settings.js';
import { randomSessionId } from './tokens.js';

const run = promisify(execFile);

const SCALE = 1_000_000;
const USER_BATCH = 10_000;
/** Rows per INSERT of sessions. */
const REVOCATION_BATCH = 5_000;
/**
 * Store writes sent at once, as the gateway's own writeFields sends them: its client gives up on
 * a command after 800 ms, which a larger batch on a busy machine can take.
 */
const STORE_BATCH = 1_000;
/** A batch that timed out is sent again (the writes are idempotent), at most this many times. */
const STORE_ATTEMPTS = 4;
const SAMPLED_BUCKETS = 300;
const DEFAULT_TARGETS: MeKind[] = ['restBare', 'rest', 'graphql', 'verify'];
/** The scale target: within 10 % of the 10 000-user figures. */
const TOLERANCE = 0.1;

interface RevocationWriter {
  revokeSessions(sessions: ReadonlyArray<{ id: string; expiresAt: Date }>): Promise<void>;
  markTraded(
    token: { sessionId: string; sessionExpiresAt: number; jti: string; liveUntil: number },
    at: number,
  ): Promise<boolean>;
}
interface GatewayStore {
  close(): Promise<void>;
}

/** The gateway's own store and revocation list, from its build: the bench writes exactly what the gateway would. */
async function gatewayRevocations(redisUrl: string, keyPrefix: string) {
  const storeModule = '../dist/store/redis.store.js';
  const listModule = '../dist/sessions/revocation-list.js';
  const { createRedisStore } = (await import(storeModule)) as {
    createRedisStore(options: { url: string; keyPrefix: string }): Promise<GatewayStore>;
  };
  const { RevocationList } = (await import(listModule)) as {
    RevocationList: new (store: GatewayStore, sessions: unknown) => RevocationWriter;
  };
  const store = await createRedisStore({ url: redisUrl, keyPrefix });
  return { store, revocations: new RevocationList(store, null) };
}

async function privateRedis(): Promise<string> {
  const port = await freePort();
  await run('redis-server', [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--daemonize',
    'yes',
  ]);
  undoLater(async () => {
    await run('redis-cli', ['-p', String(port), 'shutdown', 'nosave']).catch(() => undefined);
  });
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50; i++) {
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      await probe.connect();
      await probe.ping();
      return url;
    } catch {
      await sleep(100);
    } finally {
      probe.disconnect();
    }
  }
  throw new Error(`the private redis-server on port ${port} did not answer`);
}

const JTI = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const randomJti = () => Array.from({ length: 16 }, () => JTI[Math.floor(Math.random() * JTI.length)]).join('');

async function seedUsersTo(url: string, from: number, to: number, hash: string): Promise<number[]> {
  const conn = await mysql.createConnection({ uri: url });
  try {
    for (let first = from; first <= to; first += USER_BATCH) {
      const rows = [];
      const stamp = new Date();
      for (let i = first; i < Math.min(first + USER_BATCH, to + 1); i++) {
        rows.push([`Bench User ${i}`, benchUsername(i), hash, 'BENCH', 1, stamp, stamp]);
      }
      await conn.query(
        'INSERT INTO users (name, username, password, invitation_code, status, created_at, updated_at) VALUES ?',
        [rows],
      );
    }
    const [ids] = await conn.query<mysql.RowDataPacket[]>('SELECT id FROM users');
    return ids.map((row) => Number(row.id));
  } finally {
    await conn.end();
  }
}

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1]);
}

/** MEMORY USAGE over the fields of a sample of the revocation buckets. */
async function bytesPerField(redis: Redis, prefix: string) {
  const keys = new Set<string>();
  let cursor = '0';
  for (let pages = 0; pages < 1000 && keys.size < SAMPLED_BUCKETS; pages++) {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}rv:*`, 'COUNT', 1000);
    for (const key of found) if (!key.endsWith('rv:intact') && keys.size < SAMPLED_BUCKETS) keys.add(key);
    cursor = next;
    if (cursor === '0') break;
  }
  let bytes = 0;
  let fields = 0;
  const encodings = new Map<string, number>();
  for (const key of keys) {
    bytes += Number(await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
    fields += await redis.hlen(key);
    const encoding = String(await redis.call('OBJECT', 'ENCODING', key));
    encodings.set(encoding, (encodings.get(encoding) ?? 0) + 1);
  }
  return {
    sampledBuckets: keys.size,
    fieldsPerBucket: keys.size ? fields / keys.size : null,
    bytesPerField: fields ? bytes / fields : null,
    encodings: Object.fromEntries(encodings),
  };
}

interface SeededSession {
  id: string;
  userId: number;
  /** Unix seconds. */
  expiresAt: number;
}

async function insertSessions(url: string, sessions: SeededSession[], now: number): Promise<void> {
  const conn = await mysql.createConnection({ uri: url });
  const created = new Date((now - 3600) * 1000);
  const revoked = new Date(now * 1000);
  try {
    for (let first = 0; first < sessions.length; first += REVOCATION_BATCH) {
      const rows = sessions
        .slice(first, first + REVOCATION_BATCH)
        .map((s) => [
          s.id,
          s.userId,
          created,
          created,
          new Date(s.expiresAt * 1000),
          '127.0.0.1',
          '127.0.0.1',
          randomJti(),
          revoked,
          'logout',
        ]);
      await conn.query(
        'INSERT INTO sessions (id, user_id, created_at, last_used_at, expires_at, ip, last_ip, current_jti, revoked_at, revoked_reason) VALUES ?',
        [rows],
      );
    }
  } finally {
    await conn.end();
  }
}

/**
 * The store is seeded in two steps, its memory read after each: the revoked sessions (while
 * MySQL takes the users), then the traded tokens (while MySQL takes the sessions' rows).
 */
async function seedAtScale(env: { url: string; redisUrl: string; prefix: string }, seedUsers: () => Promise<number[]>) {
  const { store, revocations } = await gatewayRevocations(env.redisUrl, env.prefix);
  const redis = new Redis(env.redisUrl);
  const refreshWindow = 20_160 * 60;
  const now = Math.floor(Date.now() / 1000);
  const expiry = () => now + 60 + Math.floor(Math.random() * (refreshWindow - 60));
  const sessions: SeededSession[] = Array.from({ length: SCALE }, () => ({
    id: randomSessionId(),
    userId: 1 + Math.floor(Math.random() * SCALE),
    expiresAt: expiry(),
  }));
  const retried = async (write: () => Promise<unknown>) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await write();
      } catch (err) {
        if (attempt >= STORE_ATTEMPTS) throw err;
        await sleep(200 * attempt);
      }
    }
  };
  const timed = async <T>(work: () => Promise<T>): Promise<[T, number]> => {
    const started = performance.now();
    const value = await work();
    return [value, (performance.now() - started) / 1000];
  };
  try {
    const before = await usedMemory(redis);
    const [[userIds, usersSeconds], [, sessionsSeconds]] = await Promise.all([
      timed(seedUsers),
      timed(async () => {
        for (let first = 0; first < SCALE; first += STORE_BATCH) {
          const batch = sessions.slice(first, first + STORE_BATCH);
          await retried(() =>
            revocations.revokeSessions(batch.map((s) => ({ id: s.id, expiresAt: new Date(s.expiresAt * 1000) }))),
          );
        }
      }),
    ]);
    const afterSessions = await usedMemory(redis);
    const sessionSample = await bytesPerField(redis, env.prefix);

    const [[, rowsSeconds], [, tokensSeconds]] = await Promise.all([
      timed(() => insertSessions(env.url, sessions, now)),
      timed(async () => {
        for (let done = 0; done < SCALE; done += STORE_BATCH) {
          const batch = Array.from({ length: Math.min(STORE_BATCH, SCALE - done) }, () => ({
            sessionId: randomSessionId(),
            sessionExpiresAt: expiry(),
            jti: randomJti(),
            liveUntil: now + 3600,
          }));
          // ioredis pipelines the commands of one tick: a batch goes out in a few writes.
          await retried(() => Promise.all(batch.map((token) => revocations.markTraded(token, now))));
        }
      }),
    ]);
    const afterTokens = await usedMemory(redis);
    const mixedSample = await bytesPerField(redis, env.prefix);
    return {
      userIds,
      seedingSeconds: {
        users: usersSeconds,
        revokedSessionsInStore: sessionsSeconds,
        sessionRows: rowsSeconds,
        tradedTokensInStore: tokensSeconds,
      },
      usedMemory: { before, afterSessions, afterTokens },
      bytesPerRevokedSession: (afterSessions - before) / SCALE,
      bytesPerTradedToken: (afterTokens - afterSessions) / SCALE,
      memoryUsage: { sessionsOnly: sessionSample, sessionsAndTokens: mixedSample },
      keys: await redis.dbsize(),
    };
  } finally {
    redis.disconnect();
    await store.close();
  }
}

async function tableSizes(url: string, database: string) {
  const conn = await mysql.createConnection({ uri: url });
  try {
    await conn.query('ANALYZE TABLE users, sessions');
    const [rows] = await conn.query<mysql.RowDataPacket[]>(
      'SELECT table_name AS name, table_rows AS approxRows, data_length AS dataBytes, index_length AS indexBytes ' +
        "FROM information_schema.tables WHERE table_schema = ? AND table_name IN ('users', 'sessions')",
      [database],
    );
    return rows.map((row) => ({ ...row }));
  } finally {
    await conn.end();
  }
}

async function phase(name: string, env: BenchEnvironment, settings: BenchSettings, userIds: number[]) {
  const targets = await availableTargets(env, settings, { withLogins: false });
  targets.me = Object.fromEntries(
    Object.entries(meTargets(env, settings, userIds)).filter(([kind]) => kind in targets.me),
  );
  await warmUp(targets, settings);
  const rounds: Round[] = [];
  for (let n = 1; n <= settings.rounds; n++) {
    const me = await runMeRounds(n, targets, env, settings);
    console.log(`${name}, round ${n}`);
    for (const [kind, result] of Object.entries(me)) {
      console.log(
        `  ${ME_LABELS[kind as MeKind].padEnd(22)} ${result.requestsPerSecond.toFixed(1).padStart(9)} req/s   ` +
          `p99 ${result.p99Ms.toFixed(1).padStart(7)} ms   server CPU ${result.serverCpuMsPerRequest?.toFixed(3) ?? '-'} ms/req`,
      );
    }
    rounds.push({ round: n, me, login: {}, gatewayRssMb: null });
  }
  return { rounds, summary: summarize(rounds).me };
}

export async function scaleBench(base: BenchSettings): Promise<void> {
  const settings = Object.freeze({
    ...base,
    users: Math.min(base.users, 10_000),
    redisUrl: await privateRedis(),
    only: base.only ?? DEFAULT_TARGETS,
  });
  const url = databaseUrl(settings.mysqlUrl, settings.database);
  try {
    const env = await setUp(settings);
    console.log(`private redis-server at ${settings.redisUrl}`);
    const small = await phase(
      `${settings.users} users`,
      env,
      settings,
      env.users.map((user) => user.id),
    );

    const started = performance.now();
    const conn = await mysql.createConnection({ uri: url });
    const [[{ password }]] = (await conn.query('SELECT password FROM users LIMIT 1')) as unknown as [
      Array<{ password: string }>,
    ];
    await conn.end();
    console.log(
      `\nseeding users ${settings.users + 1}..${SCALE}, ${SCALE} revoked sessions (table and store), ${SCALE} traded tokens`,
    );
    const { userIds, ...store } = await seedAtScale(
      { url, redisUrl: settings.redisUrl, prefix: settings.keyPrefix },
      () => seedUsersTo(url, settings.users + 1, SCALE, password),
    );
    console.log(
      `  seeded in ${((performance.now() - started) / 1000).toFixed(0)} s: ${Object.entries(store.seedingSeconds)
        .map(([what, seconds]) => `${what} ${seconds.toFixed(0)} s`)
        .join(', ')}`,
    );
    const tables = await tableSizes(url, settings.database);

    const large = await phase(`${SCALE} users`, env, settings, userIds);

    console.log('\nscale: 1 000 000 users, revoked sessions and traded tokens against 10 000 users (medians)');
    const measured = Object.keys(large.summary).filter((kind) => large.summary[kind] && small.summary[kind]);
    const comparison = measured.map((kind) => {
      const a = small.summary[kind]!;
      const b = large.summary[kind]!;
      const cpuRatio =
        a.serverCpuMsPerRequest && b.serverCpuMsPerRequest ? b.serverCpuMsPerRequest / a.serverCpuMsPerRequest : null;
      const rpsRatio = a.requestsPerSecond && b.requestsPerSecond ? b.requestsPerSecond / a.requestsPerSecond : null;
      const p99Ratio = a.p99Ms && b.p99Ms ? b.p99Ms / a.p99Ms : null;
      const pass = rpsRatio !== null && p99Ratio !== null && rpsRatio >= 1 - TOLERANCE && p99Ratio <= 1 + TOLERANCE;
      console.log(
        `  ${ME_LABELS[kind as MeKind].padEnd(22)} req/s ${a.requestsPerSecond?.toFixed(0)} -> ${b.requestsPerSecond?.toFixed(0)} (${rpsRatio?.toFixed(2)})` +
          `   p99 ${a.p99Ms} -> ${b.p99Ms} ms (${p99Ratio?.toFixed(2)})` +
          `   server CPU ${a.serverCpuMsPerRequest?.toFixed(3)} -> ${b.serverCpuMsPerRequest?.toFixed(3)} ms/req (${cpuRatio?.toFixed(2)})` +
          `   ${pass ? 'PASS' : 'MISS'} (within 10 %)`,
      );
      return { kind, small: a, large: b, rpsRatio, p99Ratio, cpuRatio, pass };
    });
    const perSession = store.bytesPerRevokedSession;
    const perToken = store.bytesPerTradedToken;
    console.log(
      `  store: ${perSession.toFixed(1)} B per revoked session, ${perToken.toFixed(1)} B per traded token (INFO used_memory deltas; target <= 100)`,
    );
    console.log(
      `  MEMORY USAGE of ${store.memoryUsage.sessionsAndTokens.sampledBuckets} sampled buckets: ` +
        `${store.memoryUsage.sessionsOnly.bytesPerField?.toFixed(1)} B per field with sessions only, ` +
        `${store.memoryUsage.sessionsAndTokens.bytesPerField?.toFixed(1)} B per field with both ` +
        `(${store.memoryUsage.sessionsAndTokens.fieldsPerBucket?.toFixed(0)} fields a bucket, ${JSON.stringify(store.memoryUsage.sessionsAndTokens.encodings)}); ${store.keys} keys`,
    );
    for (const t of tables) {
      console.log(
        `  MySQL ${t.name}: ~${t.approxRows} rows, data ${(Number(t.dataBytes) / 2 ** 20).toFixed(0)} MB, indexes ${(Number(t.indexBytes) / 2 ** 20).toFixed(0)} MB`,
      );
    }
    const file = await writeResults({
      mode: 'scale',
      settings: {
        durationSeconds: settings.durationSeconds,
        rounds: settings.rounds,
        connections: settings.connections,
      },
      small,
      large,
      comparison,
      store,
      tables,
    });
    console.log(`\nresults: ${file}`);
  } finally {
    await tearDown();
  }
}
