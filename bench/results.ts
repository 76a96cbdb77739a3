import { cpus, freemem, loadavg, totalmem } from 'node:os';
import type { Targets } from './available-targets.js';
import { type BcryptCapacity, bestOf } from './bcrypt-capacity.js';
import {
  apolloFloorRatios,
  cpuRatios,
  loginVersusAllCores,
  printBcrypt,
  printRatios,
  printSummary,
  type Round,
  ratios,
  summarize,
  writeResults,
} from './report.js';
import type { BenchSettings } from './settings.js';

export interface Measurements {
  settings: BenchSettings;
  startedAt: Date;
  loadAverageBefore: number[];
  targets: Targets;
  bcryptBefore: BcryptCapacity | null;
  bcryptAfter: BcryptCapacity | null;
  rssBeforeLoadMb: number | null;
  rounds: Round[];
}

const two = (value: number | null) => value?.toFixed(2) ?? '-';

/** Prints the ratios against the targets and writes everything to bench/results/<timestamp>.json. */
export async function finish(m: Measurements): Promise<void> {
  const bcrypt = m.bcryptBefore && m.bcryptAfter ? bestOf(m.bcryptBefore, m.bcryptAfter) : null;
  if (m.bcryptAfter) printBcrypt(m.bcryptAfter);
  const summary = summarize(m.rounds);
  printSummary(summary);
  const list = ratios(m.rounds, bcrypt);
  printRatios(list);
  const versusAllCores = bcrypt ? loginVersusAllCores(m.rounds, bcrypt) : null;
  const byCpu = cpuRatios(m.rounds);
  const floor = apolloFloorRatios(m.rounds);
  const rssAfterRounds = m.rounds.map((r) => r.gatewayRssMb);
  if (versusAllCores) {
    console.log(
      `  (login / all-core measured bcrypt rate: REST ${two(versusAllCores.rest)}, GraphQL ${two(versusAllCores.graphql)})`,
    );
  }
  console.log(
    `  (server CPU per request, reference / gateway: ${Object.entries(byCpu)
      .map(([name, value]) => `${name} ${two(value)}`)
      .join('; ')})`,
  );
  console.log(
    `  (Apollo floor / GraphQL reference ${two(floor.floorVersusBare)}: a plain Apollo Server on Fastify doing the same work; ` +
      `me GraphQL / Apollo floor ${two(floor.graphqlVersusFloor)})`,
  );
  console.log(
    `  gateway RSS: ${m.rssBeforeLoadMb ?? '-'} MB before load; after each round ${rssAfterRounds.map((mb) => `${mb ?? '-'} MB`).join(', ')}`,
  );

  const { settings } = m;
  const file = await writeResults({
    startedAt: m.startedAt,
    finishedAt: new Date(),
    machine: {
      cpu: cpus()[0]?.model,
      cores: cpus().length,
      memoryMb: Math.round(totalmem() / 2 ** 20),
      freeMemoryMb: Math.round(freemem() / 2 ** 20),
      node: process.version,
      loadAverageBefore: m.loadAverageBefore,
      loadAverageAfter: loadavg(),
    },
    settings: {
      durationSeconds: settings.durationSeconds,
      rounds: settings.rounds,
      connections: settings.connections,
      users: settings.users,
      meOnly: settings.meOnly,
      bcryptCost: settings.bcryptCost,
      probeRate: settings.probeRate,
      probeConnections: settings.probeConnections,
    },
    bcrypt: { used: bcrypt, before: m.bcryptBefore, after: m.bcryptAfter },
    gatewayLogLevel: settings.gatewayLogLevel ?? 'info (default)',
    answers: m.targets.answers,
    summary,
    ratios: list,
    loginVersusAllCores: versusAllCores,
    cpuRatios: byCpu,
    apolloFloor: floor,
    gatewayRssMb: { beforeLoad: m.rssBeforeLoadMb, afterEachRound: rssAfterRounds },
    rounds: m.rounds,
  });
  console.log(`\nresults: ${file}`);
}
