import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login, loginAsNewAdmin, registerThroughServices } from '../helpers/accounts.js';
import { errorOf } from '../helpers/attempts.js';
import { storegate } from '../helpers/cli.js';
import { startEmbeddedGateway, startGateway } from '../helpers/gateway.js';
import { gql, ops } from '../helpers/graphql.js';
import { ensureBuilt } from '../helpers/server-process.js';
import { TEST_REDIS_URL } from '../helpers/services-env.js';

interface Running {
  url: string;
  app: FastifyInstance;
  /** The environment that points the CLI at the gateway's database and store. */
  env: Record<string, string>;
  close(): Promise<void>;
}

const backends: { name: string; start(): Promise<Running> }[] = [
  {
    name: 'MariaDB and Redis, beside a running gateway',
    async start() {
      const gw = await startGateway();
      return {
        ...gw,
        env: { DATABASE_URL: gw.db.url, REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: gw.redisPrefix },
      };
    },
  },
  {
    name: 'the embedded SQLite file, beside a running gateway',
    async start() {
      const gw = await startEmbeddedGateway({ RATE_LIMIT_SIGN: '0', RATE_LIMIT_ACCESS: '0' });
      const db = gw.config.db;
      if (db.kind !== 'sqlite') throw new Error('expected the embedded database');
      return { ...gw, env: { SQLITE_PATH: db.path } };
    },
  },
];

/** Each command starts a process that opens the database and the store: seconds each on a loaded machine. */
const CLI_TEST_MS = 120_000;

