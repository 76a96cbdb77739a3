import { afterAll, beforeAll } from 'vitest';
import type { ClientContext } from '../../src/auth/client.js';
import { type Config, loadConfig } from '../../src/config.js';
import { AppError, type ErrorKind } from '../../src/errors.js';
import { openServices, type Services } from '../../src/services.js';
import type { SignedIn } from '../../src/sessions/session.service.js';
import { CAPTCHA_CODE, PASSWORD, TEST_JWT_SECRET } from './constants.js';
import { appErrorOf } from './failures.js';

export { PASSWORD };

export interface EmbeddedServices {
  config: Config;
  services: Services;
}

/**
 * The domain services on the embedded default, as `openServices` wires them for the server: an
 * in-memory SQLite database and the in-process store, no MariaDB, no Redis. bcrypt at cost 4 on
 * one thread and the per-minute limits off, unless `env` sets them.
 */
export async function openEmbeddedServices(env: Record<string, string> = {}): Promise<EmbeddedServices> {
  const config = loadConfig({
    NODE_ENV: 'test',
    SQLITE_PATH: ':memory:',
    JWT_SECRET: TEST_JWT_SECRET,
    BCRYPT_COST: '4',
    BCRYPT_POOL_SIZE: '1',
    CAPTCHA_FIXED_CODE: CAPTCHA_CODE,
    RATE_LIMIT_SIGN: '0',
    RATE_LIMIT_ACCESS: '0',
    ...env,
  });
  const services = await openServices(config);
  // As buildApp does before it serves: a store without the revocations' marker refuses every token.
  await services.revocations.ensureIntact();
  return { config, services };
}

/** Opens the services before the enclosing describe block's tests and closes them after. */
export function useEmbeddedServices(env: Record<string, string> = {}): () => EmbeddedServices {
  let opened: EmbeddedServices | undefined;
  beforeAll(async () => {
    opened = await openEmbeddedServices(env);
  });
  afterAll(async () => opened?.services.close());
  return () => {
    if (!opened) throw new Error('the services have not opened');
    return opened;
  };
}

/** A client as a transport would describe it: from `ip`, presenting `token` if given. */
export function client(ip = '192.0.2.10', token?: string, userAgent: string | null = 'unit-test'): ClientContext {
  return { ip, url: 'http://storegate.test/graphql', userAgent, ...(token !== undefined && { token }) };
}

/** A fresh invitation code made as the CLI makes one. */
export async function invitationCode(services: Services, uses = 1): Promise<string> {
  const [invitation] = await services.invitations.create({ count: 1, uses }, { userId: null });
  return invitation!.code;
}

/** A valid registration but for the overridden fields, with a fresh captcha and invitation code. */
export async function registration(
  services: Services,
  username: string,
  overrides: Record<string, unknown> = {},
  from = client(),
): Promise<Record<string, unknown>> {
  const { value: captcha } = await services.auth.requestCaptcha(from);
  return {
    name: `Name ${username}`,
    username,
    password: PASSWORD,
    passwordConfirmation: PASSWORD,
    invitationCode: await invitationCode(services),
    captchaKey: captcha.key,
    captchaCode: CAPTCHA_CODE,
    ...overrides,
  };
}

export interface ServiceRegistration {
  password?: string;
  /** Default: a fresh single-use one. */
  invitationCode?: string;
  from?: ClientContext;
}

/** Registers through AuthService, failing the test if it does not succeed. */
export async function register(
  services: Services,
  username: string,
  { password = PASSWORD, invitationCode, from = client() }: ServiceRegistration = {},
): Promise<SignedIn> {
  const overrides = { password, passwordConfirmation: password, ...(invitationCode && { invitationCode }) };
  return (await services.auth.register(await registration(services, username, overrides, from), from)).value;
}

/** Logs in through AuthService, failing the test if it does not succeed: the new token. */
export async function login(services: Services, username: string, password = PASSWORD, from = client()) {
  return (await services.auth.login({ username, password }, from)).value.token.token;
}

/** The AppError kind a call fails with; fails the test when it succeeds or throws anything else. */
export async function failureOf(call: () => Promise<unknown>): Promise<string> {
  return (await appErrorOf(call)).kind;
}

/** Whether a call succeeds: false when it fails with `refusal`; any other failure fails the test. */
async function succeeds(call: () => Promise<unknown>, refusal: ErrorKind): Promise<boolean> {
  try {
    await call();
    return true;
  } catch (err) {
    if (err instanceof AppError && err.kind === refusal) return false;
    throw err;
  }
}

/** Whether the token authenticates: false when it is refused as UNAUTHENTICATED, never for an outage. */
export function tokenWorks(services: Services, token: string, from = client()): Promise<boolean> {
  return succeeds(() => services.sessions.me({ ...from, token }), 'UNAUTHENTICATED');
}

/** Whether the password logs the user in: false when it is refused as INVALID_CREDENTIALS. */
export function passwordWorks(services: Services, username: string, password: string, from = client()) {
  return succeeds(() => services.auth.login({ username, password }, from), 'INVALID_CREDENTIALS');
}
