import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AuditRepository } from '../../src/db/repositories/audit.repository.js';
import { login, loginAsNewAdmin, PASSWORD, registerInput } from '../helpers/accounts.js';
import { expectBadInput } from '../helpers/assertions.js';
import { errorOf } from '../helpers/attempts.js';
import { CAPTCHA_CODE, type Gateway, startGateway } from '../helpers/gateway.js';
import { useGateway } from '../helpers/gateway-hooks.js';
import { gql, ops } from '../helpers/graphql.js';
import { send } from '../helpers/http.js';
import { claimsOf } from '../helpers/jwt.js';
import { insertUser } from '../helpers/legacy-users.js';
import { parseMetrics, sampleValue } from '../helpers/prometheus.js';

interface EventRow {
  id: number;
  at: string;
  type: string;
  user_id: number | null;
  username: string | null;
  session_id: string | null;
  ip: string | null;
  user_agent: string | null;
  detail: unknown;
}

const NEW_PASSWORD = 'audited-new-password-1';
const WRONG_PASSWORDS = ['wrong-password-audit-1', 'wrong-password-audit-2'];
const agent = (step: string) => ({ 'user-agent': `Audit/${step}` });
const sid = (token: string): string => claimsOf(token).sid;

/** MariaDB's JSON is text underneath: mysql2 answers it as a string. */
const detailOf = (row: EventRow): unknown => (typeof row.detail === 'string' ? JSON.parse(row.detail) : row.detail);

async function events(gw: Gateway, where = '1 = 1', params: unknown[] = []): Promise<EventRow[]> {
  await gw.app.services.audit.flush();
  return gw.db.query<EventRow>(`SELECT * FROM auth_events WHERE ${where} ORDER BY id`, params);
}

/** myActivity's events, failing the test on any error (a detail the JSON scalar cannot show, say). */
async function activity(url: string, variables: { first: number }, token: string) {
  const answer = await gql(url, ops.myActivity, variables, token);
  expect(answer.errors, JSON.stringify(answer.errors)).toBeUndefined();
  return answer.data!.myActivity as Array<Record<string, any>>;
}

