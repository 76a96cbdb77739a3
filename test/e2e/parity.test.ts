import { describe, expect, it } from 'vitest';
import { type RegisterInput, registerThroughServices } from '../helpers/accounts.js';
import { CAPTCHA_CODE, type Gateway } from '../helpers/gateway.js';
import { useGateway } from '../helpers/gateway-hooks.js';
import { type GraphqlResponse, gql, ops } from '../helpers/graphql.js';
import { type RestResponse, rest } from '../helpers/rest.js';

/** What a client learns from one call: the business code, and a token when one was issued. */
interface Outcome {
  code: number;
  token?: string;
}

/** The legacy operations, each through one transport. */
interface Transport {
  captcha(): Promise<string>;
  register(input: RegisterInput): Promise<Outcome>;
  login(username: string, password: string): Promise<Outcome>;
  me(token?: string): Promise<Outcome>;
  logout(token?: string): Promise<Outcome>;
  refresh(token?: string): Promise<Outcome>;
}

/** REST answers a business outcome in the envelope; a missing or bad token is its 401. */
function restOutcome(response: RestResponse, tokenOf?: (data: any) => string): Outcome {
  if (response.status === 401) {
    expect(response.body).toEqual({ message: 'Unauthenticated.' });
    return { code: 40005 };
  }
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  const { code, data } = response.body;
  return code === 20001 && tokenOf ? { code, token: tokenOf(data) } : { code };
}

function restTransport(gw: Gateway): Transport {
  const token = (data: any) => data.access_token as string;
  return {
    captcha: async () => (await rest(gw.url, 'POST', '/api/captchas')).body.data.captcha_key,
    register: async (input) => {
      const query = {
        name: input.name,
        username: input.username,
        password: input.password,
        password_confirmation: input.passwordConfirmation,
        invitation_code: input.invitationCode,
        captcha_key: input.captchaKey,
        captcha_code: input.captchaCode,
      };
      return restOutcome(await rest(gw.url, 'POST', '/api/auth/register', { query }), token);
    },
    login: async (username, password) =>
      restOutcome(await rest(gw.url, 'POST', '/api/auth/login', { json: { username, password } }), token),
    me: async (t) => restOutcome(await rest(gw.url, 'GET', '/api/auth/me', { token: t })),
    logout: async (t) => restOutcome(await rest(gw.url, 'DELETE', '/api/auth/logout', { token: t })),
    refresh: async (t) => restOutcome(await rest(gw.url, 'PUT', '/api/auth/refresh', { token: t }), token),
  };
}

/** GraphQL answers an error with its business code in `extensions.legacyCode`. */
function graphqlOutcome(response: GraphqlResponse, tokenOf?: (data: any) => string): Outcome {
  if (response.errors) {
    expect(response.errors, JSON.stringify(response.errors)).toHaveLength(1);
    return { code: response.errors[0]!.extensions!.legacyCode };
  }
  return tokenOf ? { code: 20001, token: tokenOf(response.data) } : { code: 20001 };
}

function graphqlTransport(gw: Gateway): Transport {
  return {
    captcha: async () => (await gql(gw.url, ops.captcha)).data!.requestCaptcha.captchaKey,
    register: async (input) =>
      graphqlOutcome(await gql(gw.url, ops.register, { input }), (data) => data.register.accessToken),
    login: async (username, password) =>
      graphqlOutcome(await gql(gw.url, ops.login, { input: { username, password } }), (data) => data.login.accessToken),
    me: async (token) => graphqlOutcome(await gql(gw.url, ops.me, {}, token)),
    logout: async (token) => graphqlOutcome(await gql(gw.url, ops.logout, {}, token)),
    refresh: async (token) =>
      graphqlOutcome(await gql(gw.url, ops.refresh, {}, token), (data) => data.refresh.accessToken),
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
    return gw()
      .app.services.sessions.me({ ...elsewhere, token })
      .then(
        () => true,
        () => false,
      );
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
      ['r', restTransport(gw())],
      ['g', graphqlTransport(gw())],
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
