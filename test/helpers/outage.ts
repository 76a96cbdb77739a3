import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { newInvitationCode, PASSWORD } from './accounts.js';
import { CAPTCHA_CODE, type Gateway } from './gateway.js';
import { send } from './http.js';
import { insertUser } from './legacy-users.js';
import { type Outcome, type Transport, tokenOf } from './transports.js';
import { waitUntil } from './wait.js';

/** A request that needs a dependency which is down fails within this time. */
export const FAILS_WITHIN_MS = 2000;
/** How soon requests must succeed again once the dependency is back. */
export const RECOVERY_MS = 5000;

/** One user's tokens and a captcha on one transport, made while every dependency was up. */
export interface Sessions {
  gateway: Gateway;
  transport: Transport;
  username: string;
  live: string;
  /** Logged out before the outage: must never be accepted. */
  revoked: string;
  captchaKey: string;
  invitationCode: string;
}

const captchaKeyOf = (outcome: Outcome): string => outcome.data.captchaKey ?? outcome.data.captcha_key;

export async function openSessions(gw: Gateway, transport: Transport): Promise<Sessions> {
  const username = `outage${randomBytes(4).toString('hex')}`;
  await insertUser(gw.db, username);
  const live = tokenOf(await transport.login(username, PASSWORD));
  const revoked = tokenOf(await transport.login(username, PASSWORD));
  expect((await transport.logout(revoked)).ok).toBe(true);
  return {
    gateway: gw,
    transport,
    username,
    live,
    revoked,
    captchaKey: captchaKeyOf(await transport.captcha()),
    invitationCode: await newInvitationCode(gw.app),
  };
}

function registration(s: Sessions, captchaKey = s.captchaKey): Record<string, string> {
  return {
    name: 'Outage',
    username: `new${randomBytes(4).toString('hex')}`,
    password: PASSWORD,
    passwordConfirmation: PASSWORD,
    invitationCode: s.invitationCode,
    captchaKey,
    captchaCode: CAPTCHA_CODE,
  };
}

/** Every operation a client could try, by name; the revoked token is tried wherever a token is. */
export function operations(s: Sessions): Record<string, () => Promise<Outcome>> {
  const { transport: t } = s;
  return {
    captcha: () => t.captcha('someone'),
    register: () => t.register(registration(s)),
    login: () => t.login(s.username, PASSWORD),
    me: () => t.me(s.live),
    refresh: () => t.refresh(s.live),
    logout: () => t.logout(s.live),
    'me with a revoked token': () => t.me(s.revoked),
    'refresh with a revoked token': () => t.refresh(s.revoked),
    'logout with a revoked token': () => t.logout(s.revoked),
  };
}

/** A newcomer's whole visit, captcha → register → login → me → refresh → logout: each step's verdict. */
export async function newcomerVisit(s: Sessions): Promise<Record<string, string>> {
  const { transport: t } = s;
  const seen: Record<string, string> = {};
  const step = async (name: string, call: () => Promise<Outcome>): Promise<Outcome> => {
    const outcome = await call();
    seen[name] = verdict(outcome);
    return outcome;
  };
  const captcha = await step('captcha', () => t.captcha());
  const input = registration(s, captcha.ok ? captchaKeyOf(captcha) : 'captcha-none');
  await step('register', () => t.register(input));
  const login = await step('login', () => t.login(input.username!, PASSWORD));
  const token = login.ok ? tokenOf(login) : undefined;
  await step('me', () => t.me(token));
  const refresh = await step('refresh', () => t.refresh(token));
  await step('logout', () => t.logout(refresh.ok ? tokenOf(refresh) : undefined));
  return seen;
}

export const NEWCOMER_SUCCEEDS = Object.fromEntries(
  ['captcha', 'register', 'login', 'me', 'refresh', 'logout'].map((step) => [step, 'ok']),
);

/** What a call came to and, past FAILS_WITHIN_MS, how long it took. */
export function verdict(outcome: Outcome): string {
  const what = outcome.ok ? 'ok' : `${outcome.code} ${outcome.legacyCode}`;
  return outcome.answer.ms < FAILS_WITHIN_MS ? what : `${what} after ${Math.round(outcome.answer.ms)} ms`;
}

/** Runs the calls at once (each on its own clock), and tells what each came to, by name. */
export async function verdicts(calls: Record<string, () => Promise<Outcome>>): Promise<Record<string, string>> {
  const seen = await Promise.all(Object.entries(calls).map(async ([name, call]) => [name, verdict(await call())]));
  return Object.fromEntries(seen);
}

/** 503 and 50001 on REST, SERVICE_UNAVAILABLE on GraphQL, within FAILS_WITHIN_MS. */
export const UNAVAILABLE = 'SERVICE_UNAVAILABLE 50001';
const REFUSED = 'refused';

/** A revoked token meets the outage and its revocation at once: either answer refuses it. */
function asRefusal(name: string, seen: string): string {
  return name.includes('revoked') && [UNAVAILABLE, 'UNAUTHENTICATED 40005'].includes(seen) ? REFUSED : seen;
}

const label = (s: Sessions) => `${s.transport.name} on ${s.gateway.url}`;

/**
 * Every operation of every session, all at once while the dependency is down: those that need it
 * answer UNAVAILABLE in time, the others succeed, and no revoked token gets through; each gateway
 * is alive and names the dependency it misses.
 */
export async function expectFailingFastAndClosed(
  sessions: Sessions[],
  dependency: string,
  { unaffected = [] as string[] } = {},
): Promise<void> {
  const seen = await Promise.all(sessions.map((s) => verdicts(operations(s))));
  const expected = (name: string) =>
    name.includes('revoked') ? REFUSED : unaffected.includes(name) ? 'ok' : UNAVAILABLE;
  for (const [i, s] of sessions.entries()) {
    const names = Object.keys(seen[i]!);
    const got = Object.fromEntries(names.map((name) => [name, asRefusal(name, seen[i]![name]!)]));
    expect(got, label(s)).toEqual(Object.fromEntries(names.map((name) => [name, expected(name)])));
  }
  for (const gw of new Set(sessions.map((s) => s.gateway))) await expectNotReady(gw, dependency);
}

/**
 * Within RECOVERY_MS of the dependency's return, logins and the live tokens work again (a store
 * that came back empty first has its revocations restored); then a newcomer's whole visit does.
 */
export async function expectServingAgain(sessions: Sessions[]): Promise<void> {
  for (const s of sessions) {
    await waitUntil(async () => (await s.transport.login(s.username, PASSWORD)).ok, {
      timeoutMs: RECOVERY_MS,
      what: `a login (${label(s)})`,
    });
    await waitUntil(async () => (await s.transport.me(s.live)).ok, {
      timeoutMs: RECOVERY_MS,
      what: `the live token (${label(s)})`,
    });
  }
  for (const s of sessions) expect(await newcomerVisit(s), label(s)).toEqual(NEWCOMER_SUCCEEDS);
}

/** Every session's revoked token is still refused. */
export async function expectRevocationsKept(sessions: Sessions[]): Promise<void> {
  for (const s of sessions) expect(verdict(await s.transport.me(s.revoked)), label(s)).toBe('UNAUTHENTICATED 40005');
}

/** The process is alive and says which dependency it is missing. */
export async function expectNotReady(gw: Gateway, dependency: string): Promise<void> {
  expect((await send(`${gw.url}/healthz`)).status).toBe(200);
  const readiness = await send(`${gw.url}/readyz`);
  expect(readiness.status).toBe(503);
  expect(readiness.json).toMatchObject({ status: 'unavailable', failing: [dependency] });
}
