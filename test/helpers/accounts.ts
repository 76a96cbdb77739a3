import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { CAPTCHA_CODE, PASSWORD } from './constants.js';
import type { TestDatabase } from './database.js';
import { invitationCode, register } from './embedded-services.js';
import { gql, ops } from './graphql.js';
import { graphqlTransport, restTransport, type Transport, tokenOf } from './transports.js';

export { PASSWORD };

export interface RegisterInput {
  name: string;
  username: string;
  password: string;
  passwordConfirmation: string;
  invitationCode: string;
  captchaKey: string;
  captchaCode: string;
}

/** Each field may be replaced by anything a client could send, or dropped with `undefined`. */
export type RegisterOverrides = { [K in keyof RegisterInput]?: unknown } & Record<string, unknown>;

export interface Account {
  id: string;
  username: string;
  /** The password it was registered with (a login does not know it). */
  password?: string;
  token: string;
}

/** A fresh captcha key; test servers fix every code to CAPTCHA_CODE. */
export async function newCaptchaKey(url: string): Promise<string> {
  const answer = await gql(url, ops.captcha, {});
  expect(answer.errors).toBeUndefined();
  return answer.data!.requestCaptcha.captchaKey as string;
}

/** A valid registration with a fresh captcha, but for the overridden fields. */
export async function registerInput(
  url: string,
  invitationCode: string,
  overrides: RegisterOverrides = {},
): Promise<Record<string, unknown>> {
  const valid: RegisterInput = {
    name: 'Test User',
    username: `user${Math.random().toString(36).slice(2, 10)}`,
    password: PASSWORD,
    passwordConfirmation: PASSWORD,
    invitationCode,
    captchaKey: await newCaptchaKey(url),
    captchaCode: CAPTCHA_CODE,
  };
  return { ...valid, ...overrides };
}

export interface RegisterOptions {
  /** Default: a random one. */
  username?: string;
  password?: string;
  /** The transport to register through; GraphQL unless told. */
  via?: Transport['name'];
}

/**
 * Registers with a fresh captcha through GraphQL or REST, failing the test if it does not
 * succeed. A string as the third argument is the username.
 */
export async function registerUser(
  url: string,
  invitationCode: string,
  options: string | RegisterOptions = {},
): Promise<Account> {
  const {
    username = `user${Math.random().toString(36).slice(2, 10)}`,
    password = PASSWORD,
    via = 'GraphQL',
  } = typeof options === 'string' ? { username: options } : options;
  const transport = via === 'REST' ? restTransport(url) : graphqlTransport(url);
  const captcha = await transport.captcha();
  expect(captcha.ok, captcha.answer.text).toBe(true);
  const registered = await transport.register({
    name: `Name ${username}`,
    username,
    password,
    passwordConfirmation: password,
    invitationCode,
    captchaKey: captcha.data.captchaKey ?? captcha.data.captcha_key,
    captchaCode: CAPTCHA_CODE,
  });
  const token = tokenOf(registered);
  const id = via === 'REST' ? registered.data.id : registered.data.user.id;
  return { id: String(id), username, password, token };
}

/** Logs in over GraphQL, failing the test if it does not succeed. */
export async function login(url: string, username: string, password = PASSWORD): Promise<Account> {
  const answer = await gql(url, ops.login, { input: { username, password } });
  expect(answer.errors, JSON.stringify(answer.errors)).toBeUndefined();
  const { accessToken, user } = answer.data!.login;
  return { id: user.id, username: user.username, token: accessToken };
}

/** Invitation codes made by the service directly, as the CLI does. */
export function newInvitationCode(app: FastifyInstance, uses = 1): Promise<string> {
  return invitationCode(app.services, uses);
}

/** An admin made as `storegate admin create` does, then logged in over GraphQL. */
export async function loginAsNewAdmin(app: FastifyInstance, url: string, username: string): Promise<Account> {
  await app.services.admin.createAdmin({ name: 'Admin', username, password: PASSWORD });
  return login(url, username);
}

/** Rows that bad input must never create or change. */
export async function storedState(db: TestDatabase): Promise<unknown> {
  const [users] = await db.query('SELECT COUNT(*) AS n FROM users');
  const [codes] = await db.query(
    'SELECT COUNT(*) AS n, SUM(usage_times) AS uses, SUM(status) AS statuses FROM invitation_codes',
  );
  return { users, codes };
}

/**
 * Registers a user through the services directly, from a client elsewhere, as fixtures made
 * without either transport: the new user's token.
 */
export async function registerThroughServices(
  app: FastifyInstance,
  username: string,
  { password = PASSWORD, invitationCode }: { password?: string; invitationCode?: string } = {},
): Promise<string> {
  const elsewhere = { ip: '192.0.2.1', url: 'http://fixture.example/api/auth/register', userAgent: null };
  const { token } = await register(app.services, username, { password, invitationCode, from: elsewhere });
  return token.token;
}
