import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { loggerOptions } from '../../src/ops/logger.js';
import { ops } from '../helpers/graphql.js';

const SECRETS = {
  graphqlPassword: 'gql-pw-5ecret',
  graphqlConfirmation: 'gql-confirm-5ecret',
  captchaCode: 'CAP5ECRET',
  bearer: 'bearer-5ecret',
  queryPassword: 'qs-pw-5ecret',
  queryToken: 'qs-token-5ecret',
  queryCaptcha: 'qs-captcha-5ecret',
  bodyPassword: 'body-pw-5ecret',
  loggedPassword: 'logged-pw-5ecret',
  loggedVariable: 'logged-var-5ecret',
};

type LogLine = Record<string, any>;

/** An embedded app logging at a level (every line at trace) into memory, as it would to stdout. */
async function appWithCapturedLog(
  level = 'trace',
): Promise<{ app: FastifyInstance; lines: () => LogLine[]; raw: () => string }> {
  const sqlitePath = `/tmp/storegate-test-${randomBytes(4).toString('hex')}.sqlite`;
  const config = loadConfig({ NODE_ENV: 'test', SQLITE_PATH: sqlitePath, LOG_LEVEL: level, BCRYPT_COST: '4' });
  let output = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      output += chunk;
      done();
    },
  });
  const app = await buildApp(config, { logger: { ...loggerOptions(config), stream } });
  app.addHook('onClose', async () => rm(sqlitePath, { force: true }));
  return {
    app,
    raw: () => output,
    lines: () =>
      output
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as LogLine),
  };
}

describe('logs', () => {
  let app: FastifyInstance;
  let lines: () => LogLine[];
  let raw: () => string;
  beforeAll(async () => {
    ({ app, lines, raw } = await appWithCapturedLog());
  });
  afterAll(async () => app?.close());

  it('keeps a plain incoming x-request-id on every line of the request and echoes it', async () => {
    const answer = await app.inject({ url: '/healthz', headers: { 'x-request-id': 'lb-7f3a:42' } });
    expect(answer.headers['x-request-id']).toBe('lb-7f3a:42');
    const ofRequest = lines().filter((line) => line.reqId === 'lb-7f3a:42');
    expect(ofRequest.map((line) => line.msg)).toEqual(['incoming request', 'request completed']);
  });

  it('writes one line per request at info, as it is answered: request, status and time taken', async () => {
    const info = await appWithCapturedLog('info');
    try {
      await info.app.inject({
        url: '/api/auth/me?password=qs-pw-5ecret',
        headers: { 'x-request-id': 'at-info-1', accept: 'application/json' },
      });
      await info.app.inject({ url: '/no/such/path', headers: { 'x-request-id': 'at-info-2' } });
      const requestLines = (id: string) => info.lines().filter((line) => line.reqId === id);
      expect(requestLines('at-info-1')).toEqual([
        expect.objectContaining({
          level: 30,
          msg: 'request completed',
          req: { method: 'GET', url: '/api/auth/me?password=%5Bredacted%5D', remoteAddress: '127.0.0.1' },
          res: { statusCode: 401 },
          responseTime: expect.any(Number),
        }),
      ]);
      expect(requestLines('at-info-2')).toEqual([
        expect.objectContaining({ msg: 'request completed', res: { statusCode: 404 } }),
      ]);
    } finally {
      await info.app.close();
    }
  });

  it('makes a fresh id when there is none, or when the incoming one could garble the log', async () => {
    for (const headers of [{}, { 'x-request-id': 'x'.repeat(500) }, { 'x-request-id': 'two words\u001b[31m' }]) {
      const answer = await app.inject({ url: '/healthz', headers });
      expect(answer.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('never writes passwords, tokens, captcha codes or GraphQL variables, whatever the transport', async () => {
    await app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${SECRETS.bearer}` },
      payload: {
        query: ops.register,
        variables: {
          input: {
            name: 'Someone',
            username: 'someone01',
            password: SECRETS.graphqlPassword,
            passwordConfirmation: SECRETS.graphqlConfirmation,
            invitationCode: 'NOPE',
            captchaKey: 'captcha-unknown',
            captchaCode: SECRETS.captchaCode,
          },
        },
      },
    });
    await app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json' },
      payload: { query: ops.login, variables: { input: { username: 'someone01', password: SECRETS.graphqlPassword } } },
    });
    const query = new URLSearchParams({
      username: 'someone01',
      password: SECRETS.queryPassword,
      token: SECRETS.queryToken,
      captcha_code: SECRETS.queryCaptcha,
      'user[password]': SECRETS.queryPassword,
    });
    await app.inject({
      method: 'POST',
      url: `/api/auth/login?${query}`,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${SECRETS.bearer}` },
      payload: { password: SECRETS.bodyPassword },
    });
    await app.inject({ method: 'GET', url: `/no/such/path?access_token=${SECRETS.queryToken}` });
    app.log.info(
      { body: { password: SECRETS.loggedPassword }, graphql: { variables: { input: { x: SECRETS.loggedVariable } } } },
      'an object that holds secrets',
    );

    const log = raw();
    for (const secret of Object.values(SECRETS)) expect(log).not.toContain(secret);
    const urls = lines()
      .map((line) => line.req?.url)
      .filter(Boolean);
    const masked = '%5Bredacted%5D';
    expect(urls).toContain(
      `/api/auth/login?username=someone01&password=${masked}&token=${masked}&captcha_code=${masked}` +
        `&user%5Bpassword%5D=${masked}`,
    );
    const logged = lines().find((line) => line.msg === 'an object that holds secrets')!;
    expect(logged.body.password).toBe('[redacted]');
    expect(logged.graphql.variables).toBe('[redacted]');
  });
});
