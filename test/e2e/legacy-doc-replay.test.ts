import { describe, expect, it } from 'vitest';
import { BUSINESS_CODES } from '../../src/errors.js';
import type { Gateway } from '../helpers/gateway.js';
import { useGateway } from '../helpers/gateway-hooks.js';
import { curlRequest, type RestResponse } from '../helpers/rest.js';

/** The example requests of the legacy API document, copied verbatim. */
const DOCUMENTED = {
  responseCode: `curl -X GET \\
    -G "http://store.wutang.com/api/response_code?10001=similique&10003=et&20001=quia&40001=molestiae&40003=deleniti&40004=ea&40005=assumenda&50001=ut" \\
    -H "Content-Type: application/json" \\
    -H "Accept: application/json"`,
  captchas: `curl -X POST \\
    "http://store.wutang.com/api/captchas?username=odit" \\
    -H "Content-Type: application/json" \\
    -H "Accept: application/json"`,
  register: `curl -X POST \\
    "http://store.wutang.com/api/auth/register?name=laudantium&username=sapiente&password=quia&password_confirmation=non&invitation_code=consequatur&captcha_key=repellat&captcha_code=quia" \\
    -H "Content-Type: application/json" \\
    -H "Accept: application/json"`,
  login: `curl -X POST \\
    "http://store.wutang.com/api/auth/login" \\
    -H "Content-Type: application/json" \\
    -H "Accept: application/json"`,
  logout: `curl -X DELETE \\
    "http://store.wutang.com/api/auth/logout" \\
    -H "Content-Type: application/json" \\
    -H "Accept: application/json"`,
  refresh: `curl -X PUT \\
    "http://store.wutang.com/api/auth/refresh" \\
    -H "Content-Type: application/json" \\
    -H "Accept: application/json"`,
  me: `curl -X GET \\
    -G "http://store.wutang.com/api/auth/me" \\
    -H "Content-Type: application/json" \\
    -H "Accept: application/json"`,
};

/** The one example response the document gives (GET api/auth/me, 401). */
const DOCUMENTED_ME_RESPONSE = { message: 'Unauthenticated.' };

interface DocumentedRequest {
  method: string;
  /** Path and query string, the documented host left out. */
  target: string;
  headers: Record<string, string>;
}

function parseCurl(command: string): DocumentedRequest {
  const url = new URL(/"(http[^"]+)"/.exec(command)![1]!);
  return {
    method: /-X (\w+)/.exec(command)![1]!,
    target: url.pathname + url.search,
    headers: Object.fromEntries([...command.matchAll(/-H "([^:]+): ([^"]+)"/g)].map((m) => [m[1]!, m[2]!])),
  };
}

/** Each example is given twice: as curl (no body, no Content-Length) and as the `fetch` call (Content-Length 0). */
const clients = {
  curl: (gw: Gateway, { method, target, headers }: DocumentedRequest) => curlRequest(gw.url, method, target, headers),
  fetch: async (gw: Gateway, { method, target, headers }: DocumentedRequest): Promise<RestResponse> => {
    const response = await fetch(`${gw.url}${target}`, { method, headers, redirect: 'manual' });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
  },
};

const passwordRule = 'The password must be at least 8 characters.';

const expectations: Record<keyof typeof DOCUMENTED, (response: RestResponse) => void> = {
  responseCode: (response) => {
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ data: BUSINESS_CODES, code: 20001, msg: '操作成功' });
  },
  captchas: (response) => {
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ code: 20001, msg: '操作成功' });
    expect(Object.keys(response.body.data).sort()).toEqual(['captcha_image_content', 'captcha_key', 'expired_at']);
    expect(response.body.data.captcha_image_content).toMatch(/^data:image\/png;base64,/);
  },
  // The documented values break the rules (a 4-character password), so the answer is the
  // legacy validation envelope.
  register: (response) => {
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      data: {
        name: 'laudantium',
        username: 'sapiente',
        invitation_code: 'consequatur',
        captcha_key: 'repellat',
        captcha_code: 'quia',
      },
      code: 10001,
      msg: passwordRule,
      errors: { password: [passwordRule] },
    });
  },
  login: (response) => {
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      data: {},
      code: 10001,
      msg: 'The username field is required.',
      errors: { username: ['The username field is required.'], password: ['The password field is required.'] },
    });
  },
  logout: (response) => {
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ message: 'Unauthenticated.' });
  },
  refresh: (response) => {
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ message: 'Unauthenticated.' });
  },
  me: (response) => {
    expect(response.status).toBe(401);
    expect(response.body).toEqual(DOCUMENTED_ME_RESPONSE);
  },
};

describe('the legacy API document, replayed', () => {
  const gw = useGateway();

  const cases = Object.keys(DOCUMENTED).flatMap((name) =>
    Object.keys(clients).map((client) => [name as keyof typeof DOCUMENTED, client as keyof typeof clients] as const),
  );

  it.each(cases)('%s, sent as by %s', async (name, client) => {
    const request = parseCurl(DOCUMENTED[name]);
    const response = await clients[client](gw(), request);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expectations[name](response);
  });

  it('stored nothing for the documented (invalid) registration', async () => {
    expect(await gw().db.query('select id from users')).toEqual([]);
  });
});
