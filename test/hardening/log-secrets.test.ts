import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newInvitationCode } from '../helpers/accounts.js';
import { type Gateway, startGateway } from '../helpers/gateway.js';
import { gql, ops } from '../helpers/graphql.js';
import { exchange } from '../helpers/http.js';
import { freePort, type RedisServer, startRedisServer } from '../helpers/redis-server.js';
import { bothTransports, graphqlTransport, type Outcome, type Transport, tokenOf } from '../helpers/transports.js';

/** Every captcha's code: distinctive, so that it cannot turn up in a log line by chance. */
const CAPTCHA_CODE = 'QX7CAPTCHAQX7';

const passwordFor = (transport: Transport) => `${transport.name}-pw-5ecret!`;
const usernameFor = (transport: Transport) => `${transport.name.toLowerCase()}logs01`;

/** Collects everything written to it, as stdout would receive it. */
function logSink(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += chunk;
      done();
    },
  });
  return { stream, text: () => text };
}

describe('no secret reaches the log during whole visits on both transports', () => {
  const log = logSink();
  let gw: Gateway;
  /** Passwords and codes sent, tokens received: none may appear in the log, not even in part. */
  const secrets: string[] = [CAPTCHA_CODE];

  beforeAll(async () => {
    gw = await startGateway({ env: { LOG_LEVEL: 'trace', CAPTCHA_FIXED_CODE: CAPTCHA_CODE }, logStream: log.stream });
  });
  afterAll(async () => gw?.close());

  const ok = (outcome: Outcome): Outcome => {
    expect(outcome.ok, outcome.answer.text).toBe(true);
    return outcome;
  };
  const keep = (token: string): string => {
    // The signature is the part of a token that makes it usable: it must not leak either.
    secrets.push(token, token.split('.')[2]!);
    return token;
  };

  /** Captcha → register → login → me → refresh → logout, every value where the transport puts it. */
  async function visit(t: Transport): Promise<void> {
    const [username, password] = [usernameFor(t), passwordFor(t)];
    secrets.push(password);
    const captcha = ok(await t.captcha(username)).data;
    const registered = ok(
      await t.register({
        name: 'Log Watcher',
        username,
        password,
        passwordConfirmation: password,
        invitationCode: await newInvitationCode(gw.app),
        captchaKey: captcha.captchaKey ?? captcha.captcha_key,
        captchaCode: CAPTCHA_CODE.toLowerCase(),
      }),
    );
    keep(tokenOf(registered));
    const token = keep(tokenOf(ok(await t.login(username, password))));
    ok(await t.me(token));
    const renewed = keep(tokenOf(ok(await t.refresh(token))));
    ok(await t.logout(renewed));
  }

  it('captures the log of both visits, a token in a query string and a logoutAll', async () => {
    for (const transport of bothTransports(gw.url)) await visit(transport);

    const graphql = graphqlTransport(gw.url);
    const token = keep(tokenOf(ok(await graphql.login(usernameFor(graphql), passwordFor(graphql)))));
    const inQuery = await exchange(`${gw.url}/api/auth/me?token=${encodeURIComponent(token)}`, {
      headers: { accept: 'application/json' },
    });
    expect(inQuery.status).toBe(200);
    expect((await gql(gw.url, ops.logoutAll, {}, token)).data?.logoutAll).toBe(true);

    const text = log.text();
    const requests = text.split('\n').filter((line) => line.includes('"incoming request"'));
    expect(requests, 'a line for each request').toHaveLength(15);
    for (const secret of secrets) expect(text, 'a secret in the log').not.toContain(secret);
    expect(text.toLowerCase()).not.toContain(CAPTCHA_CODE.toLowerCase());
  });
});