describe('the audit log after a full flow', () => {
  const gateway = useGateway({ env: { LOGIN_MAX_ATTEMPTS: '2', REFRESH_REUSE_INTERVAL: '0' } });
  /** Everything secret the flow sent or received. */
  const secrets = new Set<string>([PASSWORD, NEW_PASSWORD, ...WRONG_PASSWORDS, CAPTCHA_CODE]);
  const flow = {} as {
    adminId: number;
    userId: number;
    tokens: Record<string, string>;
  };

  /** Sends an operation as the step's user agent, remembering every token it answers with. */
  async function step(name: string, query: string, variables: Record<string, unknown> = {}, token?: string) {
    const answer = await gql(gateway().url, query, variables, token, agent(name));
    for (const match of JSON.stringify(answer).matchAll(/eyJ[\w-]+\.[\w-]+\.[\w-]+/g)) secrets.add(match[0]);
    return answer;
  }
  const tokenOf = (answer: Awaited<ReturnType<typeof step>>, field: string): string => {
    expect(answer.errors, JSON.stringify(answer.errors)).toBeUndefined();
    return answer.data![field].accessToken as string;
  };
  const signIn = async (name: string, password = PASSWORD) =>
    tokenOf(await step(name, ops.login, { input: { username: 'audited01', password } }), 'login');

  beforeAll(async () => {
    const gw = gateway();
    const admin = await loginAsNewAdmin(gw.app, gw.url, 'auditadmin1');
    secrets.add(admin.token);
    flow.adminId = Number(admin.id);
    const created = await step('invite', ops.createInvitationCodes, { count: 2 }, admin.token);
    const [code, spare] = created.data!.createInvitationCodes.map((c: { code: string }) => c.code) as string[];
    secrets.add(code!).add(spare!);
    expect((await step('uninvite', ops.revokeInvitationCode, { code: spare }, admin.token)).errors).toBeUndefined();

    const input = await registerInput(gw.url, code!, { username: 'audited01' });
    secrets.add(input.captchaKey as string);
    const registered = tokenOf(await step('register', ops.register, { input }), 'register');
    flow.userId = Number(claimsOf(registered).sub);
    const tokens: Record<string, string> = { registered, login: await signIn('login') };

    expect(
      errorOf(await step('login-failed', ops.login, { input: { username: 'audited01', password: WRONG_PASSWORDS[0] } }))
        ?.code,
    ).toBe('INVALID_CREDENTIALS');
    const guesses = [];
    for (let i = 0; i < 3; i++) {
      guesses.push(
        errorOf(await step('locked', ops.login, { input: { username: 'ghostuser1', password: WRONG_PASSWORDS[1] } }))
          ?.code,
      );
    }
    expect(guesses).toEqual(['INVALID_CREDENTIALS', 'INVALID_CREDENTIALS', 'TOO_MANY_REQUESTS']);

    tokens.logout = await signIn('login-to-logout');
    expect((await step('logout', ops.logout, {}, tokens.logout)).data?.logout).toBe(true);
    tokens.revoked = await signIn('login-to-revoke');
    expect(
      (await step('revoke', ops.revokeSession, { id: sid(tokens.revoked) }, tokens.login)).data?.revokeSession,
    ).toBe(true);
    tokens.reused = await signIn('login-to-reuse');
    tokenOf(await step('refresh', ops.refresh, {}, tokens.reused), 'refresh');
    await sleep(1100);
    expect(errorOf(await step('reuse', ops.refresh, {}, tokens.reused))?.code).toBe('UNAUTHENTICATED');

    const changed = await step(
      'change',
      ops.changePassword,
      {
        input: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD, newPasswordConfirmation: NEW_PASSWORD },
      },
      tokens.login,
    );
    tokens.changed = tokenOf(changed, 'changePassword');

    const issuedBy = {
      userId: flow.adminId,
      client: { ip: '127.0.0.1', url: `${gw.url}/graphql`, userAgent: 'Audit/issue' },
    };
    const { code: resetCode } = await gw.app.services.passwords.issueReset(flow.userId, issuedBy);
    const typed = resetCode.toLowerCase();
    secrets.add(resetCode).add(typed).add(resetCode.replace(/-/g, ''));
    const resetAnswer = await step('reset', ops.resetPassword, {
      input: { username: 'audited01', code: typed, newPassword: PASSWORD, newPasswordConfirmation: PASSWORD },
    });
    expect(resetAnswer.data?.resetPassword).toBe(true);

    tokens.all = await signIn('login-to-logout-all');
    expect((await step('logout-all', ops.logoutAll, {}, tokens.all)).data?.logoutAll).toBe(true);
    flow.tokens = tokens;
  });

  it('has each event type of its flow, with the ip, user agent and session of the request', async () => {
    const { userId, adminId, tokens } = flow;
    const seen = (await events(gateway(), 'user_agent LIKE ?', ['Audit/%'])).map((row) => ({
      type: row.type,
      user_id: row.user_id === null ? null : Number(row.user_id),
      username: row.username,
      session_id: row.session_id,
      ip: row.ip,
      user_agent: row.user_agent,
    }));
    const event = (type: string, ua: string, fields: Partial<(typeof seen)[number]> = {}) => ({
      type,
      user_id: userId,
      username: null,
      session_id: null,
      ip: '127.0.0.1',
      user_agent: `Audit/${ua}`,
      ...fields,
    });
    expect(seen).toEqual([
      event('invitation_created', 'invite', { user_id: adminId }),
      event('invitation_revoked', 'uninvite', { user_id: adminId }),
      event('registered', 'register', { session_id: sid(tokens.registered!) }),
      event('login_succeeded', 'login', { session_id: sid(tokens.login!) }),
      event('login_failed', 'login-failed', { username: 'audited01' }),
      event('login_failed', 'locked', { user_id: null, username: 'ghostuser1' }),
      event('login_failed', 'locked', { user_id: null, username: 'ghostuser1' }),
      event('login_locked', 'locked', { user_id: null, username: 'ghostuser1' }),
      event('login_succeeded', 'login-to-logout', { session_id: sid(tokens.logout!) }),
      event('logout', 'logout', { session_id: sid(tokens.logout!) }),
      event('login_succeeded', 'login-to-revoke', { session_id: sid(tokens.revoked!) }),
      event('session_revoked', 'revoke', { session_id: sid(tokens.revoked!) }),
      event('login_succeeded', 'login-to-reuse', { session_id: sid(tokens.reused!) }),
      event('refresh_reuse_detected', 'reuse', { session_id: sid(tokens.reused!) }),
      event('password_changed', 'change', { session_id: sid(tokens.login!) }),
      // About the user it concerns, the admin who issued it in the detail.
      event('password_reset_issued', 'issue'),
      event('password_reset', 'reset'),
      event('login_succeeded', 'login-to-logout-all', { session_id: sid(tokens.all!) }),
      event('logout_all', 'logout-all', { session_id: sid(tokens.all!) }),
    ]);
    const [issued] = await events(gateway(), "type = 'password_reset_issued'");
    expect(detailOf(issued!)).toMatchObject({ actor: 'admin', by: adminId });
    const [revoked] = await events(gateway(), "type = 'session_revoked'");
    expect(detailOf(revoked!)).toMatchObject({ reason: 'revoked', by: sid(tokens.login!) });
  });

  it('keeps no password, token, captcha, invitation or reset code in any row', async () => {
    const rows = await events(gateway());
    expect(rows.length).toBeGreaterThanOrEqual(19);
    // Each token whole, and each of its parts: the signature and the encoded claims.
    const needles = [...secrets].flatMap((secret) =>
      secret.startsWith('eyJ') ? [secret, ...secret.split('.').slice(1)] : [secret],
    );
    for (const row of rows) {
      const text = JSON.stringify(row);
      for (const needle of needles) expect(text, `event ${row.id} (${row.type})`).not.toContain(needle);
    }
  });

  it('myActivity shows a user their own events only, newest first', async () => {
    const token = (await login(gateway().url, 'audited01')).token;
    const mine = (await activity(gateway().url, { first: 100 }, token)) as Array<{
      type: string;
      userId: string;
      ip: string;
      userAgent: string;
      id: string;
    }>;
    expect(new Set(mine.map((event) => event.userId))).toEqual(new Set([String(flow.userId)]));
    expect(mine.map((event) => event.type)).toEqual(
      expect.arrayContaining([
        'registered',
        'login_failed',
        'password_changed',
        'password_reset_issued',
        'password_reset',
        'logout_all',
      ]),
    );
    expect(mine.map((event) => event.type)).not.toContain('invitation_created');
    expect(mine.map((event) => Number(event.id))).toEqual(mine.map((event) => Number(event.id)).sort((a, b) => b - a));
    expect(mine[0]).toMatchObject({ type: 'login_succeeded', ip: '127.0.0.1' });
    // Details come back as JSON objects (MariaDB keeps JSON as text underneath).
    expect(mine.find((event) => event.type === 'password_reset')).toMatchObject({ detail: { sessions: 1 } });
    expect(mine.find((event) => event.type === 'login_failed')).toMatchObject({
      detail: { reason: 'invalid_credentials' },
    });

    const admin = (await login(gateway().url, 'auditadmin1')).token;
    const theirs = (await activity(gateway().url, { first: 100 }, admin)) as Array<{
      userId: string;
      type: string;
    }>;
    expect(new Set(theirs.map((event) => event.userId))).toEqual(new Set([String(flow.adminId)]));
    expect(theirs.map((event) => event.type)).toContain('invitation_created');
    expect(theirs.map((event) => event.type)).not.toContain('password_reset_issued');

    const two = await activity(gateway().url, { first: 2 }, token);
    expect(two).toEqual(mine.slice(0, 2));
    for (const first of [0, 101, -1])
      expectBadInput(await gql(gateway().url, ops.myActivity, { first }, token), 'first');
    expect(errorOf(await gql(gateway().url, ops.myActivity, { first: 5 }))?.code).toBe('UNAUTHENTICATED');
  });

  it('a refused password change counts as a login lock, audited as one', async () => {
    await insertUser(gateway().db, 'audited02');
    const token = (await login(gateway().url, 'audited02')).token;
    const input = (currentPassword: string) => ({
      currentPassword,
      newPassword: NEW_PASSWORD,
      newPasswordConfirmation: NEW_PASSWORD,
    });
    const codes = [];
    for (const password of [WRONG_PASSWORDS[0]!, WRONG_PASSWORDS[1]!, PASSWORD]) {
      codes.push(errorOf(await gql(gateway().url, ops.changePassword, { input: input(password) }, token))?.code);
    }
    expect(codes).toEqual(['INVALID_CREDENTIALS', 'INVALID_CREDENTIALS', 'TOO_MANY_REQUESTS']);
    const rows = await events(gateway(), 'username = ?', ['audited02']);
    expect(rows.map((row) => [row.type, row.session_id])).toEqual([
      ['login_failed', sid(token)],
      ['login_failed', sid(token)],
      ['login_locked', sid(token)],
    ]);
  });
});

