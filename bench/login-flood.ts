import { spawn } from 'node:child_process';
import { text } from 'node:stream/consumers';
import type { LoadResult } from './load.js';
import type { FloodOrder } from './login-flood.process.js';

/** How long past its duration the flood may take before it is killed. */
const OVERRUN_MS = 60_000;

/**
 * Runs a login flood from its own process. Sharing the `me` probe's process (autocannon in one
 * event loop), it added stalls of its own to the probe: p99 ~150 ms even against the bare server.
 */
export async function loginFlood(order: FloodOrder): Promise<LoadResult> {
  const child = spawn(process.execPath, [new URL('./login-flood.process.js', import.meta.url).pathname], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const guard = setTimeout(() => child.kill('SIGKILL'), order.durationSeconds * 1000 + OVERRUN_MS);
  child.stdin.end(JSON.stringify(order));
  const [output, code] = await Promise.all([
    text(child.stdout),
    new Promise<number | null>((resolve) => child.once('exit', resolve)),
  ]);
  clearTimeout(guard);
  if (code !== 0) throw new Error(`login flood process exited with ${code}`);
  return JSON.parse(output) as LoadResult;
}
