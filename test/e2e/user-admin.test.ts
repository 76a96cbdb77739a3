import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login, loginAsNewAdmin, PASSWORD, registerThroughServices } from '../helpers/accounts.js';
import { expectBadInput, expectGraphqlError } from '../helpers/assertions.js';
import { errorOf } from '../helpers/attempts.js';
import { verify } from '../helpers/forward-auth.js';
import { startEmbeddedGateway, startGateway } from '../helpers/gateway.js';
import { type GraphqlResponse, gql, ops } from '../helpers/graphql.js';
import { claimsOf } from '../helpers/jwt.js';
import { rest } from '../helpers/rest.js';

interface Instance {
  url: string;
  app: FastifyInstance;
}

interface Backend {
  name: string;
  /** Two instances on one database and store (one, twice, for the embedded default). */
  start(): Promise<{ instances: [Instance, Instance]; close(): Promise<void> }>;
}

const RELAXED = { RATE_LIMIT_SIGN: '0', RATE_LIMIT_ACCESS: '0' };

const backends: Backend[] = [
  {
    name: 'MariaDB and Redis, two instances',
    async start() {
      const first = await startGateway();
      const second = await startGateway({ shareWith: first });
      return {
        instances: [first, second],
        close: async () => {
          await second.close();
          await first.close();
        },
      };
    },
  },
  {
    name: 'the embedded default',
    async start() {
      const only = await startEmbeddedGateway(RELAXED);
      return { instances: [only, only], close: () => only.close() };
    },
  },
];

interface AdminUser {
  id: string;
  username: string;
  name: string;
  status: number;
  role: string;
  sessionCount: number;
  lastSignInAt: string | null;
}

const ok = <T = Record<string, any>>(answer: GraphqlResponse<T>): T => {
  expect(answer.errors, JSON.stringify(answer.errors)).toBeUndefined();
  return answer.data as T;
};

