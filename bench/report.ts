import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BcryptCapacity } from './bcrypt-capacity.js';
import type { LoadResult } from './load.js';
import { REPO_ROOT } from './paths.js';

export type MeKind = 'restBare' | 'rest' | 'graphqlBare' | 'graphql' | 'verifyBare' | 'verify' | 'apolloFloor';

/** Each gateway target and the reference giving the same answer, measured back to back. */
export const ME_PAIRS: Array<{ gateway: MeKind; reference: MeKind; label: string; min: number }> = [
  { gateway: 'rest', reference: 'restBare', label: 'me REST / reference', min: 0.8 },
  { gateway: 'verify', reference: 'verifyBare', label: '/auth/verify / reference', min: 0.8 },
  { gateway: 'graphql', reference: 'graphqlBare', label: 'me GraphQL / reference', min: 0.6 },
];

export const ME_LABELS: Record<MeKind, string> = {
  restBare: 'me REST reference',
  rest: 'me REST',
  graphqlBare: 'me GraphQL reference',
  graphql: 'me GraphQL',
  verifyBare: 'verify reference',
  verify: 'verify',
  apolloFloor: 'me Apollo floor',
};
export type LoginKind = 'rest' | 'graphql';

export interface Round {
  round: number;
  me: Partial<Record<MeKind, LoadResult>>;
  login: Partial<Record<LoginKind, LoadResult>>;
  /** `me` at a fixed rate, alone and while logins flood the gateway (not in the me-only modes). */
  probe?: { transport: string; alone: LoadResult; duringFlood: LoadResult; flood: LoadResult };
  gatewayRssMb: number | null;
}

export interface Ratio {
  name: string;
  value: number | null;
  target: string;
  pass: boolean | null;
}

