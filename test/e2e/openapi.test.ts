import { compileErrors, validate } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from '../helpers/gateway.js';
import { rest } from '../helpers/rest.js';

describe('GET /api/openapi.json', () => {
  let gw: Gateway;
  let document: any;
  beforeAll(async () => {
    gw = await startGateway();
    const response = await rest(gw.url, 'GET', '/api/openapi.json');
    expect(response.status).toBe(200);
    document = response.body;
  });
  afterAll(async () => gw?.close());

  it('is a valid OpenAPI 3 document', async () => {
    expect(document.openapi).toMatch(/^3\./);
    // The validator dereferences in place: give it a copy.
    const result = await validate(structuredClone(document));
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true);
  });

  it('describes exactly the legacy routes', () => {
    const operations = Object.entries(document.paths as Record<string, object>).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations.sort()).toEqual(
      [
        'GET /api/response_code',
        'POST /api/captchas',
        'POST /api/auth/register',
        'POST /api/auth/login',
        'DELETE /api/auth/logout',
        'PUT /api/auth/refresh',
        'GET /api/auth/me',
        'GET /api/unauthorized',
      ].sort(),
    );
  });

  it('documents the parameters, the payloads and the non-200 answers', () => {
    const register = document.paths['/api/auth/register'].post;
    expect(register.parameters.map((p: { name: string }) => p.name)).toEqual([
      'name',
      'username',
      'password',
      'password_confirmation',
      'invitation_code',
      'captcha_key',
      'captcha_code',
    ]);
    const login = document.paths['/api/auth/login'].post.responses;
    const success = login['200'].content['application/json'].schema.oneOf[0];
    expect(Object.keys(success.properties.data.properties)).toEqual(['access_token', 'token_type', 'expires_in']);
    expect(Object.keys(login)).toEqual(expect.arrayContaining(['200', '400', '413', '429', '500', '503']));
    const me = document.paths['/api/auth/me'].get;
    expect(Object.keys(me.responses)).toEqual(expect.arrayContaining(['200', '302', '401']));
    expect(me.security).toEqual([{ bearer: [] }, { tokenQuery: [] }]);
  });
});
