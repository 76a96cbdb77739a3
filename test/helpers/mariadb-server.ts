import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { freePort } from './ports.js';

/** A MariaDB server of one test file's own: its data directory, port, socket and pid file. */
export interface MariaDbServer {
  port: number;
  /** `mysql://root@127.0.0.1:PORT`: root, no password, as the shared test server. */
  url: string;
  /** The data directory and everything else the server writes, removed by `stop()`. */
  dir: string;
  /** Milliseconds from the start of the data directory's creation until the server answered. */
  startupMs: number;
  /** Of which creating the system tables took this many. */
  bootstrapMs: number;
  /** SIGTERM, waits for the exit (SIGKILL after 10 s), then removes `dir`. */
  stop(): Promise<void>;
}

const MARIADBD = process.env.TEST_MARIADBD ?? '/usr/sbin/mariadbd';
const INSTALL_DB = process.env.TEST_MARIADB_INSTALL_DB ?? 'mariadb-install-db';

/**
 * The scripts `mariadb-install-db` feeds `mariadbd --bootstrap` that a test needs: the system
 * tables and root. The rest (help tables, 2.4 MB; the sys schema; GIS procedures) took over half
 * of the bootstrap's time and no test uses them.
 */
const SYSTEM_TABLES = ['mysql_system_tables.sql', 'mysql_performance_tables.sql', 'mysql_system_tables_data.sql'];
const SHARE = [process.env.TEST_MARIADB_SHARE ?? '', '/usr/share/mariadb', '/usr/share/mysql'].find(
  (dir) => dir && SYSTEM_TABLES.every((file) => existsSync(join(dir, file))),
);

/**
 * Options for both the bootstrap and the server: as little memory, disk and start-up work as a
 * test's few tables need. Root keeps normal password authentication (no password), unlike
 * `--skip-grant-tables`, so connections behave as on a real server.
 */
const SMALL = [
  '--skip-name-resolve',
  '--skip-log-bin',
  '--innodb-buffer-pool-size=8M',
  '--innodb-log-file-size=4M',
  '--innodb-buffer-pool-load-at-startup=0',
  '--innodb-buffer-pool-dump-at-shutdown=0',
  '--innodb-flush-log-at-trx-commit=0',
  '--innodb-doublewrite=0',
  // Nothing here must survive a crash: no fsync at all (it was half of the bootstrap's time).
  '--innodb-flush-method=nosync',
  '--loose-feedback=OFF',
];

/** mariadbd refuses to run as root unless told to. */
const asUser = process.getuid?.() === 0 ? ['--user=root'] : [];

/** Runs `command`, feeding it `input`; rejects with its output unless it exits with 0 within `timeoutMs`. */
async function run(command: string, args: string[], input: string, timeoutMs: number): Promise<void> {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  child.stdin.on('error', () => {}); // an early exit is reported below, with the output
  child.stdin.end(input);
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  clearTimeout(killer);
  if (code !== 0)
    throw new Error(`${command} exited (${code ?? signal}):\n${output.split('\n').slice(-15).join('\n')}`);
}

/**
 * Creates the system tables in `datadir`, root without a password (normal authentication, as
 * `mariadb-install-db --auth-root-authentication-method=normal`), no test database.
 */
async function bootstrap(dir: string, datadir: string, timeoutMs: number): Promise<void> {
  if (!SHARE) {
    await promisify(execFile)(
      INSTALL_DB,
      [
        '--no-defaults',
        `--datadir=${datadir}`,
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
        // Its own temporary tables too: bootstraps sharing /tmp at once can remove each other's.
        `--tmpdir=${dir}`,
        ...asUser,
        ...SMALL,
      ],
      { timeout: timeoutMs },
    );
    return;
  }
  const scripts = await Promise.all(SYSTEM_TABLES.map((file) => readFile(join(SHARE, file), 'utf8')));
  // As mariadb-install-db writes it, less the rows for this host's name (skip-name-resolve ignores them).
  const sql = ['create database if not exists mysql;', 'use mysql;', 'SET @auth_root_socket=NULL;', ...scripts]
    .join('\n')
    .split('\n')
    .filter((line) => !line.includes('@current_hostname'))
    .join('\n');
  await mkdir(datadir);
  await run(
    MARIADBD,
    [
      '--no-defaults',
      '--bootstrap',
      `--datadir=${datadir}`,
      `--tmpdir=${dir}`,
      '--log-warnings=0',
      '--enforce-storage-engine=',
      '--max-allowed-packet=8M',
      '--net-buffer-length=16K',
      ...asUser,
      ...SMALL,
    ],
    sql,
    timeoutMs,
  );
}

