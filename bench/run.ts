/**
 * `npm run bench`: the gateway against a bare node:http server doing the same `me` work, logins
 * against the machine's bcrypt capacity, and `me` latency during a login flood.
 */
import { cpus, loadavg } from 'node:os';
import { availableTargets } from './available-targets.js';
import { measureBcrypt } from './bcrypt-capacity.js';
import { setUp, tearDown } from './environment.js';
import { residentMegabytes } from './processes.js';
import { printBcrypt, type Round } from './report.js';
import { finish } from './results.js';
import { runRound, warmUp } from './rounds.js';
import { scaleBench } from './scale.js';
import { benchSettings } from './settings.js';

async function main(): Promise<void> {
  const settings = benchSettings();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void tearDown().finally(() => process.exit(130)));
  }
  if (process.argv.includes('--scale')) return scaleBench(settings);
  const startedAt = new Date();
  const loadAverageBefore = loadavg();
  if (loadAverageBefore[0]! > cpus().length / 2) {
    console.log(
      `warning: load average ${loadAverageBefore[0]!.toFixed(1)} on ${cpus().length} cores: expect noisy figures`,
    );
  }
  try {
    const env = await setUp(settings);
    const bcryptBefore = settings.meOnly ? null : await measureBcrypt(settings.bcryptCost, settings.bcryptSeconds);
    if (bcryptBefore) printBcrypt(bcryptBefore);
    const targets = await availableTargets(env, settings, { withLogins: !settings.meOnly });
    const rssBeforeLoadMb = await residentMegabytes(env.gateway.child.pid);
    await warmUp(targets, settings);

    console.log(
      `\n${settings.rounds} rounds of ${settings.durationSeconds} s runs, ${settings.connections} connections` +
        (settings.meOnly
          ? ' (me and verify only)'
          : `; latency probe ${settings.probeRate} req/s on ${settings.probeConnections} connections`),
    );
    const rounds: Round[] = [];
    for (let n = 1; n <= settings.rounds; n++) rounds.push(await runRound(n, targets, env, settings, bcryptBefore));

    console.log('');
    const bcryptAfter = settings.meOnly ? null : await measureBcrypt(settings.bcryptCost, settings.bcryptSeconds);
    await finish({
      settings,
      startedAt,
      loadAverageBefore,
      targets,
      bcryptBefore,
      bcryptAfter,
      rssBeforeLoadMb,
      rounds,
    });
  } finally {
    await tearDown();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
