import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login, registerUser } from '../helpers/accounts.js';
import { expectGraphqlError } from '../helpers/assertions.js';
import { CAPTCHA_CODE } from '../helpers/gateway.js';
import { gql, ops } from '../helpers/graphql.js';
import { freePort } from '../helpers/ports.js';
import { ensureBuilt, type ServerProcess, startServerProcess } from '../helpers/server-process.js';

const BUILD_TIMEOUT_MS = 180_000;

/** The quick start: `node dist/server.js` on a bare machine, no DATABASE_URL, no REDIS_URL, no JWT_SECRET. */
describe('the embedded default, as `npm start` runs it', () => {
  let workDir: string;
  let server: ServerProcess;
  let port: number;

  beforeAll(async () => {
    await ensureBuilt();
    workDir = await mkdtemp(join(tmpdir(), 'storegate-embedded-'));
    port = await freePort();
    server = startServerProcess(
      {
        HOST: '127.0.0.1',
        PORT: String(port),
        SQLITE_PATH: join(workDir, 'storegate.sqlite'),
        CAPTCHA_FIXED_CODE: CAPTCHA_CODE,
        BCRYPT_COST: '4',
      },
      workDir,
    );
  }, BUILD_TIMEOUT_MS);

  afterAll(async () => {
    await server?.stop('SIGKILL');
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('prints the GraphQL URL and an invitation code, and warns about the generated JWT_SECRET', async () => {
    const [, url] = await server.waitFor(/(http:\/\/[^\s"]+\/graphql)/);
    expect(url).toBe(`http://127.0.0.1:${port}/graphql`);
    await server.waitFor(/invitation code[^A-Z0-9]*[A-Z0-9]{6,}/i);
    expect(server.output()).toMatch(/JWT_SECRET/);
    expect(server.output()).toMatch(/generated/);
  });

  it('captcha → register with the printed code → login → me → refresh → logout', async () => {
    const [, code] = await server.waitFor(/invitation code[^A-Z0-9]*([A-Z0-9]{6,})/i);
    const baseUrl = `http://127.0.0.1:${port}`;

    const registered = await registerUser(baseUrl, code!, 'newcomer1');
    expect((await gql(baseUrl, ops.me, {}, registered.token)).data!.me.username).toBe('newcomer1');

    const { token } = await login(baseUrl, 'newcomer1');
    const me = await gql(baseUrl, ops.me, {}, token);
    expect(me.data!.me).toMatchObject({ username: 'newcomer1', invitationCode: code, status: 1, role: 'user' });

    const refreshed = await gql(baseUrl, ops.refresh, {}, token);
    const newToken = refreshed.data!.refresh.accessToken as string;
    expectGraphqlError(await gql(baseUrl, ops.me, {}, token), 'UNAUTHENTICATED', 40005);

    expect((await gql(baseUrl, ops.logout, {}, newToken)).data).toEqual({ logout: true });
    expectGraphqlError(await gql(baseUrl, ops.me, {}, newToken), 'UNAUTHENTICATED', 40005);
  });

  it('exits with code 0 on SIGTERM', async () => {
    expect(await server.stop('SIGTERM')).toBe(0);
  });
});
