import { describe, expect, it } from 'vitest';
import { type RegisterInput, registerThroughServices } from '../helpers/accounts.js';
import { tokenWorks as serviceTokenWorks } from '../helpers/embedded-services.js';
import { CAPTCHA_CODE, type Gateway } from '../helpers/gateway.js';
import { useGateway } from '../helpers/gateway-hooks.js';
import {
  type Outcome as Answered,
  type Transport as Client,
  graphqlTransport,
  restTransport,
} from '../helpers/transports.js';

/** What a client learns from one call: the business code, and a token when one was issued. */
interface Outcome {
  code: number;
  token?: string;
}

/** The legacy operations, each through one transport, told apart only by their business codes. */
interface Transport {
  captcha(): Promise<string>;
  register(input: RegisterInput): Promise<Outcome>;
  login(username: string, password: string): Promise<Outcome>;
  me(token?: string): Promise<Outcome>;
  logout(token?: string): Promise<Outcome>;
  refresh(token?: string): Promise<Outcome>;
}

/**
 * REST answers a business outcome in a 200 envelope and a missing or bad token with its 401;
 * GraphQL an error with its business code in `extensions.legacyCode`, one error at a time.
 */
function outcomeOf(via: Client['name'], answered: Answered): Outcome {
  const { status, json, text } = answered.answer;
  if (via === 'REST') expect([200, 401], text).toContain(status);
  else if (json.errors) expect(json.errors, text).toHaveLength(1);
  if (!answered.ok) return { code: answered.legacyCode! };
  const token = answered.data?.accessToken ?? answered.data?.access_token;
  return typeof token === 'string' ? { code: 20001, token } : { code: 20001 };
}

/** One of the shared transports of test/helpers, answering in business codes. */
function parityTransport(client: Client): Transport {
  const outcome = (answered: Answered) => outcomeOf(client.name, answered);
  return {
    captcha: async () => {
      const answered = await client.captcha();
      expect(answered.ok, answered.answer.text).toBe(true);
      return (answered.data.captchaKey ?? answered.data.captcha_key) as string;
    },
    register: async (input) => outcome(await client.register({ ...input })),
    login: async (username, password) => outcome(await client.login(username, password)),
    me: async (token) => outcome(await client.me(token)),
    logout: async (token) => outcome(await client.logout(token)),
    refresh: async (token) => outcome(await client.refresh(token)),
  };
}

/** The fixtures one scenario runs against, made afresh for each transport. */
interface World {
  t: Transport;
  /** Prefixes every username of this world, so worlds never meet. */
  prefix: string;
  /** A registered, enabled user (its invitation code is now used up). */
  user: { username: string; password: string; token: string };
  /** An unused single-use invitation code. */
  freshCode: string;
  usedCode: string;
  /** A valid registration of `${prefix}newbie`. */
  registration(): Promise<RegisterInput>;
}

/** What a scenario leaves behind, with the world's own names taken out so worlds compare. */
interface State {
  users: { username: string; status: number; tokenVersion: number; invitation: string }[];
  invitationUses: Record<string, number>;
  userTokenWorks: boolean | null;
  issuedTokenWorks: boolean | null;
}

interface Scenario {
  name: string;
  code: number;
  given?: (w: World, gw: Gateway) => Promise<void>;
  when: (w: World) => Promise<Outcome>;
  /** The change of state expected (the same on both transports is checked for every scenario). */
  afterwards?: (state: State) => void;
}

const untouched = (state: State) => {
  expect(state.users.map((u) => u.username)).toEqual(['user']);
  expect(state.invitationUses).toEqual({ fresh: 0, used: 1 });
  expect(state.userTokenWorks).toBe(true);
};

