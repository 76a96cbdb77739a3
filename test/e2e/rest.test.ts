import jwt from 'jsonwebtoken';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUSINESS_CODES } from '../../src/errors.js';
import { registerThroughServices } from '../helpers/accounts.js';
import { CAPTCHA_CODE, TEST_JWT_SECRET } from '../helpers/gateway.js';
import { useGateway } from '../helpers/gateway-hooks.js';
import { gql, ops } from '../helpers/graphql.js';
import { invitationCode, type RestResponse, registerViaRest, registrationParams, rest } from '../helpers/rest.js';

const USER_FIELDS = [
  'created_at',
  'email',
  'email_verified_at',
  'id',
  'invitation_code',
  'name',
  'phone',
  'status',
  'updated_at',
  'username',
];
const TOKEN_FIELDS = ['access_token', 'expires_in', 'token_type'];
const LEGACY_DATE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

/** An instant written as a legacy `YYYY-MM-DD HH:mm:ss` of Asia/Shanghai (UTC+8, no DST). */
const shanghaiInstant = (text: string) => new Date(`${text.replace(' ', 'T')}+08:00`);

function expectEnvelope(response: RestResponse, code: number, msg?: string) {
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  expect(response.body).toMatchObject({ code, ...(msg !== undefined && { msg }) });
  expect(Object.keys(response.body).sort()).toEqual(
    code === 10001 ? ['code', 'data', 'errors', 'msg'] : ['code', 'data', 'msg'],
  );
}

/** An error envelope outside HTTP 200, leaking nothing internal. */
function expectFailure(response: RestResponse, status: number, code: number) {
  expect(response.status).toBe(status);
  expect(response.body).toMatchObject({ data: null, code });
  expect(typeof response.body.msg).toBe('string');
  expect(JSON.stringify(response.body)).not.toMatch(/stack|\s+at\s/);
}