describe('audit rows of oversized input', () => {
  const gateway = useGateway();

  it('cut a huge user agent to 255 characters and a typed username to 64, and lose no event', async () => {
    await insertUser(gateway().db, 'hugeagent1');
    // Under Node's 16 KB of headers, past which the server answers 431 before any route.
    const huge = { 'user-agent': `Huge/${'x'.repeat(10_000)}` };
    expect(
      (await gql(gateway().url, ops.login, { input: { username: 'hugeagent1', password: PASSWORD } }, undefined, huge))
        .errors,
    ).toBeUndefined();
    const typed = `n${'o'.repeat(254)}`;
    const failed = await gql(
      gateway().url,
      ops.login,
      { input: { username: typed, password: 'whatever1' } },
      undefined,
      huge,
    );
    expect(errorOf(failed)?.code, JSON.stringify(failed)).toBe('INVALID_CREDENTIALS');
    const rows = await events(gateway());
    expect(rows.map((row) => [row.type, row.user_agent?.length, row.username?.length ?? null])).toEqual([
      ['login_succeeded', 255, null],
      ['login_failed', 255, 64],
    ]);
    expect(rows[1]!.username).toBe(typed.slice(0, 64));
  });
});

describe('a failing audit write', () => {
  const lines: string[] = [];
  const logStream = new PassThrough();
  logStream.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
  const gateway = useGateway({ env: { LOG_LEVEL: 'error' }, logStream });

  const failures = async () =>
    sampleValue(parseMetrics((await send(`${gateway().url}/metrics`)).text), 'storegate_audit_write_failures_total');

  it('is logged and counted in storegate_audit_write_failures_total; the request it records succeeds', async () => {
    await insertUser(gateway().db, 'auditfail1');
    const before = await failures();
    await gateway().db.query('RENAME TABLE auth_events TO auth_events_away');
    try {
      const { token } = await login(gateway().url, 'auditfail1');
      expect(errorOf(await gql(gateway().url, ops.me, {}, token))).toBeUndefined();
      expect((await gql(gateway().url, ops.logout, {}, token)).data?.logout).toBe(true);
      await gateway().app.services.audit.flush();
    } finally {
      await gateway().db.query('RENAME TABLE auth_events_away TO auth_events');
    }
    expect((await failures()) - before).toBe(2);
    const logged = lines
      .map((line) => JSON.parse(line))
      .filter((entry) => entry.msg === 'audit entries could not be written');
    expect(logged.length).toBeGreaterThanOrEqual(1);
    expect(logged.reduce((sum, entry) => sum + entry.lost, 0)).toBe(2);
    expect(JSON.stringify(logged)).not.toContain(PASSWORD);

    // Once the table is back, events are written again.
    await login(gateway().url, 'auditfail1');
    expect((await events(gateway(), "type = 'login_succeeded'")).length).toBe(1);
    expect(await failures()).toBe(before + 2);
  });
});