async function errorLog(dir: string): Promise<string> {
  return readFile(join(dir, 'error.log'), 'utf8').then(
    (text) => text.split('\n').slice(-15).join('\n'),
    () => '(no error log)',
  );
}

async function accepts(port: number): Promise<boolean> {
  try {
    const connection = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root', connectTimeout: 1000 });
    await connection.query('SELECT 1');
    await connection.end();
    return true;
  } catch {
    return false;
  }
}

async function waitUntilAccepting(port: number, child: ChildProcess, dir: string, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `mariadbd on port ${port} exited (${child.exitCode ?? child.signalCode}):\n${await errorLog(dir)}`,
      );
    }
    if (await accepts(port)) return;
    await sleep(20);
  }
  throw new Error(
    `mariadbd on port ${port} did not accept connections within ${timeoutMs} ms:\n${await errorLog(dir)}`,
  );
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(killer);
}

export interface MariaDbServerOptions {
  /** Added to the server's environment (`TZ`, say, for the zone `SYSTEM` means). */
  env?: Record<string, string>;
  /** For the bootstrap, and again for the server to accept connections. */
  timeoutMs?: number;
}

/**
 * Starts a private MariaDB server on a spare loopback port, never the shared one on 3306: the
 * system tables in a new directory under /tmp (`mariadbd --bootstrap` with the scripts of
 * `mariadb-install-db` a test needs, or `mariadb-install-db` itself when they are not found),
 * then `mariadbd` with `options` (say
 * `--default-time-zone=+00:00`), resolving once it accepts connections. Call `stop()` in
 * `afterAll`; a test process that exits without it still kills the server.
 */
export async function startMariaDbServer(
  options: string[] = [],
  { env = {}, timeoutMs = 30_000 }: MariaDbServerOptions = {},
): Promise<MariaDbServer> {
  const started = performance.now();
  const dir = await mkdtemp('/tmp/storegate-mariadb-');
  const datadir = join(dir, 'data');
  let child: ChildProcess | undefined;
  // A test process that exits without stop() (a failed beforeAll, say) leaves neither behind.
  const cleanUpOnExit = () => {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', cleanUpOnExit);
  const cleanUp = async () => {
    if (child) await stopProcess(child);
    await rm(dir, { recursive: true, force: true });
    process.removeListener('exit', cleanUpOnExit);
  };

  try {
    await bootstrap(dir, datadir, timeoutMs);
  } catch (err) {
    await cleanUp();
    const { stdout = '', stderr = '' } = err as { stdout?: string; stderr?: string };
    throw new Error(`creating the system tables failed: ${(err as Error).message}\n${stdout}${stderr}`);
  }
  const bootstrapMs = Math.round(performance.now() - started);

  // The port is free when chosen; another process may take it before mariadbd binds it, so retry.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const server = spawn(
      MARIADBD,
      [
        '--no-defaults',
        `--datadir=${datadir}`,
        `--socket=${join(dir, 'mariadb.sock')}`,
        `--pid-file=${join(dir, 'mariadb.pid')}`,
        `--log-error=${join(dir, 'error.log')}`,
        `--tmpdir=${dir}`,
        '--bind-address=127.0.0.1',
        `--port=${port}`,
        // The directory is removed after the stop: no clean shutdown needed.
        '--innodb-fast-shutdown=2',
        ...asUser,
        ...SMALL,
        ...options,
      ],
      { stdio: 'ignore', env: { ...process.env, ...env } },
    );
    child = server;
    try {
      await waitUntilAccepting(port, server, dir, timeoutMs);
    } catch (err) {
      await stopProcess(server);
      if (attempt < 3 && /Bind on TCP\/IP port|Address already in use/.test(String(err))) continue;
      await cleanUp();
      throw err;
    }
    return {
      port,
      url: `mysql://root@127.0.0.1:${port}`,
      dir,
      startupMs: Math.round(performance.now() - started),
      bootstrapMs,
      stop: cleanUp,
    };
  }
}
