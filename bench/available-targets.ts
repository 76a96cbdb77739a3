import { type AnswerCheck, compareAnswers } from './answers.js';
import type { BenchEnvironment } from './environment.js';
import type { LoginKind, MeKind } from './report.js';
import type { BenchSettings } from './settings.js';
import {
  type Credentials,
  checkTarget,
  loginGraphql,
  loginRest,
  meGraphql,
  meRest,
  type Target,
  verifyTarget,
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
  /** The credentials the login targets cycle through, for a flood run elsewhere. */
  logins: Credentials[];
  /** The gateway's answers against the reference's, compared before anything is measured. */
  answers: AnswerCheck[];
}

/** `me` tokens for a sample of the seeded users, each of a session of its own, as the gateway issues them. */
export function meTargets(env: BenchEnvironment, settings: BenchSettings, userIds: number[]) {
  const mint = tokenMinter(settings.jwtSecret, settings.jwtPrv, `${env.gateway.baseUrl}/api/auth/login`);
  const tokens = sample(userIds, SAMPLE_USERS).map((id) => mint(id));
  const gateway = env.gateway.baseUrl;
  const bare = env.bare.baseUrl;
  return {
    restBare: meRest(bare, tokens, 'me REST bare'),
    rest: meRest(gateway, tokens),
    graphqlBare: meGraphql(bare, tokens, 'me GraphQL bare'),
    graphql: meGraphql(gateway, tokens),
    verifyBare: verifyTarget(bare, tokens, 'verify bare'),
    verify: verifyTarget(gateway, tokens),
    apolloFloor: meGraphql(env.apolloFloor.baseUrl, tokens, 'me Apollo floor'),
  } satisfies Record<MeKind, Target>;
}

/** Every target must answer, and the reference exactly as the gateway does: the bench stops otherwise. */
export async function availableTargets(
  env: BenchEnvironment,
  settings: BenchSettings,
  { withLogins = true } = {},
): Promise<Targets> {
  const users = sample(env.users, SAMPLE_USERS);
  const logins = users.map((user) => ({ username: user.username, password: settings.password }));
  const gateway = env.gateway.baseUrl;
  const me = meTargets(
    env,
    settings,
    env.users.map((user) => user.id),
  );
  const only = settings.only;
  const candidates = {
    me: only ? Object.fromEntries(Object.entries(me).filter(([kind]) => only.includes(kind))) : me,
    login: withLogins ? { rest: loginRest(gateway, logins), graphql: loginGraphql(gateway, logins) } : {},
  };
  const targets: Targets = { me: {}, login: {}, logins, answers: [] };
  for (const group of ['me', 'login'] as const) {
    for (const [kind, target] of Object.entries(candidates[group])) {
      const failure = await checkTarget(target);
      if (failure) throw new Error(`${target.name} does not work: ${failure}`);
      (targets[group] as Record<string, Target>)[kind] = target;
    }
  }
  targets.answers = await compareAnswers(targets.me, { stopOnDifference: !settings.otherBuild });
  return targets;
}
