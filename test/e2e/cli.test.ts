import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storegate } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { ensureBuilt } from '../helpers/server-process.js';

describe('the storegate CLI on MariaDB', () => {
  let db: TestDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    await ensureBuilt();
    db = await createTestDatabase();
    env = { DATABASE_URL: db.url };
  }, 120_000);
  afterAll(async () => db?.drop());

  it('migrate creates the schema, and a second run changes nothing', async () => {
    const first = await storegate(['migrate'], env);
    expect(first).toMatchObject({ code: 0 });
    expect(first.stdout).toMatch(/Applied: .*legacy_tables.*storegate_columns.*sessions_audit/);
    const second = await storegate(['migrate'], env);
    expect(second).toMatchObject({ code: 0 });
    expect(second.stdout).toMatch(/up to date/);
    const tables = await db.query<{ TABLE_NAME: string }>(
      'SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY 1',
    );
    expect(tables.map((t) => t.TABLE_NAME)).toEqual([
      'auth_events',
      'invitation_codes',
      'password_reset_codes',
      'sessions',
      'storegate_migrations',
      'users',
    ]);
  });

  it('invitations create prints one code a line, or JSON, with the uses and expiry asked for', async () => {
    const plain = await storegate(['invitations', 'create', '--count', '3'], env);
    expect(plain.code).toBe(0);
    expect(plain.stdout.trim().split('\n')).toHaveLength(3);
    expect(
      plain.stdout
        .trim()
        .split('\n')
        .every((line) => /^[A-Z0-9]{12}$/.test(line)),
    ).toBe(true);

    const json = await storegate(
      ['invitations', 'create', '--count', '2', '--uses', '5', '--expires-in', '7d', '--json'],
      env,
    );
    const codes = JSON.parse(json.stdout) as Array<{ code: string; usageLimit: number; validUntil: string }>;
    expect(codes).toHaveLength(2);
    expect(codes.every((c) => c.usageLimit === 5)).toBe(true);
    const week = Date.parse(codes[0]!.validUntil) - Date.now();
    expect(week).toBeGreaterThan(6.9 * 86_400_000);
    expect(week).toBeLessThan(7.1 * 86_400_000);
    const rows = await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM invitation_codes WHERE usage_limit = 1');
    expect(Number(rows[0]!.n)).toBe(3);
  });

  it('invitations list and revoke', async () => {
    const listed = JSON.parse((await storegate(['invitations', 'list', '--json'], env)).stdout) as Array<{
      code: string;
      status: number;
    }>;
    expect(listed).toHaveLength(5);
    const target = listed[0]!.code;
    const revoked = await storegate(['invitations', 'revoke', target], env);
    expect(revoked).toMatchObject({ code: 0 });
    const [row] = await db.query<{ status: number }>('SELECT status FROM invitation_codes WHERE code = ?', [target]);
    expect(row!.status).toBe(-1);
    const text = await storegate(['invitations', 'list'], env);
    expect(text.stdout).toMatch(new RegExp(`${target}\\t0/1 used\\trevoked`));

    const unknown = await storegate(['invitations', 'revoke', 'NO-SUCH-CODE'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/No invitation code "NO-SUCH-CODE"/);
  });

  it('admin create reads the password from stdin and applies the account rules', async () => {
    const created = await storegate(
      ['admin', 'create', '--username', 'chief01', '--name', 'Chief'],
      env,
      'a long password\n',
    );
    expect(created).toMatchObject({ code: 0 });
    const [row] = await db.query<{ role: string; password: string }>(
      "SELECT role, password FROM users WHERE username = 'chief01'",
    );
    expect(row!.role).toBe('admin');
    expect(row!.password).toMatch(/^\$2y\$04\$/);
    expect(created.stdout).not.toContain('a long password');

    const weak = await storegate(['admin', 'create', '--username', 'ab', '--name', 'X'], env, 'short\n');
    expect(weak.code).toBe(1);
    expect(weak.stderr).toContain('The username must be at least 6 characters.');
    expect(weak.stderr).toContain('The password must be at least 8 characters.');

    const taken = await storegate(
      ['admin', 'create', '--username', 'CHIEF01', '--name', 'Y'],
      env,
      'a long password\n',
    );
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/already taken/);
  });

  it('admin create takes the first line as the password, and a second line must repeat it', async () => {
    const args = (username: string) => ['admin', 'create', '--username', username, '--name', 'Twice'];
    const repeated = await storegate(args('twice001'), env, 'pw1 long\npw1 long\n');
    expect(repeated).toMatchObject({ code: 0 });
    const [row] = await db.query<{ password: string }>("SELECT password FROM users WHERE username = 'twice001'");
    expect(bcrypt.compareSync('pw1 long', row!.password)).toBe(true);

    const differ = await storegate(args('twice002'), env, 'pw1 long\npw2 long\n');
    expect(differ.code).toBe(1);
    expect(differ.stderr).toMatch(/differ: nothing was created/);
    const three = await storegate(args('twice003'), env, 'pw1 long\npw1 long\npw1 long\n');
    expect(three.code).toBe(1);
    expect(three.stderr).toMatch(/one line/);
    const single = await storegate(args('twice004'), env, 'pw1 long');
    expect(single).toMatchObject({ code: 0 });
    const rows = await db.query<{ username: string }>(
      "SELECT username FROM users WHERE username LIKE 'twice%' ORDER BY 1",
    );
    expect(rows.map((r) => r.username)).toEqual(['twice001', 'twice004']);
  });

  it('invitations list tells usable, used up, expired and revoked codes apart', async () => {
    const created = await storegate(['invitations', 'create', '--count', '3', '--uses', '2'], env);
    const [usedUp, expired, usable] = created.stdout.trim().split('\n') as [string, string, string];
    await db.query('UPDATE invitation_codes SET usage_times = 2 WHERE code = ?', [usedUp]);
    await db.query('UPDATE invitation_codes SET valid_until = NOW() - INTERVAL 1 DAY WHERE code = ?', [expired]);
    const listed = (await storegate(['invitations', 'list'], env)).stdout;
    expect(listed).toMatch(new RegExp(`${usedUp}\\t2/2 used\\tused up`));
    expect(listed).toMatch(new RegExp(`${expired}\\t0/2 used\\texpired`));
    expect(listed).toMatch(new RegExp(`${usable}\\t0/2 used\\tusable`));
    const json = JSON.parse((await storegate(['invitations', 'list', '--json'], env)).stdout) as Array<{
      code: string;
      state: string;
    }>;
    expect(json.find((c) => c.code === usedUp)?.state).toBe('used up');
  });

  it('admin grant gives an existing user the admin role', async () => {
    await db.query(
      "INSERT INTO users (name, username, password, invitation_code, status) VALUES ('Bob', 'bob12345', 'x', 'X', 1)",
    );
    const granted = await storegate(['admin', 'grant', 'BOB12345'], env);
    expect(granted).toMatchObject({ code: 0 });
    const [row] = await db.query<{ role: string }>("SELECT role FROM users WHERE username = 'bob12345'");
    expect(row!.role).toBe('admin');
    const missing = await storegate(['admin', 'grant', 'nobody99'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/No user "nobody99"/);
  });

  it('refuses bad options and bad configuration with a clear message', async () => {
    const notNumber = await storegate(['invitations', 'create', '--count', 'many'], env);
    expect(notNumber.code).toBe(1);
    expect(notNumber.stderr).toMatch(/"many" is not an integer/);
    const tooMany = await storegate(['invitations', 'create', '--count', '1000'], env);
    expect(tooMany.code).toBe(1);
    expect(tooMany.stderr).toMatch(/count must be between 1 and 100/);
    const badEnv = await storegate(['migrate'], { DATABASE_URL: 'postgres://nope' });
    expect(badEnv.code).toBe(1);
    expect(badEnv.stderr).toMatch(/DATABASE_URL/);
  });
});

describe('the storegate CLI on the embedded SQLite file', () => {
  const path = join('/tmp', `storegate-cli-${process.pid}.sqlite`);
  afterAll(() => rm(path, { force: true }));

  it('builds its schema by itself and manages invitations', async () => {
    const env = { SQLITE_PATH: path };
    expect((await storegate(['migrate'], env)).stdout).toMatch(/SQLite schema .* up to date/);
    const [code] = (await storegate(['invitations', 'create'], env)).stdout.trim().split('\n');
    const listed = JSON.parse((await storegate(['invitations', 'list', '--json'], env)).stdout) as Array<{
      code: string;
    }>;
    expect(listed.map((c) => c.code)).toEqual([code]);
  });
});
