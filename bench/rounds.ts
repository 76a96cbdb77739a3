import { setTimeout as sleep } from 'node:timers/promises';
import type { Targets } from './available-targets.js';
import type { BcryptCapacity } from './bcrypt-capacity.js';
import type { BenchEnvironment } from './environment.js';
import { type LoadResult, runLoad } from './load.js';
import { loginFlood } from './login-flood.js';
import { cpuSeconds, residentMegabytes, type ServerProcess } from './processes.js';
import { type LoginKind, ME_PAIRS, type MeKind, printRound, type Round } from './report.js';
import type { BenchSettings } from './settings.js';
import type { Target } from './targets.js';

const WARMUP_SECONDS = 3;

interface LoadOptions {
  /** The process whose CPU per request is recorded. */
  server?: ServerProcess;
  overallRate?: number;
  connections?: number;
}

async function load(target: Target, settings: BenchSettings, options: LoadOptions = {}): Promise<LoadResult> {
  const pid = options.server?.child.pid;
  const cpuBefore = await cpuSeconds(pid);
  const result = await runLoad({
    ...target,
    connections: options.connections ?? settings.connections,
    overallRate: options.overallRate,
    durationSeconds: settings.durationSeconds,
    // Logins queue behind bcrypt: their latency is the queue, not a failure.
    timeoutSeconds: 30,
  });
  const cpuAfter = await cpuSeconds(pid);
  if (cpuBefore === null || cpuAfter === null || !result.ok) return result;
  return { ...result, serverCpuMsPerRequest: ((cpuAfter - cpuBefore) * 1000) / result.ok };
}

/**
 * The `me` targets: each gateway target next to its reference, the reference first in odd
 * rounds and second in even ones, the pairs in reverse order in even rounds, so that neither
 * side always runs on a machine warmed (or slowed) by the other.
 */
export function meOrder(round: number, available: Partial<Record<MeKind, unknown>>): MeKind[] {
  const reversed = round % 2 === 0;
  const pairs = ME_PAIRS.map(({ gateway, reference }): MeKind[] =>
    reversed ? [gateway, reference] : [reference, gateway],
  );
  const order = [...(reversed ? pairs.reverse() : pairs).flat(), 'apolloFloor' as const];
  return order.filter((kind) => available[kind] !== undefined);
}

export async function runMeRounds(
  round: number,
  targets: Targets,
  env: BenchEnvironment,
  settings: BenchSettings,
): Promise<Round['me']> {
  const servers: Record<MeKind, ServerProcess> = {
    restBare: env.bare,
    graphqlBare: env.bare,
    verifyBare: env.bare,
    rest: env.gateway,
    graphql: env.gateway,
    verify: env.gateway,
    apolloFloor: env.apolloFloor,
  };
  const me: Round['me'] = {};
  for (const kind of meOrder(round, targets.me)) {
    me[kind] = await load(targets.me[kind]!, settings, { server: servers[kind] });
  }
  return me;
}

export async function runRound(
  round: number,
  targets: Targets,
  env: BenchEnvironment,
  settings: BenchSettings,
  bcrypt: BcryptCapacity | null,
): Promise<Round> {
  const me = await runMeRounds(round, targets, env, settings);
  if (!bcrypt) {
    const result: Round = { round, me, login: {}, gatewayRssMb: await residentMegabytes(env.gateway.child.pid) };
    printRound(result);
    return result;
  }
  const reversed = round % 2 === 0;
  const inOrder = <K extends string>(kinds: K[]) => (reversed ? [...kinds].reverse() : kinds);
  // Logins still queued for bcrypt when a run stops must drain before the next run starts.
  const drain = () => sleep((Math.ceil(settings.connections / bcrypt.allCoresPerSecond) + 1) * 1000);
  const login: Round['login'] = {};
  for (const kind of inOrder<LoginKind>(['rest', 'graphql'])) {
    const target = targets.login[kind];
    if (!target) continue;
    login[kind] = await load(target, settings, { server: env.gateway });
    await drain();
  }

  const probeTarget = (targets.me.rest ?? targets.me.graphql)!;
  const probe = { overallRate: settings.probeRate, connections: settings.probeConnections };
  const alone = await load(probeTarget, settings, { ...probe, server: env.gateway });
  const [duringFlood, flood] = await Promise.all([
    load(probeTarget, settings, probe),
    loginFlood({
      transport: targets.login.rest ? 'rest' : 'graphql',
      url: env.gateway.baseUrl,
      logins: targets.logins,
      connections: settings.connections,
      durationSeconds: settings.durationSeconds,
    }),
  ]);
  await drain();

  const result: Round = {
    round,
    me,
    login,
    probe: { transport: probeTarget.name.replace('me ', ''), alone, duringFlood, flood },
    gatewayRssMb: await residentMegabytes(env.gateway.child.pid),
  };
  printRound(result);
  return result;
}

export async function warmUp(targets: Targets, settings: BenchSettings): Promise<void> {
  const brief = { ...settings, durationSeconds: Math.min(WARMUP_SECONDS, settings.durationSeconds) };
  for (const target of [...Object.values(targets.me), ...Object.values(targets.login)]) {
    await load(target, brief, { connections: 10 });
  }
}