describe.each(backends)('storegate users and audit on $name', (backend) => {
  let gw: Running;
  const cli = (...args: string[]) => storegate(args, gw.env);
  const works = async (token: string) => errorOf(await gql(gw.url, ops.me, {}, token)) === undefined;

  beforeAll(async () => {
    await ensureBuilt();
    gw = await backend.start();
  }, 120_000);
  afterAll(async () => gw?.close());

  it(
    'users list: one line each, or JSON; search and status filters',
    async () => {
      for (const name of ['clilist01', 'clilist02', 'otheruser1']) await registerThroughServices(gw.app, name);
      const plain = await cli('users', 'list', '--search', 'clilist');
      expect(plain.code, plain.stderr).toBe(0);
      const lines = plain.stdout.trim().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/^\d+\tclilist01\tName clilist01\tenabled\tuser\t1 session\tlast sign-in \d{4}-/);

      const json = JSON.parse((await cli('users', 'list', '--json', '--limit', '500')).stdout) as {
        username: string;
      }[];
      expect(json.map((u) => u.username)).toEqual(expect.arrayContaining(['clilist01', 'clilist02', 'otheruser1']));
      const disabledNone = await cli('users', 'list', '--status', '-1', '--json');
      expect(JSON.parse(disabledNone.stdout)).toEqual([]);
    },
    CLI_TEST_MS,
  );

  it(
    'users disable signs the user out at once; enable lets them sign in again; both audited as the CLI',
    async () => {
      const token = await registerThroughServices(gw.app, 'clidisab1');
      expect(await works(token)).toBe(true);
      const disabled = await cli('users', 'disable', 'CLIDISAB1');
      expect(disabled.code, disabled.stderr).toBe(0);
      expect(disabled.stdout).toMatch(/Disabled clidisab1; 1 session\(s\) signed out/);
      expect(await works(token)).toBe(false);
      expect(
        errorOf(await gql(gw.url, ops.login, { input: { username: 'clidisab1', password: 'password123' } }))?.code,
      ).toBe('ACCOUNT_DISABLED');

      expect((await cli('users', 'enable', 'clidisab1')).stdout).toMatch(/Enabled clidisab1/);
      expect(await works((await login(gw.url, 'clidisab1')).token)).toBe(true);
      expect(await works(token)).toBe(false);

      const events = JSON.parse(
        (await cli('audit', 'list', '--user', 'clidisab1', '--type', 'user_status_changed', '--json')).stdout,
      ) as { type: string; detail: Record<string, unknown> }[];
      expect(events.map((e) => e.detail)).toEqual([
        { from: -1, to: 1, actor: 'cli', by: null },
        { from: 1, to: -1, actor: 'cli', by: null },
      ]);
    },
    CLI_TEST_MS,
  );

  it(
    'users logout signs out every session; reset-password prints a code the user can redeem once',
    async () => {
      const token = await registerThroughServices(gw.app, 'clireset1');
      const logout = await cli('users', 'logout', 'clireset1');
      expect(logout.stdout).toMatch(/Signed clireset1 out of 1 session\(s\)/);
      expect(await works(token)).toBe(false);

      const issued = await cli('users', 'reset-password', 'clireset1');
      expect(issued.code, issued.stderr).toBe(0);
      const code = /([A-Z2-9]{4}(?:-[A-Z2-9]{4}){3})/.exec(issued.stdout)?.[1];
      expect(code).toBeDefined();
      const input = { username: 'clireset1', code, newPassword: 'cliNewPass1', newPasswordConfirmation: 'cliNewPass1' };
      expect((await gql(gw.url, ops.resetPassword, { input })).data?.resetPassword).toBe(true);
      expect(errorOf(await gql(gw.url, ops.resetPassword, { input }))?.code).toBe('RESET_CODE_INVALID');
      await login(gw.url, 'clireset1', 'cliNewPass1');
    },
    CLI_TEST_MS,
  );

  it(
    'the last enabled admin cannot be disabled, even from the CLI',
    async () => {
      await loginAsNewAdmin(gw.app, gw.url, 'cliadmin01');
      const refused = await cli('users', 'disable', 'cliadmin01');
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/last enabled admin/);
      expect(refused.stdout).toBe('');
    },
    CLI_TEST_MS,
  );

  it(
    'clear errors and exit code 1 for unknown users and bad options',
    async () => {
      const cases: [string[], RegExp][] = [
        [['users', 'disable', 'nobody0001'], /No user "nobody0001"/],
        [['users', 'list', '--status', 'x'], /"x" is not an integer/],
        [['users', 'list', '--status', '5'], /status must be 1, 0 or -1/],
        [['users', 'list', '--role', 'root'], /role must be user or admin/],
        [['users', 'list', '--search', '\u0007bell'], /must not contain control characters/],
        [['audit', 'list', '--since', 'soon'], /"soon" is not a duration/],
        [['audit', 'list', '--type', 'nonsense'], /not an audit event type/],
        [['users', 'frobnicate'], /unknown command|error/i],
      ];
      for (const [args, message] of cases) {
        const run = await cli(...args);
        expect(run.code, args.join(' ')).toBe(1);
        expect(run.stderr, args.join(' ')).toMatch(message);
        expect(run.stderr).not.toMatch(/\n\s+at /);
      }
    },
    CLI_TEST_MS,
  );

  it(
    'audit list --since; audit prune deletes only events past the retention',
    async () => {
      const DAY_MS = 86_400_000;
      const old = new Date(Date.now() - 200 * DAY_MS);
      const event = { userId: null, username: 'ancient', sessionId: null, ip: null, userAgent: null, detail: null };
      await gw.app.services.database.audit.insertMany([
        { ...event, at: old, type: 'login_failed' },
        { ...event, at: old, type: 'login_failed' },
      ]);
      type Listed = { type: string; username: string | null };
      /** What the log held before this list: the list itself is audited (admin_viewed). */
      const logged = async (...args: string[]) =>
        (JSON.parse((await cli('audit', 'list', '--limit', '1000', '--json', ...args)).stdout) as Listed[]).filter(
          (e) => e.type !== 'admin_viewed',
        );
      const recent = await logged('--since', '7d');
      expect(recent.length).toBeGreaterThan(0);
      expect(recent.some((e) => e.username === 'ancient')).toBe(false);
      expect((await logged()).filter((e) => e.username === 'ancient')).toHaveLength(2);

      const pruned = await cli('audit', 'prune');
      expect(pruned.code, pruned.stderr).toBe(0);
      expect(pruned.stdout).toMatch(/Deleted 2 audit event\(s\) older than 90 days/);
      expect(await logged()).toEqual(recent);
    },
    CLI_TEST_MS,
  );
});
