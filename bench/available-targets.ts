import type { BenchEnvironment } from './environment.js';
import type { LoginKind, MeKind } from './report.js';
import type { BenchSettings } from './settings.js';
import {
  type Credentials,
  checkTarget,
  loginGraphql,
  loginRest,
  meBare,
  meGraphql,
  meRest,
  type Target,
} from './targets.js';
import { tokenMinter } from './tokens.js';

/** Distinct users whose tokens (and logins) every connection cycles through. */
const SAMPLE_USERS = 500;

function sample<T>(items: T[], count: number): T[] {
  return Array.from({ length: count }, () => items[Math.floor(Math.random() * items.length)]!);
}

export interface Targets {
  me: Partial<Record<MeKind, Target>>;
  login: Partial<Record<LoginKind, Target>>;
  unavailable: Record<string, string>;
  /** The credentials the login targets cycle through, for a flood run elsewhere. */
  logins: Credentials[];
}

/** The reference servers and GraphQL must answer; the REST layer may not exist yet, and is then reported missing. */
export async function availableTargets(env: BenchEnvironment, settings: BenchSettings): Promise<Targets> {
  const users = sample(env.users, SAMPLE_USERS);
  const mint = tokenMinter(settings.jwtSecret, settings.jwtPrv, `${env.gateway.baseUrl}/api/auth/login`);
  const tokens = users.map((user) => mint(user.id));
  const logins = users.map((user) => ({ username: user.username, password: settings.password }));
  const gateway = env.gateway.baseUrl;
  const candidates = {
    me: {
      bare: meBare(env.bare.baseUrl, tokens),
      rest: meRest(gateway, tokens),
      graphql: meGraphql(gateway, tokens),
      apolloFloor: meGraphql(env.apolloFloor.baseUrl, tokens, 'me Apollo floor'),
    },
    login: { rest: loginRest(gateway, logins), graphql: loginGraphql(gateway, logins) },
  };
  const targets: Targets = { me: {}, login: {}, unavailable: {}, logins };
  for (const group of ['me', 'login'] as const) {
    for (const [kind, target] of Object.entries(candidates[group])) {
      const availability = await checkTarget(target);
      if (availability.state === 'ok') {
        (targets[group] as Record<string, Target>)[kind] = target;
        continue;
      }
      const why = availability.state === 'missing' ? 'missing (404)' : `broken: ${availability.detail}`;
      if (kind !== 'rest') throw new Error(`${target.name} does not work: ${why}`);
      targets.unavailable[target.name] = why;
      console.log(`${target.name}: ${why}; not measured`);
    }
  }
  return targets;
}
