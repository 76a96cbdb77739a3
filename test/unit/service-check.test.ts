import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { freePort } from '../helpers/ports.js';
import { REPO_ROOT } from '../helpers/server-process.js';

const VITEST = join(REPO_ROOT, 'node_modules/vitest/vitest.mjs');

/** An integration test file run the way `npm test` runs it, with both services pointed at closed ports. */
async function runWithServicesDown(mysqlPort: number, redisPort: number) {
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    NO_COLOR: '1',
    TEST_MYSQL_URL: `mysql://root@127.0.0.1:${mysqlPort}/test`,
    TEST_REDIS_URL: `redis://127.0.0.1:${redisPort}`,
  };
  const args = [VITEST, 'run', 'test/integration/tokens.test.ts'];
  return promisify(execFile)(process.execPath, args, { cwd: REPO_ROOT, env }).then(
    () => ({ code: 0, stdout: '', stderr: '' }),
    (err: { code: number; stdout: string; stderr: string }) => err,
  );
}

describe('the check of the backing services', () => {
  it('prints which service is unreachable, and where, before anything but the banner', async () => {
    const [mysqlPort, redisPort] = [await freePort(), await freePort()];
    const { code, stdout, stderr } = await runWithServicesDown(mysqlPort, redisPort);
    expect(code).toBe(1);
    const [first, second] = stderr.split('\n');
    expect(first).toBe(
      `MariaDB at mysql://root@127.0.0.1:${mysqlPort}/test is unreachable: connect ECONNREFUSED 127.0.0.1:${mysqlPort}`,
    );
    expect(second).toBe(
      `Redis at redis://127.0.0.1:${redisPort} is unreachable: connect ECONNREFUSED 127.0.0.1:${redisPort}`,
    );
    expect(stdout.trim()).toMatch(/^RUN\s+v[\d.]+ \S+$/);
    expect(stderr).toContain('start-stop-daemon');
    expect(`${stdout}${stderr}`).not.toMatch(/No test files found|Unhandled/);
  });
});