describe('no password or reset code reaches the log from a password change or reset', () => {
  const log = logSink();
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ env: { LOG_LEVEL: 'trace' }, logStream: log.stream });
  });
  afterAll(async () => gw?.close());

  it('in variables or written inline in the operation, succeeding or failing', async () => {
    const [first, second, third] = ['chg-pw-5ecret-one', 'chg-pw-5ecret-two', 'chg-pw-5ecret-three'];
    const token = tokenOf(
      await graphqlTransport(gw.url).register({
        name: 'Log Watcher',
        username: 'resetlogs01',
        password: first,
        passwordConfirmation: first,
        invitationCode: await newInvitationCode(gw.app),
        captchaKey: (await gql(gw.url, ops.captcha, {})).data!.requestCaptcha.captchaKey,
        captchaCode: 'ABCDE',
      }),
    );
    const change = (currentPassword: string, newPassword: string) => ({
      currentPassword,
      newPassword,
      newPasswordConfirmation: newPassword,
    });
    expect(
      (await gql(gw.url, ops.changePassword, { input: change('wrong-5ecret-guess', second) }, token)).errors,
    ).toBeDefined();
    const changed = await gql(gw.url, ops.changePassword, { input: change(first, second) }, token);
    expect(changed.errors).toBeUndefined();
    const renewed = changed.data!.changePassword.accessToken as string;

    const userId = Number(JSON.parse(Buffer.from(renewed.split('.')[1]!, 'base64url').toString()).sub);
    const { code } = await gw.app.services.passwords.issueReset(userId, { userId: null });
    const inline = `mutation { resetPassword(input: { username: "resetlogs01", code: "${code}", newPassword: "${third}", newPasswordConfirmation: "${third}" }) }`;
    expect((await gql(gw.url, inline)).data?.resetPassword).toBe(true);
    expect((await gql(gw.url, inline)).errors).toBeDefined();
    expect(
      (
        await gql(gw.url, ops.resetPassword, {
          input: { username: 'resetlogs01', code, newPassword: first, newPasswordConfirmation: first },
        })
      ).errors,
    ).toBeDefined();

    const text = log.text();
    expect(text.split('\n').filter((line) => line.includes('"incoming request"')).length).toBeGreaterThanOrEqual(6);
    for (const secret of [first, second, third, 'wrong-5ecret-guess', code, code.replace(/-/g, ''), renewed, token]) {
      expect(text, 'a secret in the log').not.toContain(secret);
    }
  });
});

/** Sends a request line and headers exactly as given over a raw socket: the raw answer. */
function rawRequest(baseUrl: string, requestLine: string, headers: string[] = []): Promise<string> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('error', reject);
    socket.on('end', () => resolve(answer));
    const head = [
      requestLine,
      `Host: ${hostname}:${port}`,
      'Accept: application/json',
      'Connection: close',
      ...headers,
    ];
    // Written, not ended: a half-closed socket could be dropped before the answer is sent.
    socket.write(`${head.join('\r\n')}\r\n\r\n`);
  });
}

describe('no secret reaches the log through a URL fragment, at the default info level', () => {
  const log = logSink();
  let gw: Gateway;
  const password = 'fragment-pw-5ecret!';

  beforeAll(async () => {
    gw = await startGateway({ env: { LOG_LEVEL: 'info' }, logStream: log.stream });
  });
  afterAll(async () => gw?.close());

  it('a password after a # in the raw request line (routed as a query) is masked in the incoming-request line', async () => {
    const query = `username=fragment01&password=${encodeURIComponent(password)}`;
    const answer = await rawRequest(gw.url, `POST /api/auth/login#${query} HTTP/1.1`, [
      'Content-Type: application/json',
      'Content-Length: 0',
    ]);
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    const lines = log.text().split('\n');
    expect(
      lines.filter((line) => line.includes('/api/auth/login#')),
      'its incoming-request line',
    ).not.toHaveLength(0);
    expect(log.text()).not.toContain(password);
    expect(log.text()).not.toContain(encodeURIComponent(password));
  });

  it('a token after a # is masked likewise', async () => {
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.fragment-token-signature';
    await rawRequest(gw.url, `GET /api/auth/me#token=${token} HTTP/1.1`);
    expect(log.text()).toContain('/api/auth/me#');
    expect(log.text()).not.toContain('fragment-token-signature');
  });
});

describe('no secret reaches the log through a failed Redis command', () => {
  const log = logSink();
  let redis: RedisServer;
  let gw: Gateway;
  const code = 'RQ7REDISQ7';

  beforeAll(async () => {
    redis = await startRedisServer(await freePort());
    gw = await startGateway({
      env: { REDIS_URL: redis.url, LOG_LEVEL: 'info', CAPTCHA_FIXED_CODE: code },
      logStream: log.stream,
    });
  });
  afterAll(async () => {
    await gw?.close();
    await redis?.stop();
  });

  it('a captcha whose SET the server refuses logs the failure without the code or the key', async () => {
    // A private server out of memory refuses every write: the captcha's SET fails with a reply error.
    const admin = new Redis(redis.url);
    try {
      await admin.config('SET', 'maxmemory-policy', 'noeviction');
      await admin.config('SET', 'maxmemory', '1');
    } finally {
      admin.disconnect();
    }
    for (const transport of bothTransports(gw.url)) {
      expect((await transport.captcha()).ok, transport.name).toBe(false);
    }

    const failures = log
      .text()
      .split('\n')
      .filter((line) => line.includes('OOM'));
    expect(failures, 'the failure is logged').not.toHaveLength(0);
    expect(log.text()).not.toContain(code);
    expect(log.text()).not.toContain('captcha:captcha-');
  });
});