const scenarios: Scenario[] = [
  {
    name: 'register',
    code: 20001,
    when: async (w) => w.t.register(await w.registration()),
    afterwards: (state) => {
      expect(state.users).toEqual([
        { username: 'newbie', status: 1, tokenVersion: 0, invitation: 'fresh' },
        { username: 'user', status: 1, tokenVersion: 0, invitation: 'used' },
      ]);
      expect(state.invitationUses).toEqual({ fresh: 1, used: 1 });
      expect(state.issuedTokenWorks).toBe(true);
    },
  },
  {
    name: 'register: unknown captcha key',
    code: 10003,
    when: async (w) => w.t.register({ ...(await w.registration()), captchaKey: 'captcha-unknown' }),
    afterwards: untouched,
  },
  {
    name: 'register: wrong captcha code',
    code: 10003,
    when: async (w) => w.t.register({ ...(await w.registration()), captchaCode: 'ZZZZZ' }),
    afterwards: untouched,
  },
  {
    name: 'register: a captcha already consumed by a failed attempt',
    code: 10003,
    when: async (w) => {
      const input = await w.registration();
      await w.t.register({ ...input, captchaCode: 'ZZZZZ' });
      return w.t.register(input);
    },
    afterwards: untouched,
  },
  {
    name: 'register: unknown invitation code',
    code: 10003,
    when: async (w) => w.t.register({ ...(await w.registration()), invitationCode: 'NOSUCHCODE' }),
    afterwards: untouched,
  },
  {
    name: 'register: used-up invitation code',
    code: 10003,
    when: async (w) => w.t.register({ ...(await w.registration()), invitationCode: w.usedCode }),
    afterwards: untouched,
  },
  {
    name: 'register: username taken, in another case',
    code: 40001,
    when: async (w) => w.t.register({ ...(await w.registration()), username: w.user.username.toUpperCase() }),
    afterwards: untouched,
  },
  {
    name: 'register: username too short',
    code: 10001,
    when: async (w) => w.t.register({ ...(await w.registration()), username: 'abc' }),
    afterwards: untouched,
  },
  {
    name: 'register: confirmation differs',
    code: 10001,
    when: async (w) => w.t.register({ ...(await w.registration()), passwordConfirmation: 'different1' }),
    afterwards: untouched,
  },
  {
    name: 'register: control character in name',
    code: 10001,
    when: async (w) => w.t.register({ ...(await w.registration()), name: 'bad\u0007name' }),
    afterwards: untouched,
  },
  { name: 'login', code: 20001, when: (w) => w.t.login(w.user.username, w.user.password) },
  {
    name: 'login: wrong password',
    code: 10003,
    when: (w) => w.t.login(w.user.username, 'wrong-password'),
    afterwards: untouched,
  },
  {
    name: 'login: unknown user',
    code: 10003,
    when: (w) => w.t.login(`${w.prefix}nobody`, 'password123'),
    afterwards: untouched,
  },
  {
    name: 'login: disabled account',
    code: 40001,
    given: async (w, gw) => {
      await gw.db.query('update users set status = -1 where username = ?', [w.user.username]);
    },
    when: (w) => w.t.login(w.user.username, w.user.password),
  },
  { name: 'login: empty password', code: 10001, when: (w) => w.t.login(w.user.username, ''), afterwards: untouched },
  { name: 'me', code: 20001, when: (w) => w.t.me(w.user.token) },
  { name: 'me: no token', code: 40005, when: (w) => w.t.me(), afterwards: untouched },
  {
    name: 'me: forged token',
    code: 40005,
    when: (w) => w.t.me(`${w.user.token.slice(0, -2)}xx`),
    afterwards: untouched,
  },
  {
    name: 'me: account disabled since the token was issued',
    code: 40005,
    given: async (w, gw) => {
      await gw.db.query('update users set status = -1 where username = ?', [w.user.username]);
    },
    when: (w) => w.t.me(w.user.token),
  },
  {
    name: 'logout',
    code: 20001,
    when: (w) => w.t.logout(w.user.token),
    afterwards: (state) => expect(state.userTokenWorks).toBe(false),
  },
  { name: 'logout: no token', code: 40005, when: (w) => w.t.logout(), afterwards: untouched },
  {
    name: 'refresh',
    code: 20001,
    when: (w) => w.t.refresh(w.user.token),
    afterwards: (state) => expect([state.userTokenWorks, state.issuedTokenWorks]).toEqual([false, true]),
  },
  { name: 'refresh: no token', code: 40005, when: (w) => w.t.refresh(), afterwards: untouched },
  {
    name: 'refresh: a token already refreshed',
    code: 40005,
    when: async (w) => {
      await w.t.refresh(w.user.token);
      return w.t.refresh(w.user.token);
    },
  },
];

describe('GraphQL and REST parity', () => {
  const gw = useGateway();

  const elsewhere = { ip: '198.51.100.7', url: 'http://parity.fixture', userAgent: null };

  async function freshCode(): Promise<string> {
    const [code] = await gw().app.services.invitations.create({ count: 1, uses: 1 }, { userId: null });
    return code!.code;
  }

  /** The same fixtures for each transport; the user is made through the services, not a transport. */
  async function world(t: Transport, prefix: string): Promise<World> {
    const usedCode = await freshCode();
    const password = 'password123';
    const username = `${prefix}user`;
    const token = await registerThroughServices(gw().app, username, { password, invitationCode: usedCode });
    const code = await freshCode();
    return {
      t,
      prefix,
      user: { username, password, token },
      freshCode: code,
      usedCode,
      registration: async () => ({
        name: 'Newbie',
        username: `${prefix}newbie`,
        password,
        passwordConfirmation: password,
        invitationCode: code,
        captchaKey: await t.captcha(),
        captchaCode: CAPTCHA_CODE,
      }),
    };
  }

  async function tokenWorks(token: string | undefined): Promise<boolean | null> {
    if (!token) return null;
    return serviceTokenWorks(gw().app.services, token, elsewhere);
  }

  async function state(w: World, outcome: Outcome): Promise<State> {
    const users = await gw().db.query<{
      username: string;
      status: number;
      token_version: number;
      invitation_code: string;
    }>('select username, status, token_version, invitation_code from users where username like ? order by username', [
      `${w.prefix}%`,
    ]);
    const uses = await gw().db.query<{ code: string; usage_times: number }>(
      'select code, usage_times from invitation_codes where code in (?, ?)',
      [w.freshCode, w.usedCode],
    );
    const label = (code: string) => (code === w.freshCode ? 'fresh' : code === w.usedCode ? 'used' : code);
    return {
      users: users.map((u) => ({
        username: u.username.slice(w.prefix.length).toLowerCase(),
        status: u.status,
        tokenVersion: u.token_version,
        invitation: label(u.invitation_code),
      })),
      invitationUses: Object.fromEntries(uses.map((u) => [label(u.code), u.usage_times])),
      userTokenWorks: await tokenWorks(w.user.token),
      issuedTokenWorks: await tokenWorks(outcome.token),
    };
  }

  it.each(scenarios.map((s, i) => [s.name, s, i] as const))('%s', async (_name, scenario, index) => {
    const results = [];
    for (const [tag, transport] of [
      ['r', parityTransport(restTransport(gw().url))],
      ['g', parityTransport(graphqlTransport(gw().url))],
    ] as const) {
      const w = await world(transport, `p${index}${tag}`);
      await scenario.given?.(w, gw());
      const outcome = await scenario.when(w);
      expect(outcome.code, `${tag === 'r' ? 'REST' : 'GraphQL'}: ${scenario.name}`).toBe(scenario.code);
      results.push(await state(w, outcome));
    }
    const [viaRest, viaGraphql] = results;
    expect(viaRest).toEqual(viaGraphql);
    scenario.afterwards?.(viaRest!);
  });
});
