import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPO_ROOT } from './paths.js';

const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;
const KEPT_OUTPUT = 4000;

export interface ServerProcess {
  name: string;
  child: ChildProcess;
  baseUrl: string;
  /** The last lines it printed, to explain a failure. */
  output(): string;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Starts `node ...args` (from the repository root unless told) with only the given environment, and waits until it answers HTTP. */
export async function startServer(
  name: string,
  args: string[],
  port: number,
  env: Record<string, string>,
  {
    logFile,
    cwd = REPO_ROOT,
  }: {
    /** Where its standard output goes (its log, written as a deployment's would be); else kept in memory. */
    logFile?: string;
    cwd?: string;
  } = {},
): Promise<ServerProcess> {
  const logFd = logFile === undefined ? undefined : openSync(logFile, 'w');
  const child = spawn(process.execPath, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port) },
    stdio: ['ignore', logFd ?? 'pipe', 'pipe'],
  });
  if (logFd !== undefined) closeSync(logFd);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-KEPT_OUTPUT);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const logTail = () => (logFile === undefined ? '' : tail(logFile));
  const server = { name, child, baseUrl: `http://127.0.0.1:${port}`, output: () => logTail() + output };
  try {
    await waitUntilAnswering(server);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return server;
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(-KEPT_OUTPUT);
  } catch {
    return '';
  }
}

async function waitUntilAnswering(server: ServerProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (server.child.exitCode !== null) {
      throw new Error(`${server.name} exited with ${server.child.exitCode}:\n${server.output()}`);
    }
    try {
      await fetch(server.baseUrl, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      await sleep(100);
    }
  }
  throw new Error(`${server.name} did not answer within ${READY_TIMEOUT_MS / 1000} s:\n${server.output()}`);
}

/** SIGTERM, then SIGKILL if it lingers; a graceful exit is what writes a CPU profile. */
export async function stopServer(server: ServerProcess): Promise<void> {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/** Resident set size in MB, from /proc (Linux only; null elsewhere). */
export async function residentMegabytes(pid: number | undefined): Promise<number | null> {
  if (pid === undefined) return null;
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb ? Math.round(Number(kb) / 1024) : null;
  } catch {
    return null;
  }
}

/** Linux reports process CPU time in USER_HZ ticks, which is 100 on every architecture it runs on. */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system, all threads) the process has used so far; null off Linux. */
export async function cpuSeconds(pid: number | undefined): Promise<number | null> {
  if (pid === undefined) return null;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may itself hold spaces: utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}
