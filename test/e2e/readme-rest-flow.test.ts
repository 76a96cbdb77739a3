import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newInvitationCode } from '../helpers/accounts.js';
import { startEmbeddedGateway } from '../helpers/gateway.js';

const run = promisify(execFile);
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The README's copy-paste REST flow: the shell block that starts with `B=${STOREGATE_URL…`. */
const script = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)]
  .map((m) => m[1]!)
  .find((b) => b.startsWith('B=${STOREGATE_URL'));

describe("the README's copy-paste REST flow", () => {
  let gw: Awaited<ReturnType<typeof startEmbeddedGateway>>;
  beforeAll(async () => {
    gw = await startEmbeddedGateway({ CAPTCHA_FIXED_CODE: 'ABCDE' });
  });
  afterAll(async () => gw?.close());

  it('runs as written: register, login, me, refresh, logout, then me refused', async () => {
    expect(script).toBeDefined();
    const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', script!], {
      env: { PATH: process.env.PATH, STOREGATE_URL: gw.url, INVITATION_CODE: await newInvitationCode(gw.app) },
      timeout: 30_000,
    });
    const answers = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(answers.slice(0, 3).map((a) => a.code)).toEqual([20001, 20001, 20001]);
    expect(answers[3]).toEqual({ message: 'Unauthenticated.' });
    expect(answers[0].data).toMatchObject({ username: 'alice01', name: 'Alice' });
    expect(answers[1].data).toMatchObject({ username: 'alice01' });
  });
});
