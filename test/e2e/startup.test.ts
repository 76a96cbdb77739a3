import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchange } from '../helpers/http.js';
import { freePort } from '../helpers/ports.js';
import { ensureBuilt, REPO_ROOT, startServerProcess } from '../helpers/server-process.js';
import { waitUntil } from '../helpers/wait.js';

const BUILD_TIMEOUT_MS = 180_000;

/** The built servers running with this SQLite file (from their environment). */
const serversOn = (sqlitePath: string): string[] => {
  try {
    return execFileSync('pgrep', ['-f', 'dist/server.js'], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/environ`, 'utf8').includes(sqlitePath);
        } catch {
          return false;
        }
      });
  } catch {
    return [];
  }
};

describe('starting the server', () => {
  let workDir: string;
  beforeAll(async () => {
    await ensureBuilt();
    workDir = await mkdtemp(join(tmpdir(), 'storegate-start-'));
  }, BUILD_TIMEOUT_MS);
  afterAll(async () => rm(workDir, { recursive: true, force: true }));

  const embedded = async (name: string) => ({
    PORT: String(await freePort()),
    SQLITE_PATH: join(workDir, `${name}.sqlite`),
    BCRYPT_COST: '4',
  });

  it('npm start runs the built server at once, and SIGTERM to npm stops the server too', async () => {
    const env = await embedded('npm-start');
    const built = statSync(join(REPO_ROOT, 'dist/server.js')).mtimeMs;
    const server = startServerProcess(env, workDir, { npmStart: true });
    await server.waitFor(/storegate is up/);
    // No build before the start (a build took 6–7 s and rewrote dist/ each time).
    expect(statSync(join(REPO_ROOT, 'dist/server.js')).mtimeMs, 'no build before the start').toBe(built);
    expect(server.output()).not.toMatch(/tsc -p/);
    expect((await exchange(`http://127.0.0.1:${env.PORT}/healthz`)).status).toBe(200);
    expect(serversOn(env.SQLITE_PATH)).toHaveLength(1);

    expect(await server.stop('SIGTERM')).toBe(0);
    await waitUntil(async () => serversOn(env.SQLITE_PATH).length === 0, { timeoutMs: 5000 });
  });

  it('says in one line that PORT is not a number', async () => {
    const server = startServerProcess({ ...(await embedded('bad-port')), PORT: 'abc' }, workDir);
    expect(await server.exited()).toBe(1);
    const output = server.output().trim();
    expect(output).toContain('PORT: expected a whole number from 0 to 65535, got "abc"');
    expect(output).not.toMatch(/\n\s+at /);
  });

  describe('on a port that is taken', () => {
    let blocker: Server;
    let port: number;
    beforeAll(async () => {
      port = await freePort();
      blocker = createServer().listen(port, '127.0.0.1');
    });
    afterAll(() => new Promise((resolve) => blocker.close(resolve)));

    it('says so in one line, naming the address', async () => {
      const server = startServerProcess({ ...(await embedded('taken')), PORT: String(port) }, workDir);
      expect(await server.exited()).toBe(1);
      const lines = server.output().trim().split('\n');
      expect(lines.at(-1)).toBe(
        `storegate: 127.0.0.1:${port} is already in use: stop what listens there, or set PORT.`,
      );
      expect(server.output()).not.toMatch(/\n\s+at /);
    });
  });

  it('says in one line that Redis is unreachable', async () => {
    const env = { ...(await embedded('no-redis')), REDIS_URL: `redis://127.0.0.1:${await freePort()}` };
    const server = startServerProcess(env, workDir);
    expect(await server.exited()).toBe(1);
    expect(server.output().trim()).toMatch(/^storegate: cannot reach Redis: .*ECONNREFUSED/m);
    expect(server.output()).not.toMatch(/\n\s+at /);
  });
});