describe('retention pruning', () => {
  let first: Gateway;
  let second: Gateway;
  beforeAll(async () => {
    first = await startGateway({ env: { AUDIT_RETENTION_DAYS: '30' } });
    second = await startGateway({ env: { AUDIT_RETENTION_DAYS: '30' }, shareWith: first });
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  /** Old rows (40 days) and recent ones (29 days, and now), inserted directly. */
  async function insertEvents(oldCount: number): Promise<void> {
    await first.db.query('DELETE FROM auth_events');
    const values = (n: number, daysAgo: number) =>
      Array.from(
        { length: n },
        (_, i) => `(UTC_TIMESTAMP(3) - INTERVAL ${daysAgo} DAY - INTERVAL ${i} SECOND, 'login_succeeded', ${i})`,
      );
    const rows = [...values(oldCount, 40), ...values(3, 29), ...values(2, 0)];
    for (let i = 0; i < rows.length; i += 1000) {
      await first.db.query(`INSERT INTO auth_events (at, type, user_id) VALUES ${rows.slice(i, i + 1000).join(', ')}`);
    }
  }
  const count = async () =>
    Number((await first.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM auth_events'))[0]!.n);

  it('deletes only the rows past AUDIT_RETENTION_DAYS, in batches of 1000', async () => {
    await insertEvents(2500);
    const batches = vi.spyOn(AuditRepository.prototype, 'deleteOlderThan');
    try {
      expect(await first.app.services.audit.prune()).toBe(2500);
      expect(batches.mock.calls.map(([, limit]) => limit)).toEqual([1000, 1000, 1000]);
      expect(await Promise.all(batches.mock.results.map((result) => result.value))).toEqual([1000, 1000, 500]);
    } finally {
      batches.mockRestore();
    }
    expect(await count()).toBe(5);
    const [oldest] = await first.db.query<{ days: number }>(
      'SELECT DATEDIFF(UTC_TIMESTAMP(), MIN(at)) AS days FROM auth_events',
    );
    expect(Number(oldest!.days)).toBeLessThanOrEqual(30);
  });

  it('runs on one instance at a time: of two instances pruning at once, one takes the lock and prunes', async () => {
    await insertEvents(1200);
    const results = await Promise.all([first.app.services.audit.pruneOnce(), second.app.services.audit.pruneOnce()]);
    expect(results.filter((result) => result === null)).toHaveLength(1);
    expect(results.find((result) => result !== null)).toBe(1200);
    expect(await count()).toBe(5);
    // Within the hour nobody prunes again, on either instance.
    await insertEvents(10);
    expect(await first.app.services.audit.pruneOnce()).toBeNull();
    expect(await second.app.services.audit.pruneOnce()).toBeNull();
    expect(await count()).toBe(15);
  });
});
