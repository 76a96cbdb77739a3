import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';

/** A throw-away `redis-server` of a test's own, on loopback, persisting nothing. */
export interface RedisServer {
  port: number;
  url: string;
  stop(): Promise<void>;
  /** Freezes the process (SIGSTOP): connections stay open, nothing is answered. */
  freeze(): void;
  /** Lets a frozen process run on (SIGCONT). */
  thaw(): void;
}

// Kept for the files that import them from here; they live in ports.ts.
export { freePort, freePorts } from './ports.js';

async function waitForPing(port: number, child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server on ${port} exited with ${child.exitCode}`);
    const redis = new Redis({
      port,
      host: '127.0.0.1',
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
    });
    redis.on('error', () => {}); // a refused connection is retried here
    try {
      await redis.connect();
      await redis.ping();
      return;
    } catch {
      await sleep(100);
    } finally {
      redis.disconnect();
    }
  }
  throw new Error(`redis-server on ${port} did not answer within ${timeoutMs} ms`);
}

/** Starts `redis-server` on a loopback port with extra arguments; `stop()` kills it. */
export async function startRedisServer(port: number, args: string[] = []): Promise<RedisServer> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...args],
    { stdio: 'ignore' },
  );
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  };
  try {
    await waitForPing(port, child);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop,
    freeze: () => child.kill('SIGSTOP'),
    thaw: () => child.kill('SIGCONT'),
  };
}