describe.each(backends)('user administration on $name', (backend) => {
  let instances: [Instance, Instance];
  let close: () => Promise<void>;
  let adminToken: string;
  let adminId: string;
  const ask = (query: string, variables: Record<string, unknown> = {}, token = adminToken, at = 0) =>
    gql(instances[at]!.url, query, variables, token);
  const userNamed = async (username: string): Promise<AdminUser> => {
    const { users } = ok(await ask(ops.users, { search: username }));
    const found = users.edges
      .map((edge: { node: AdminUser }) => edge.node)
      .find((u: AdminUser) => u.username === username);
    expect(found, username).toBeDefined();
    return found;
  };
  const newUser = async (username: string) => {
    const token = await registerThroughServices(instances[0].app, username);
    return { token, id: String(claimsOf(token).sub) };
  };
  const works = async (token: string) => errorOf(await ask(ops.me, {}, token, 1)) === undefined;

  beforeAll(async () => {
    ({ instances, close } = await backend.start());
    const admin = await loginAsNewAdmin(instances[0].app, instances[0].url, 'chiefadmin');
    adminToken = admin.token;
    adminId = String(admin.id);
  }, 60_000);
  afterAll(async () => close?.());

  it('every admin operation refuses an anonymous caller and a user without the role', async () => {
    const { token: userToken, id } = await newUser('plainuser1');
    const calls: [string, Record<string, unknown>][] = [
      [ops.users, {}],
      [ops.user, { id }],
      [ops.setUserStatus, { id, status: -1 }],
      [ops.setUserRole, { id, role: 'admin' }],
      [ops.revokeUserSessions, { id }],
      [ops.issuePasswordReset, { userId: id }],
      [ops.auditEvents, {}],
    ];
    for (const [query, variables] of calls) {
      expectGraphqlError(await ask(query, variables, ''), 'UNAUTHENTICATED', 40005);
      expectGraphqlError(await ask(query, variables, userToken), 'FORBIDDEN', 40003);
    }
    expect((await userNamed('plainuser1')).role).toBe('user');
    expect((await userNamed('plainuser1')).status).toBe(1);
  });

  it('users: a username or name prefix, status and role filters, pages of `first` in a stable order', async () => {
    for (const n of [1, 2, 3, 4, 5]) await newUser(`pagetest${n}`);
    const all: AdminUser[] = [];
    let after: string | undefined;
    for (let page = 0; page < 10; page++) {
      const { users } = ok(await ask(ops.users, { search: 'PAGETEST', first: 2, after }));
      all.push(...users.edges.map((edge: { node: AdminUser }) => edge.node));
      if (!users.pageInfo.hasNextPage) break;
      after = users.pageInfo.endCursor;
    }
    expect(all.map((u) => u.username)).toEqual(['pagetest1', 'pagetest2', 'pagetest3', 'pagetest4', 'pagetest5']);
    const ids = all.map((u) => Number(u.id));
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);

    const admins = ok(await ask(ops.users, { role: 'admin' })).users.edges.map((e: { node: AdminUser }) => e.node);
    expect(admins.map((u: AdminUser) => u.username)).toContain('chiefadmin');
    expect(admins.every((u: AdminUser) => u.role === 'admin')).toBe(true);

    const { id } = await newUser('inactive01');
    ok(await ask(ops.setUserStatus, { id, status: 0 }));
    const inactive = ok(await ask(ops.users, { status: 0 })).users.edges.map((e: { node: AdminUser }) => e.node);
    expect(inactive.map((u: AdminUser) => u.username)).toEqual(['inactive01']);
  });

  it('users: a name prefix finds users whose username does not start with it', async () => {
    const token = await registerThroughServices(instances[0].app, 'zzname001');
    // registerThroughServices names a user "Name <username>".
    const found = ok(await ask(ops.users, { search: 'name zzn', first: 100 })).users.edges.map(
      (e: { node: AdminUser }) => e.node.username,
    );
    expect(found).toContain('zzname001');
    expect(claimsOf(token).sub).toBeDefined();
  });

  it('users: wildcards, quotes and backslashes match themselves; control characters and over-long pages are refused', async () => {
    await newUser('wildcard01');
    for (const search of ['%', '_', 'wild%', 'w_ld', "wild'", '\\', '!', '%%%%']) {
      const { users } = ok(await ask(ops.users, { search }));
      expect(users.edges, search).toEqual([]);
    }
    expectBadInput(await ask(ops.users, { search: 'wild\u0000' }), 'search');
    expectBadInput(await ask(ops.users, { search: 'x'.repeat(65) }), 'search');
    expectBadInput(await ask(ops.users, { first: 101 }), 'first');
    expectBadInput(await ask(ops.users, { first: 0 }), 'first');
    expectBadInput(await ask(ops.users, { status: 2 }), 'status');
    expectBadInput(await ask(ops.users, { role: 'root' }), 'role');
  });

  it('users: a forged cursor, or one another filter gave, is BAD_USER_INPUT', async () => {
    const { users } = ok(await ask(ops.users, { search: 'pagetest', first: 1 }));
    const cursor = users.pageInfo.endCursor as string;
    expect(users.pageInfo.hasNextPage).toBe(true);
    const forged = Buffer.from('1.aaaaaaaaaaaa').toString('base64url');
    for (const after of ['nonsense', forged, `${cursor}x`, Buffer.from('-1').toString('base64url')]) {
      expectBadInput(await ask(ops.users, { search: 'pagetest', first: 1, after }), 'after');
    }
    expectBadInput(await ask(ops.users, { search: 'other', first: 1, after: cursor }), 'after');
    expect(ok(await ask(ops.users, { search: 'pagetest', first: 1, after: cursor })).users.edges).toHaveLength(1);
  });

  it('user(id): live sessions and the last sign-in; NOT_FOUND for an unknown id, BAD_USER_INPUT for a malformed one', async () => {
    const { id } = await newUser('counted01');
    await login(instances[1].url, 'counted01');
    const { user } = ok(await ask(ops.user, { id }));
    expect(user).toMatchObject({ username: 'counted01', sessionCount: 2, status: 1, role: 'user' });
    expect(Date.now() - Date.parse(user.lastSignInAt)).toBeLessThan(60_000);
    expectGraphqlError(await ask(ops.user, { id: '999999999' }), 'NOT_FOUND', 40004);
    for (const bad of ['abc', '-1', '0', '1.5', '99999999999999999999', '']) {
      expectBadInput(await ask(ops.user, { id: bad }), 'id');
    }
  });

  it('disabling takes effect at once on every instance, over REST, GraphQL and /auth/verify; enabling lets them sign in again', async () => {
    const { token, id } = await newUser('disable001');
    const other = await login(instances[1].url, 'disable001');
    expect(await works(token)).toBe(true);

    const { setUserStatus } = ok(await ask(ops.setUserStatus, { id, status: -1 }));
    expect(setUserStatus).toMatchObject({ id, status: -1, sessionCount: 0 });
    for (const t of [token, other.token]) {
      for (const instance of instances) {
        expect(errorOf(await gql(instance.url, ops.me, {}, t))?.code).toBe('UNAUTHENTICATED');
        expect((await rest(instance.url, 'GET', '/api/auth/me', { token: t })).status).toBe(401);
        expect((await verify(instance.url, { token: t })).status).toBe(401);
      }
    }
    const session = await instances[0].app.services.database.sessions.find(claimsOf(token).sid as string);
    expect(session?.revokedReason).toBe('user_disabled');
    expectGraphqlError(
      await gql(instances[1].url, ops.login, { input: { username: 'disable001', password: PASSWORD } }),
      'ACCOUNT_DISABLED',
      40001,
    );

    ok(await ask(ops.setUserStatus, { id, status: 1 }, adminToken, 1));
    const again = await login(instances[0].url, 'disable001');
    expect(await works(again.token)).toBe(true);
    expect(await works(token)).toBe(false);
  });

  it('status and role changes refuse values outside their sets, and unknown users', async () => {
    const { id } = await newUser('badvalue01');
    for (const status of [2, -2, 100]) expectBadInput(await ask(ops.setUserStatus, { id, status }), 'status');
    for (const role of ['root', 'ADMIN', '', 'user ']) expectBadInput(await ask(ops.setUserRole, { id, role }), 'role');
    expectGraphqlError(await ask(ops.setUserStatus, { id: '999999999', status: -1 }), 'NOT_FOUND', 40004);
    expectGraphqlError(await ask(ops.setUserRole, { id: '999999999', role: 'admin' }), 'NOT_FOUND', 40004);
    expectBadInput(await ask(ops.setUserStatus, { id: 'x', status: -1 }), 'id');
    expect(await userNamed('badvalue01')).toMatchObject({ status: 1, role: 'user' });
  });

  it('concurrent status changes of one user: every answer clean, the outcome one of them, never half-applied', async () => {
    const { token, id } = await newUser('toggled001');
    const statuses = [-1, 1, 0, 1, -1, 1, -1, 0, 1, -1];
    const answers = await Promise.all(
      statuses.map((status, i) => ask(ops.setUserStatus, { id, status }, adminToken, i % 2)),
    );
    for (const answer of answers) expect(answer.errors, JSON.stringify(answer.errors)).toBeUndefined();
    const final = (await userNamed('toggled001')).status;
    expect(statuses).toContain(final);
    // Some disable ran: the token issued before is dead whatever the final status.
    expect(await works(token)).toBe(false);
    if (final === 1) expect(await works((await login(instances[0].url, 'toggled001')).token)).toBe(true);
    else
      expect(
        errorOf(await gql(instances[0].url, ops.login, { input: { username: 'toggled001', password: PASSWORD } }))
          ?.code,
      ).toBe('ACCOUNT_DISABLED');
  });

  it('an admin can neither disable nor demote themselves', async () => {
    expectGraphqlError(await ask(ops.setUserStatus, { id: adminId, status: -1 }), 'FORBIDDEN', 40003);
    expectGraphqlError(await ask(ops.setUserStatus, { id: adminId, status: 0 }), 'FORBIDDEN', 40003);
    expectGraphqlError(await ask(ops.setUserRole, { id: adminId, role: 'user' }), 'FORBIDDEN', 40003);
    expect(await userNamed('chiefadmin')).toMatchObject({ status: 1, role: 'admin' });
    expect(await works(adminToken)).toBe(true);
  });

  it('two admins demoting each other at once: one succeeds, the last admin stays', async () => {
    const a = await loginAsNewAdmin(instances[0].app, instances[0].url, 'rivaladm1');
    const b = await loginAsNewAdmin(instances[0].app, instances[0].url, 'rivaladm2');
    // Leave exactly these two enabled admins.
    ok(await ask(ops.setUserRole, { id: String(a.id), role: 'admin' }));
    ok(await gql(instances[0].url, ops.setUserRole, { id: adminId, role: 'user' }, a.token));
    const answers = await Promise.all([
      gql(instances[0].url, ops.setUserRole, { id: String(b.id), role: 'user' }, a.token),
      gql(instances[1].url, ops.setUserRole, { id: String(a.id), role: 'user' }, b.token),
    ]);
    const admins = ok(
      await gql(instances[0].url, ops.users, { role: 'admin', status: 1 }, answers[0].errors ? b.token : a.token),
    );
    expect(admins.users.edges).toHaveLength(1);
    expect(answers.filter((answer) => answer.errors === undefined)).toHaveLength(1);
    const refused = answers.find((answer) => answer.errors)!;
    expect(errorOf(refused)?.code).toMatch(/FORBIDDEN/);
    // Restore the chief for the tests that follow.
    const survivor = answers[0].errors ? b.token : a.token;
    ok(await gql(instances[0].url, ops.setUserRole, { id: adminId, role: 'admin' }, survivor));
  });

  it('revokeUserSessions signs the user out of every session on every instance', async () => {
    const { token, id } = await newUser('signout001');
    const other = await login(instances[1].url, 'signout001');
    expect(ok(await ask(ops.revokeUserSessions, { id })).revokeUserSessions).toBe(2);
    for (const t of [token, other.token]) expect(await works(t)).toBe(false);
    expect(await works((await login(instances[0].url, 'signout001')).token)).toBe(true);
    expectGraphqlError(await ask(ops.revokeUserSessions, { id: '999999999' }), 'NOT_FOUND', 40004);
  });

  it('issuePasswordReset: a code shown once, a new one voids the old, redeemed once', async () => {
    const { token, id } = await newUser('resetme001');
    const first = ok(await ask(ops.issuePasswordReset, { userId: id })).issuePasswordReset;
    const second = ok(await ask(ops.issuePasswordReset, { userId: id })).issuePasswordReset;
    expect(second.code).not.toBe(first.code);
    expect(second.code).toMatch(/^[A-Z2-9]{4}(-[A-Z2-9]{4}){3}$/);
    expect(Date.parse(second.expiresAt) - Date.now()).toBeGreaterThan(3_500_000);
    const redeem = (code: string) =>
      gql(instances[1].url, ops.resetPassword, {
        input: { username: 'resetme001', code, newPassword: 'brandnew123', newPasswordConfirmation: 'brandnew123' },
      });
    expectGraphqlError(await redeem(first.code), 'RESET_CODE_INVALID', 10003);
    const answers = await Promise.all(Array.from({ length: 5 }, () => redeem(second.code)));
    expect(answers.filter((answer) => answer.data?.resetPassword === true)).toHaveLength(1);
    expect(await works(token)).toBe(false);
    await login(instances[0].url, 'resetme001', 'brandnew123');
    expectGraphqlError(await ask(ops.issuePasswordReset, { userId: '999999999' }), 'NOT_FOUND', 40004);
  });

  it('auditEvents: each admin change is recorded with its admin; filters by user and type; pages newest first', async () => {
    const { id } = await newUser('audited001');
    ok(await ask(ops.setUserStatus, { id, status: -1 }));
    ok(await ask(ops.setUserStatus, { id, status: 1 }));
    ok(await ask(ops.setUserRole, { id, role: 'admin' }));
    ok(await ask(ops.setUserRole, { id, role: 'user' }));
    ok(await ask(ops.revokeUserSessions, { id }));
    ok(await ask(ops.issuePasswordReset, { userId: id }));
    await instances[0].app.services.audit.flush();
    await instances[1].app.services.audit.flush();

    const { auditEvents } = ok(await ask(ops.auditEvents, { userId: id, first: 100 }));
    const events = auditEvents.edges.map((edge: { node: Record<string, any> }) => edge.node);
    expect(events.map((e: { type: string }) => e.type)).toEqual([
      'password_reset_issued',
      'session_revoked',
      'user_role_changed',
      'user_role_changed',
      'user_status_changed',
      'user_status_changed',
      'registered',
    ]);
    for (const event of events.slice(0, 6)) {
      expect(event.userId).toBe(id);
      expect(event.detail).toMatchObject({ actor: 'admin', by: Number(adminId) });
      expect(event.ip).toBe('127.0.0.1');
    }
    expect(events[5].detail).toMatchObject({ from: 1, to: -1 });
    expect(events[1].detail).toMatchObject({ reason: 'admin' });
    expect(JSON.stringify(events)).not.toMatch(/[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}/);

    const changes = ok(await ask(ops.auditEvents, { type: 'user_role_changed', userId: id, first: 1 }));
    expect(changes.auditEvents.edges).toHaveLength(1);
    expect(changes.auditEvents.pageInfo.hasNextPage).toBe(true);
    const next = ok(
      await ask(ops.auditEvents, {
        type: 'user_role_changed',
        userId: id,
        first: 1,
        after: changes.auditEvents.pageInfo.endCursor,
      }),
    );
    expect(next.auditEvents.edges[0].node.detail).toMatchObject({ from: 'user', to: 'admin' });
    expect(Number(next.auditEvents.edges[0].node.id)).toBeLessThan(Number(changes.auditEvents.edges[0].node.id));

    // Reading is audited too: who looked at which users and which part of the log.
    await instances[0].app.services.audit.flush();
    const reads = ok(await ask(ops.auditEvents, { type: 'admin_viewed', userId: adminId, first: 100 }));
    const operations = reads.auditEvents.edges.map(
      (edge: { node: { detail: Record<string, unknown> } }) => edge.node.detail,
    );
    expect(operations).toContainEqual(
      expect.objectContaining({ operation: 'auditEvents', userId: Number(id), first: 100 }),
    );
    expect(operations).toContainEqual(expect.objectContaining({ operation: 'users', actor: 'admin' }));

    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect(ok(await ask(ops.auditEvents, { since: future })).auditEvents.edges).toEqual([]);
    expectBadInput(await ask(ops.auditEvents, { type: 'nonsense' }), 'type');
    expectBadInput(await ask(ops.auditEvents, { userId: 'x' }), 'userId');
    expectBadInput(await ask(ops.auditEvents, { first: 101 }), 'first');
    expectBadInput(
      await ask(ops.auditEvents, { type: 'registered', after: changes.auditEvents.pageInfo.endCursor }),
      'after',
    );
  });
});