describe('legacy REST layer', () => {
  const gw = useGateway();

  const countUsers = async () => (await gw().db.query<{ n: number }>('select count(*) as n from users'))[0]!.n;
  const usesOf = async (code: string) =>
    (
      await gw().db.query<{ usage_times: number }>('select usage_times from invitation_codes where code = ?', [code])
    )[0]!.usage_times;

  it('GET /api/response_code answers the business-code table', async () => {
    const response = await rest(gw().url, 'GET', '/api/response_code');
    expectEnvelope(response, 20001, '操作成功');
    expect(response.body.data).toEqual(BUSINESS_CODES);
  });

  it('POST /api/captchas answers the legacy captcha fields', async () => {
    const response = await rest(gw().url, 'POST', '/api/captchas', {
      query: { username: 'odit' },
      headers: { 'content-type': 'application/json' },
    });
    expectEnvelope(response, 20001, '操作成功');
    const { data } = response.body;
    expect(Object.keys(data).sort()).toEqual(['captcha_image_content', 'captcha_key', 'expired_at']);
    expect(data.captcha_key).toMatch(/^captcha-[A-Za-z0-9_-]{16,}$/);
    expect(data.expired_at).toMatch(LEGACY_DATE);
    const lifetime = (shanghaiInstant(data.expired_at).getTime() - Date.now()) / 1000;
    expect(lifetime).toBeGreaterThan(170);
    expect(lifetime).toBeLessThanOrEqual(181);
    expect(data.captcha_image_content).toMatch(/^data:image\/png;base64,/);
    const png = Buffer.from(data.captcha_image_content.split(',')[1], 'base64');
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  });

  it('register → login → me → refresh → logout, field for field', async () => {
    const params = await registrationParams(gw(), 'restflow1');
    const registered = await rest(gw().url, 'POST', '/api/auth/register', { query: params });
    expectEnvelope(registered, 20001, '操作成功');
    expect(Object.keys(registered.body.data).sort()).toEqual([...USER_FIELDS, ...TOKEN_FIELDS].sort());
    expect(registered.body.data).toMatchObject({
      name: 'Name restflow1',
      username: 'restflow1',
      email: null,
      email_verified_at: null,
      phone: null,
      invitation_code: params.invitation_code,
      status: 1,
      token_type: 'Bearer',
      expires_in: 60,
    });
    expect(typeof registered.body.data.id).toBe('number');
    expect(registered.body.data.created_at).toMatch(LEGACY_DATE);
    expect(Math.abs(shanghaiInstant(registered.body.data.created_at).getTime() - Date.now())).toBeLessThan(5000);

    const login = await rest(gw().url, 'POST', '/api/auth/login', {
      query: { username: 'RESTFLOW1', password: 'password123' },
    });
    expectEnvelope(login, 20001, '操作成功');
    expect(Object.keys(login.body.data).sort()).toEqual(TOKEN_FIELDS);
    expect(login.body.data).toMatchObject({ token_type: 'Bearer', expires_in: 60 });
    const token = login.body.data.access_token as string;

    const me = await rest(gw().url, 'GET', '/api/auth/me', { token });
    expectEnvelope(me, 20001, '操作成功');
    expect(Object.keys(me.body.data).sort()).toEqual(USER_FIELDS);
    expect(me.body.data.id).toBe(registered.body.data.id);
    expect(JSON.stringify(me.body)).not.toMatch(/password|remember_token/);

    const refreshed = await rest(gw().url, 'PUT', '/api/auth/refresh', { token });
    expectEnvelope(refreshed, 20001, '操作成功');
    expect(Object.keys(refreshed.body.data).sort()).toEqual(TOKEN_FIELDS);
    const newToken = refreshed.body.data.access_token as string;
    expect((await rest(gw().url, 'GET', '/api/auth/me', { token })).status).toBe(401);

    const logout = await rest(gw().url, 'DELETE', '/api/auth/logout', { token: newToken });
    expect(logout.status).toBe(200);
    expect(logout.body).toEqual({ data: null, code: 20001, msg: '注销成功' });
    expect((await rest(gw().url, 'GET', '/api/auth/me', { token: newToken })).status).toBe(401);
  });

  it('never writes the query string, where legacy clients put passwords, into a token', async () => {
    const { token } = await registerViaRest(gw(), 'restiss01', 'secret-in-query');
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    expect(claims.iss).toBe(`${gw().url}/api/auth/register`);
    expect(token).not.toContain(Buffer.from('secret-in-query').toString('base64url').slice(0, 10));
  });

  it('merges the query string with a JSON or form body, the body winning', async () => {
    const params = await registrationParams(gw(), 'restmerge1');
    const viaJson = await rest(gw().url, 'POST', '/api/auth/register', {
      query: { ...params, username: 'bad name!' },
      json: { username: 'restmerge1' },
    });
    expectEnvelope(viaJson, 20001);
    expect(viaJson.body.data.username).toBe('restmerge1');

    const viaForm = await rest(gw().url, 'POST', '/api/auth/login', {
      query: { username: 'restmerge1', password: 'wrong-password' },
      form: { password: 'password123' },
    });
    expectEnvelope(viaForm, 20001);
  });

  it('reads the token from Authorization, a token query parameter or a token body parameter', async () => {
    const { token } = await registerViaRest(gw(), 'resttoken1');
    expectEnvelope(await rest(gw().url, 'GET', '/api/auth/me', { query: { token } }), 20001);
    const refreshed = await rest(gw().url, 'PUT', '/api/auth/refresh', { form: { token } });
    expectEnvelope(refreshed, 20001);
    const logout = await rest(gw().url, 'DELETE', '/api/auth/logout', {
      json: { token: refreshed.body.data.access_token },
    });
    expectEnvelope(logout, 20001, '注销成功');
  });

  it('answers stored legacy local times exactly as stored', async () => {
    const { token, id } = await registerViaRest(gw(), 'resttime01');
    // Written as the legacy service wrote it: the local time of PRC, in the server's session zone.
    await gw().db.query("update users set created_at = '2020-07-23 10:00:00' where id = ?", [id]);
    const me = await rest(gw().url, 'GET', '/api/auth/me', { token });
    expect(me.body.data.created_at).toBe('2020-07-23 10:00:00');
  });

  describe('without a valid token', () => {
    const attempts = [
      ['GET', '/api/auth/me'],
      ['DELETE', '/api/auth/logout'],
      ['PUT', '/api/auth/refresh'],
    ] as const;
    const jsonClients: Record<string, string>[] = [
      { accept: 'application/json' },
      { accept: 'application/vnd.api+json' },
      { accept: 'text/html;q=0.5, application/json' },
      { accept: '*/*', 'x-requested-with': 'XMLHttpRequest' },
    ];
    const otherClients: Record<string, string>[] = [
      { accept: '*/*' },
      { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' },
      { accept: 'text/html, application/json' },
    ];
    /** Missing, malformed, wrongly signed, revoked, and of a user whose tokens were all revoked since. */
    let badTokens: (string | undefined)[];
    beforeAll(async () => {
      const { token, username, password } = await registerViaRest(gw(), 'rest401usr');
      const login = () => rest(gw().url, 'POST', '/api/auth/login', { query: { username, password } });
      const revoked = (await login()).body.data.access_token as string;
      await rest(gw().url, 'DELETE', '/api/auth/logout', { token: revoked });
      const stale = await registerViaRest(gw(), 'rest401old');
      await gw().db.query('update users set token_version = token_version + 1 where id = ?', [stale.id]);
      badTokens = [undefined, 'not.a.token', `${token}x`, revoked, stale.token];
    });

    it.each(attempts)('%s %s: 401 Unauthenticated. to clients that accept JSON', async (method, path) => {
      for (const headers of jsonClients) {
        for (const token of badTokens) {
          const response = await rest(gw().url, method, path, { headers, token });
          expect(response.status, `${JSON.stringify(headers)} ${token}`).toBe(401);
          expect(response.body).toEqual({ message: 'Unauthenticated.' });
        }
      }
    });

    it.each(attempts)('%s %s: 302 to /api/unauthorized for other clients', async (method, path) => {
      for (const headers of otherClients) {
        const response = await rest(gw().url, method, path, { headers });
        expect(response.status, JSON.stringify(headers)).toBe(302);
        expect(response.headers.get('location')).toBe('/api/unauthorized');
      }
    });

    it('an expired token: 401 on me, still refreshable within the refresh window', async () => {
      const { id } = await registerViaRest(gw(), 'rest401exp');
      const now = Math.floor(Date.now() / 1000);
      const claims = {
        iss: gw().url,
        iat: now - 7200,
        nbf: now - 7200,
        exp: now - 3600,
        jti: 'A'.repeat(16),
        sub: String(id),
      };
      const expired = jwt.sign({ ...claims, prv: gw().config.jwt.prv, ver: 0 }, TEST_JWT_SECRET, {
        algorithm: 'HS256',
      });
      expect((await rest(gw().url, 'GET', '/api/auth/me', { token: expired })).status).toBe(401);
      expectEnvelope(await rest(gw().url, 'PUT', '/api/auth/refresh', { token: expired }), 20001);
    });

    it('GET /api/unauthorized answers 40005 授权过期', async () => {
      const response = await fetch(`${gw().url}/api/auth/me`, { headers: { accept: '*/*' } });
      expect(response.status).toBe(200);
      expect(response.url).toBe(`${gw().url}/api/unauthorized`);
      expect(await response.json()).toEqual({ data: null, code: 40005, msg: '授权过期' });
    });
  });

  it('answers business errors with HTTP 200 and the legacy envelope', async () => {
    const taken = await registerViaRest(gw(), 'resttaken1');
    const login = (username: string, password: string) =>
      rest(gw().url, 'POST', '/api/auth/login', { query: { username, password } });
    expect((await login('resttaken1', 'wrong-password')).body).toEqual({
      data: null,
      code: 10003,
      msg: '用户名或密码有误',
    });
    expect((await login('nobody0000', 'password123')).body).toEqual({
      data: null,
      code: 10003,
      msg: '用户名或密码有误',
    });

    const register = async (change: Record<string, string>) =>
      (
        await rest(gw().url, 'POST', '/api/auth/register', {
          query: { ...(await registrationParams(gw(), 'restnew001')), ...change },
        })
      ).body;
    expect(await register({ username: taken.username })).toEqual({ data: null, code: 40001, msg: '用户已存在' });
    expect(await register({ captcha_key: 'captcha-unknown' })).toEqual({ data: null, code: 10003, msg: '验证码无效' });
    expect(await register({ captcha_code: 'ZZZZZ' })).toEqual({ data: null, code: 10003, msg: '验证码错误' });
    expect(await register({ invitation_code: 'NOSUCHCODE' })).toEqual({ data: null, code: 10003, msg: '邀请码无效' });

    await gw().db.query('update users set status = -1 where username = ?', [taken.username]);
    expect((await login(taken.username, taken.password)).body).toEqual({ data: null, code: 40001, msg: '账号已禁用' });
  });

  it('answers a validation failure with 10001, the first message, the parameters without passwords and errors', async () => {
    const response = await rest(gw().url, 'POST', '/api/auth/register', {
      query: { name: 'Bob', username: 'bob', password: 'short', password_confirmation: 'other', captcha_key: 'k' },
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      data: { name: 'Bob', username: 'bob', captcha_key: 'k' },
      code: 10001,
      msg: 'The username must be at least 6 characters.',
      errors: {
        username: ['The username must be at least 6 characters.'],
        password: ['The password must be at least 8 characters.'],
        invitation_code: ['The invitation code field is required.'],
        captcha_code: ['The captcha code field is required.'],
      },
    });
    const login = await rest(gw().url, 'POST', '/api/auth/login', { headers: { 'content-type': 'application/json' } });
    expect(login.body).toEqual({
      data: {},
      code: 10001,
      msg: 'The username field is required.',
      errors: { username: ['The username field is required.'], password: ['The password field is required.'] },
    });
  });

  it('answers wrong types, control characters and hostile strings with 10001, never a 500, storing nothing', async () => {
    const users = await countUsers();
    const code = await invitationCode(gw());
    const valid = { ...(await registrationParams(gw(), 'restbad001')), invitation_code: code };
    const inputs: Record<string, unknown>[] = [
      { ...valid, name: 123 },
      { ...valid, name: { $gt: '' } },
      { ...valid, username: ['restbad001'] },
      { ...valid, password: 12345678, password_confirmation: 12345678 },
      { ...valid, password: true },
      { ...valid, name: 'a\u0000b' },
      { ...valid, name: 'line\nbreak' },
      { ...valid, username: "x' OR '1'='1" },
      { ...valid, username: '<script>alert(1)</script>' },
      { ...valid, password: 'é'.repeat(40), password_confirmation: 'é'.repeat(40) },
      { ...valid, captcha_code: null, invitation_code: '' },
      {},
    ];
    for (const json of inputs) {
      const response = await rest(gw().url, 'POST', '/api/auth/register', { json });
      expect(response.status, JSON.stringify(json)).toBe(200);
      expect(response.body.code, JSON.stringify(response.body)).toBe(10001);
      expect(Object.keys(response.body.errors).length).toBeGreaterThan(0);
      expect(response.body.data).not.toHaveProperty('password');
      expect(response.body.data).not.toHaveProperty('password_confirmation');
    }
    for (const query of [{ name: 'a\u0001b' }, { username: 'a\u0000' }] as Record<string, string>[]) {
      const response = await rest(gw().url, 'POST', '/api/auth/register', { query });
      expectEnvelope(response, 10001);
    }
    for (const json of [{ username: 5, password: [] }, { username: 'a\u0000', password: 'x'.repeat(73) }, []]) {
      expectEnvelope(await rest(gw().url, 'POST', '/api/auth/login', { json }), 10001);
    }
    expect(await countUsers()).toBe(users);
    expect(await usesOf(code)).toBe(0);
    // The captcha was never consumed: validation comes first.
    expectEnvelope(await rest(gw().url, 'POST', '/api/auth/register', { json: valid }), 20001);
  });

  it('answers unparseable JSON with 400 and the envelope', async () => {
    for (const raw of ['{bad', '{"username": "a",}', '{"__proto__": {"x": 1}}']) {
      const response = await rest(gw().url, 'POST', '/api/auth/login', {
        raw,
        headers: { 'content-type': 'application/json' },
      });
      expectFailure(response, 400, 10001);
    }
  });

  it('answers a body over BODY_LIMIT with 413 and the envelope', async () => {
    const users = await countUsers();
    const big = 'x'.repeat(101 * 1024);
    expectFailure(await rest(gw().url, 'POST', '/api/auth/register', { json: { name: big } }), 413, 10001);
    expectFailure(await rest(gw().url, 'POST', '/api/auth/login', { form: { username: big } }), 413, 10001);
    expect(await countUsers()).toBe(users);
  });

  it('answers an unsupported content type with 415 and the envelope, and ignores a text body', async () => {
    const xml = await rest(gw().url, 'POST', '/api/auth/login', {
      raw: '<a/>',
      headers: { 'content-type': 'application/xml' },
    });
    expectFailure(xml, 415, 10001);
    const text = await rest(gw().url, 'POST', '/api/auth/login', {
      query: { username: 'someone1' },
      raw: 'password=x',
      headers: { 'content-type': 'text/plain' },
    });
    expectEnvelope(text, 10001, 'The password field is required.');
  });

  it('answers unknown routes with 404 and the envelope, inside /api and outside', async () => {
    for (const [method, path] of [
      ['GET', '/api/nope'],
      ['POST', '/api/auth/nope'],
      ['GET', '/api/auth/login'],
      ['GET', '/nope'],
      ['DELETE', '/'],
    ] as const) {
      const response = await rest(gw().url, method, path);
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(response.body).toEqual({ data: null, code: 40004, msg: '查询为空' });
    }
  });

  it('leaves /graphql, /healthz and /readyz as they were, and gives /graphql clean body errors', async () => {
    expect((await rest(gw().url, 'GET', '/healthz')).body).toEqual({ status: 'ok' });
    expect((await rest(gw().url, 'GET', '/readyz')).status).toBe(200);
    const codes = await gql(gw().url, ops.responseCodes);
    expect(codes.data?.responseCodes).toHaveLength(8);

    const badJson = await rest(gw().url, 'POST', '/graphql', {
      raw: '{bad',
      headers: { 'content-type': 'application/json' },
    });
    expect(badJson.status).toBe(400);
    expect(badJson.body.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', legacyCode: 10001 });
    const tooLarge = await rest(gw().url, 'POST', '/graphql', {
      json: { query: `{ me { id } } #${'x'.repeat(101 * 1024)}` },
    });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.errors[0].extensions).toEqual({ code: 'PAYLOAD_TOO_LARGE', legacyCode: 10001 });
  });

  it('registers with the fixed test captcha in any case', async () => {
    const params = await registrationParams(gw(), 'restcase01');
    const response = await rest(gw().url, 'POST', '/api/auth/register', {
      query: { ...params, captcha_code: CAPTCHA_CODE.toLowerCase() },
    });
    expectEnvelope(response, 20001);
  });
});

describe('legacy REST throttles', () => {
  const gw = useGateway({ env: { RATE_LIMIT_SIGN: '2', RATE_LIMIT_ACCESS: '3', LOGIN_MAX_ATTEMPTS: '2' } });

  function expectThrottled(response: RestResponse, limit: number) {
    expect(response.status).toBe(429);
    expect(response.body).toEqual({ message: 'Too Many Attempts.' });
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(response.headers.get('x-ratelimit-limit')).toBe(String(limit));
    expect(response.headers.get('x-ratelimit-remaining')).toBe('0');
  }

  it('counts captcha and register requests per client IP (RATE_LIMIT_SIGN)', async () => {
    for (const remaining of ['1', '0']) {
      const response = await rest(gw().url, 'POST', '/api/captchas');
      expectEnvelope(response, 20001);
      expect(response.headers.get('x-ratelimit-limit')).toBe('2');
      expect(response.headers.get('x-ratelimit-remaining')).toBe(remaining);
    }
    expectThrottled(await rest(gw().url, 'POST', '/api/captchas'), 2);
    expectThrottled(await rest(gw().url, 'POST', '/api/auth/register'), 2);
  });

  it('counts authenticated requests per user (RATE_LIMIT_ACCESS) and locks repeated failed logins', async () => {
    const token = await registerThroughServices(gw().app, 'throttle01');
    for (const remaining of ['2', '1', '0']) {
      const response = await rest(gw().url, 'GET', '/api/auth/me', { token });
      expectEnvelope(response, 20001);
      expect(response.headers.get('x-ratelimit-remaining')).toBe(remaining);
    }
    expectThrottled(await rest(gw().url, 'GET', '/api/auth/me', { token }), 3);

    const login = () =>
      rest(gw().url, 'POST', '/api/auth/login', { query: { username: 'throttle01', password: 'wrong-password' } });
    expectEnvelope(await login(), 10003);
    expectEnvelope(await login(), 10003);
    expectThrottled(await login(), 2);
  });
});

describe('legacy REST with a broken dependency', () => {
  const gw = useGateway();

  it('answers an unexpected failure with 500 and the envelope, without details', async () => {
    await gw().db.query('rename table users to users_gone');
    const response = await rest(gw().url, 'POST', '/api/auth/login', {
      query: { username: 'someone1', password: 'password123' },
    });
    expectFailure(response, 500, 50001);
    expect(response.body.msg).toBe('操作失败');
    await gw().db.query('rename table users_gone to users');
  });

  it('answers 503 and the envelope while Redis is down, failing closed on tokens', async () => {
    const { token } = await registerViaRest(gw(), 'restdown01');
    await gw().app.services.store.close();
    expectFailure(await rest(gw().url, 'POST', '/api/captchas'), 503, 50001);
    expectFailure(await rest(gw().url, 'GET', '/api/auth/me', { token }), 503, 50001);
  });
});
