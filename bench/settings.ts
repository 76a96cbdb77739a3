import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from './paths.js';

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return value;
}

/** Everything the bench can be told through BENCH_* variables, read once. */
export function benchSettings() {
  const gatewayDir = process.env.BENCH_GATEWAY_DIR ? resolve(process.env.BENCH_GATEWAY_DIR) : REPO_ROOT;
  const runId = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  return Object.freeze({
    mysqlUrl: process.env.BENCH_MYSQL_URL || 'mysql://root@127.0.0.1:3306',
    redisUrl: process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379',
    /** Seconds per load run. */
    durationSeconds: positive('BENCH_DURATION', 10),
    rounds: Math.floor(positive('BENCH_ROUNDS', 3)),
    connections: Math.floor(positive('BENCH_CONNECTIONS', 50)),
    users: Math.floor(positive('BENCH_USERS', 10_000)),
    bcryptCost: Math.floor(positive('BCRYPT_COST', 10)),
    /** Seconds spent measuring the raw bcrypt rate, once on one core and once on all. */
    bcryptSeconds: positive('BENCH_BCRYPT_SECONDS', 4),
    /** `me` requests per second while its latency is watched alone and during the login flood. */
    probeRate: Math.floor(positive('BENCH_PROBE_RATE', 200)),
    probeConnections: Math.floor(positive('BENCH_PROBE_CONNECTIONS', 10)),
    /** BENCH_CPU_PROF=1 writes each server's CPU profile to bench/results/profiles/<run>-<server>.cpuprofile. */
    cpuProfile: ['1', 'true', 'yes'].includes(process.env.BENCH_CPU_PROF ?? ''),
    /** BENCH_GATEWAY_LOG_LEVEL=warn: information only; the gateway as deployed logs at its default, info. */
    gatewayLogLevel: process.env.BENCH_GATEWAY_LOG_LEVEL || undefined,
    /** The gateway's log, in a file as a deployment's would be; deleted at the end. */
    gatewayLogFile: join(tmpdir(), `storegate-bench-${runId}.log`),
    /** BENCH_ME_ONLY=1: the `me` and verify targets only (no bcrypt, logins or flood), for quick comparisons. */
    meOnly: ['1', 'true', 'yes'].includes(process.env.BENCH_ME_ONLY ?? ''),
    /** BENCH_ONLY=restBare,rest: only these `me` targets (restBare rest graphqlBare graphql verifyBare verify apolloFloor). */
    only: process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',') : undefined,
    /**
     * BENCH_GATEWAY_DIR=/path/to/checkout: that checkout's build (its dist/server.js, run from there) is
     * the gateway, so that two builds are compared on today's bench and references.
     */
    gatewayDir,
    otherBuild: gatewayDir !== REPO_ROOT,
    runId,
    database: `storegate_bench_${runId}`,
    keyPrefix: `storegate-bench-${runId}:`,
    jwtSecret: randomBytes(32).toString('base64url'),
    jwtPrv: '23bd5c8949f600adb39e701c400872db7a5976f7',
    password: 'bench-Password-1',
  });
}

export type BenchSettings = ReturnType<typeof benchSettings>;