const median = (values: number[]): number | null => {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** Each ratio is taken within a round (its A and B ran back to back), then the median over rounds. */
function perRoundMedian(
  rounds: Round[],
  pick: (round: Round) => [number | undefined, number | undefined],
): number | null {
  const ratios = rounds.flatMap((round) => {
    const [a, b] = pick(round);
    return a !== undefined && b !== undefined && b > 0 ? [a / b] : [];
  });
  return median(ratios);
}

function ratio(name: string, value: number | null, target: string, passes: (v: number) => boolean): Ratio {
  return { name, value, target, pass: value === null ? null : passes(value) };
}

export function ratios(rounds: Round[], bcrypt: BcryptCapacity | null, rssLimitMb = 250): Ratio[] {
  const atLeast = (min: number) => (v: number) => v >= min;
  const rps = (result?: LoadResult) => result?.requestsPerSecond;
  const list = ME_PAIRS.map(({ gateway, reference, label, min }) =>
    ratio(
      label,
      perRoundMedian(rounds, (r) => [rps(r.me[gateway]), rps(r.me[reference])]),
      `>= ${min}`,
      atLeast(min),
    ),
  );
  if (!rounds.some((r) => r.probe) || !bcrypt) return list;
  const rss = rounds.flatMap((r) => (r.gatewayRssMb === null ? [] : [r.gatewayRssMb]));
  return [
    ...list,
    ratio(
      'login REST / (cores x 1-core bcrypt)',
      perRoundMedian(rounds, (r) => [rps(r.login.rest), bcrypt.idealPerSecond]),
      '>= 0.85',
      atLeast(0.85),
    ),
    ratio(
      'login GraphQL / (cores x 1-core bcrypt)',
      perRoundMedian(rounds, (r) => [rps(r.login.graphql), bcrypt.idealPerSecond]),
      '>= 0.85',
      atLeast(0.85),
    ),
    ratio(
      'me p99 during login flood / alone',
      perRoundMedian(rounds, (r) => [r.probe?.duringFlood.p99Ms, r.probe?.alone.p99Ms]),
      '< 3',
      (v) => v < 3,
    ),
    ratio(
      'gateway RSS after each round, MB (max)',
      rss.length ? Math.max(...rss) : null,
      `< ${rssLimitMb}`,
      (v) => v < rssLimitMb,
    ),
  ];
}

/** Where the GraphQL target stands against Apollo Server's own cost (informational, not a target). */
export function apolloFloorRatios(rounds: Round[]) {
  const rps = (result?: LoadResult) => result?.requestsPerSecond;
  return {
    floorVersusBare: perRoundMedian(rounds, (r) => [rps(r.me.apolloFloor), rps(r.me.graphqlBare)]),
    graphqlVersusFloor: perRoundMedian(rounds, (r) => [rps(r.me.graphql), rps(r.me.apolloFloor)]),
  };
}

/** Logins against what all cores managed at once (informational: the target uses cores x one core). */
export function loginVersusAllCores(rounds: Round[], bcrypt: BcryptCapacity) {
  return {
    rest: perRoundMedian(rounds, (r) => [r.login.rest?.requestsPerSecond, bcrypt.allCoresPerSecond]),
    graphql: perRoundMedian(rounds, (r) => [r.login.graphql?.requestsPerSecond, bcrypt.allCoresPerSecond]),
  };
}

/**
 * Bare CPU per `me` over the gateway's: the throughput ratio each would reach if the server had
 * the machine to itself, whatever share the load generator takes.
 */
export function cpuRatios(rounds: Round[]) {
  const cpu = (result?: LoadResult) => result?.serverCpuMsPerRequest ?? undefined;
  const pairs = ME_PAIRS.map(({ gateway, reference, label }) => [
    label,
    perRoundMedian(rounds, (r) => [cpu(r.me[reference]), cpu(r.me[gateway])]),
  ]);
  return {
    ...Object.fromEntries(pairs),
    'Apollo floor / reference (GraphQL)': perRoundMedian(rounds, (r) => [cpu(r.me.graphqlBare), cpu(r.me.apolloFloor)]),
  } as Record<string, number | null>;
}

const fixed = (value: number | null | undefined, digits = 1) => (value == null ? '-' : value.toFixed(digits));

function resultLine(label: string, result: LoadResult | undefined): string {
  if (!result) return `  ${label.padEnd(26)} not measured`;
  const problems = result.failed + result.errors + result.timeouts;
  return (
    `  ${label.padEnd(26)} ${fixed(result.requestsPerSecond).padStart(9)} req/s` +
    `   p50 ${fixed(result.p50Ms).padStart(7)} ms   p99 ${fixed(result.p99Ms).padStart(7)} ms` +
    (result.serverCpuMsPerRequest != null ? `   server CPU ${fixed(result.serverCpuMsPerRequest, 3)} ms/req` : '') +
    (problems ? `   (${result.failed} failed, ${result.errors} errors, ${result.timeouts} timeouts)` : '')
  );
}

export function printRound(round: Round): void {
  console.log(`\nround ${round.round}`);
  for (const kind of Object.keys(ME_LABELS) as MeKind[]) {
    if (round.me[kind]) console.log(resultLine(ME_LABELS[kind], round.me[kind]));
  }
  if (!round.probe) return;
  console.log(resultLine('login REST', round.login.rest));
  console.log(resultLine('login GraphQL', round.login.graphql));
  console.log(resultLine(`me ${round.probe.transport} @rate alone`, round.probe.alone));
  console.log(resultLine(`me ${round.probe.transport} @rate in flood`, round.probe.duringFlood));
  console.log(resultLine('login flood', round.probe.flood));
  console.log(`  gateway RSS after the round: ${round.gatewayRssMb ?? '-'} MB`);
}

export function printSummary(summary: ReturnType<typeof summarize>): void {
  console.log('\nmedians over the rounds');
  for (const kind of Object.keys(ME_LABELS) as MeKind[]) {
    const f = summary.me[kind];
    if (!f) continue;
    console.log(
      `  ${ME_LABELS[kind].padEnd(26)} ${fixed(f.requestsPerSecond).padStart(9)} req/s   p50 ${fixed(f.p50Ms).padStart(7)} ms` +
        `   p99 ${fixed(f.p99Ms).padStart(7)} ms   server CPU ${fixed(f.serverCpuMsPerRequest, 3)} ms/req`,
    );
  }
}

export function printBcrypt(bcrypt: BcryptCapacity): void {
  console.log(
    `bcrypt compare at cost ${bcrypt.cost}: ${fixed(bcrypt.singleCorePerSecond)}/s on one core; ` +
      `${bcrypt.cores} cores x that = ${fixed(bcrypt.idealPerSecond)}/s; all cores at once measured ${fixed(bcrypt.allCoresPerSecond)}/s`,
  );
}

export function printRatios(list: Ratio[]): void {
  console.log('\nratios (median of the per-round ratios) against the targets');
  for (const r of list) {
    const verdict = r.pass === null ? 'NOT MEASURED' : r.pass ? 'PASS' : 'MISS';
    // Three digits, so that a ratio just under its target never prints as the target itself.
    const digits = r.value != null && r.value < 10 ? 3 : 0;
    console.log(
      `  ${r.name.padEnd(42)} ${fixed(r.value, digits).padStart(7)}   target ${r.target.padEnd(7)} ${verdict}`,
    );
  }
}

export async function writeResults(report: object): Promise<string> {
  const dir = join(REPO_ROOT, 'bench', 'results');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}

/** The median of each figure over the rounds. */
export function summarize(rounds: Round[]) {
  const figures = (pick: (round: Round) => LoadResult | undefined) => {
    const results = rounds.map(pick).filter((r): r is LoadResult => r !== undefined);
    if (!results.length) return null;
    return {
      requestsPerSecond: median(results.map((r) => r.requestsPerSecond)),
      p50Ms: median(results.map((r) => r.p50Ms)),
      p99Ms: median(results.map((r) => r.p99Ms)),
      serverCpuMsPerRequest: median(
        results.flatMap((r) => (r.serverCpuMsPerRequest != null ? [r.serverCpuMsPerRequest] : [])),
      ),
    };
  };
  return {
    me: Object.fromEntries((Object.keys(ME_LABELS) as MeKind[]).map((kind) => [kind, figures((r) => r.me[kind])])),
    loginRest: figures((r) => r.login.rest),
    loginGraphql: figures((r) => r.login.graphql),
    meProbeAlone: figures((r) => r.probe?.alone),
    meProbeDuringFlood: figures((r) => r.probe?.duringFlood),
    loginFlood: figures((r) => r.probe?.flood),
  };
}
