import type { MeKind } from './report.js';
import type { Target } from './targets.js';

/** The headers an answer is compared on, beside its status and body. */
const COMPARED_HEADERS = [
  'content-type',
  'cache-control',
  'www-authenticate',
  'x-auth-user-id',
  'x-auth-username',
  'x-auth-role',
  'x-auth-session-id',
];

export interface AnswerCheck {
  pair: string;
  request: string;
  same: boolean;
  gateway: string;
  reference: string;
}

const PAIRS: Array<[reference: MeKind, gateway: MeKind]> = [
  ['restBare', 'rest'],
  ['graphqlBare', 'graphql'],
  ['verifyBare', 'verify'],
];

async function answer(target: Target, authorization: string | undefined): Promise<string> {
  const [request] = target.requests;
  const headers = { ...(request!.headers as Record<string, string>) };
  if (authorization === undefined) delete headers.authorization;
  else headers.authorization = authorization;
  const response = await fetch(new URL(request!.path ?? '/', target.url), {
    method: request!.method,
    headers,
    body: request!.body as string | undefined,
    signal: AbortSignal.timeout(10_000),
  });
  const shown = COMPARED_HEADERS.flatMap((name) => {
    const value = response.headers.get(name);
    return value === null ? [] : [`${name}: ${value}`];
  });
  return [`HTTP ${response.status}`, ...shown, '', await response.text()].join('\n');
}

/**
 * Sends the same requests (a valid token, a forged one, none) to the gateway and to the reference
 * and compares status, the headers that matter and the body, byte for byte. A reference that
 * answered differently would not be measuring the same thing: the bench stops, unless the gateway
 * is another build, whose differences are what changed since (they are printed and recorded).
 */
export async function compareAnswers(
  me: Partial<Record<MeKind, Target>>,
  { stopOnDifference }: { stopOnDifference: boolean },
): Promise<AnswerCheck[]> {
  const checks: AnswerCheck[] = [];
  for (const [referenceKind, gatewayKind] of PAIRS) {
    const reference = me[referenceKind];
    const gateway = me[gatewayKind];
    if (!reference || !gateway) continue;
    const valid = (gateway.requests[0]!.headers as Record<string, string>).authorization;
    const forged = `${valid!.slice(0, -4)}AAAA`;
    for (const [request, authorization] of [
      ['valid token', valid],
      ['forged token', forged],
      ['no token', undefined],
    ] as const) {
      const [g, r] = await Promise.all([answer(gateway, authorization), answer(reference, authorization)]);
      checks.push({ pair: `${gateway.name} / ${reference.name}`, request, same: g === r, gateway: g, reference: r });
    }
  }
  const different = checks.filter((check) => !check.same);
  for (const check of checks)
    console.log(`answers ${check.pair}, ${check.request}: ${check.same ? 'same' : 'DIFFERENT'}`);
  if (different.length) {
    for (const d of different)
      console.log(
        `\n${d.pair}, ${d.request}\n--- gateway\n${JSON.stringify(d.gateway)}\n--- reference\n${JSON.stringify(d.reference)}`,
      );
    if (stopOnDifference) throw new Error('the reference does not answer as the gateway does: fix it before measuring');
  }
  return checks;
}
