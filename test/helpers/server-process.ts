import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SERVER_ENTRY = join(REPO_ROOT, 'dist/server.js');
const TSC = join(REPO_ROOT, 'node_modules/typescript/bin/tsc');

async function modifiedAt(path: string): Promise<number> {
  return stat(path).then(
    (s) => s.mtimeMs,
    () => 0,
  );
}

async function newestSourceChange(): Promise<number> {
  const files = await readdir(join(REPO_ROOT, 'src'), { recursive: true });
  const times = await Promise.all(files.map((file) => modifiedAt(join(REPO_ROOT, 'src', file))));
  return Math.max(0, ...times);
}

const isBuilt = async () => (await modifiedAt(SERVER_ENTRY)) > (await newestSourceChange());

/** One build at a time across the test processes: another one's half-written dist/ would not load. */
const BUILD_LOCK = join(tmpdir(), `storegate-build-${createHash('sha1').update(REPO_ROOT).digest('hex')}.lock`);
const BUILD_LOCK_STALE_MS = 300_000;

async function withBuildLock<T>(run: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      await mkdir(BUILD_LOCK);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A lock this old was left by a test process that died while building.
      const stale = Date.now() - (await modifiedAt(BUILD_LOCK)) > BUILD_LOCK_STALE_MS;
      if (stale) await rm(BUILD_LOCK, { force: true, recursive: true });
      else await sleep(200);
    }
  }
  try {
    return await run();
  } finally {
    await rm(BUILD_LOCK, { force: true, recursive: true });
  }
}

/** Runs `tsc -p tsconfig.build.json` when dist/ is missing or older than src/, as `npm start` would. */
export async function ensureBuilt(): Promise<void> {
  await withBuildLock(async () => {
    if (await isBuilt()) return;
    try {
      await promisify(execFile)(process.execPath, [TSC, '-p', 'tsconfig.build.json'], { cwd: REPO_ROOT });
    } catch (err) {
      const { stdout = '', stderr = '' } = err as { stdout?: string; stderr?: string };
      throw new Error(`the build failed, so \`npm start\` would too:\n${stdout}${stderr}`);
    }
  });
}

// Kept for the files that import it from here; it lives in ports.ts.
export { freePort } from './ports.js';

export interface ServerProcess {
  /** The process started: npm's own with `npmStart`. */
  pid: number | undefined;
  /** Everything the process wrote so far, stdout and stderr interleaved. */
  output(): string;
  /** Resolves with the first match of `pattern` in the output, waiting for it if need be. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Resolves with the exit code once the process has ended by itself. */
  exited(): Promise<number | null>;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * `node dist/server.js` with exactly this environment (nothing inherited but PATH), in `cwd`;
 * or, with `npmStart`, the README's `npm start` in the repository.
 */
export function startServerProcess(env: Record<string, string>, cwd: string, { npmStart = false } = {}): ServerProcess {
  const [command, args] = npmStart ? ['npm', ['start', '--silent']] : [process.execPath, [SERVER_ENTRY]];
  const child = spawn(command, args, {
    cwd: npmStart ? REPO_ROOT : cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let exitCode: number | null | undefined;
  const listeners = new Set<() => void>();
  const changed = () => {
    for (const listener of listeners) listener();
  };
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      changed();
    });
  }
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      exitCode = code;
      changed();
      resolve(code);
    }),
  );

  return {
    pid: child.pid,
    output: () => output,
    waitFor(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(output);
          if (!match && exitCode === undefined) return;
          listeners.delete(check);
          clearTimeout(timer);
          if (match) resolve(match);
          else reject(new Error(`the server exited (${exitCode}) before printing ${pattern}:\n${output}`));
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${output}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
    exited: () => exited,
    async stop(signal = 'SIGTERM') {
      if (exitCode === undefined) child.kill(signal);
      return exited;
    },
  };
}
