import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { loggerOptions, redactSecrets, redactUrl } from '../../src/ops/logger.js';

const transportOf = (env: Record<string, string>) => loggerOptions(loadConfig(env)).transport;

describe('logger options', () => {
  it('writes JSON in production and tests, and when development output is not a terminal', () => {
    expect(transportOf({ NODE_ENV: 'test' })).toBeUndefined();
    const production = { DATABASE_URL: 'mysql://a/b', REDIS_URL: 'redis://a', JWT_SECRET: 'x'.repeat(32) };
    expect(transportOf({ NODE_ENV: 'production', ...production })).toBeUndefined();
    if (!process.stdout.isTTY) expect(transportOf({ NODE_ENV: 'development' })).toBeUndefined();
  });

  it('writes readable lines through pino-pretty when LOG_PRETTY is on, and not when it is off', async () => {
    expect(transportOf({ NODE_ENV: 'test', LOG_PRETTY: 'true' })).toMatchObject({ target: 'pino-pretty' });
    expect(transportOf({ NODE_ENV: 'development', LOG_PRETTY: 'false' })).toBeUndefined();
    // Installed, and a transport factory pino can load.
    expect(typeof (await import('pino-pretty')).default).toBe('function');
  });

  it('takes the level from LOG_LEVEL', () => {
    expect(loggerOptions(loadConfig({ LOG_LEVEL: 'warn' })).level).toBe('warn');
  });
});

describe('redactUrl', () => {
  it('masks every secret-looking parameter and leaves the rest', () => {
    const masked = '%5Bredacted%5D';
    expect(redactUrl('/api/auth/login?username=alice01&password=p&Password_Confirmation=p&access_token=t')).toBe(
      `/api/auth/login?username=alice01&password=${masked}&Password_Confirmation=${masked}&access_token=${masked}`,
    );
    expect(redactUrl('/x?captcha_key=k&captcha_code=c&captchaCode=c')).toBe(
      '/x?captcha_key=k&captcha_code=%5Bredacted%5D&captchaCode=%5Bredacted%5D',
    );
  });

  it('masks repeated and bracketed names, and leaves a URL without a query as it is', () => {
    expect(redactUrl('/x?password=a&password=b&user%5Bpassword%5D=c')).toBe(
      '/x?password=%5Bredacted%5D&user%5Bpassword%5D=%5Bredacted%5D',
    );
    expect(redactUrl('/api/auth/me')).toBe('/api/auth/me');
  });

  it('masks secrets after a # as after a ?, and after a later ? or # inside a value', () => {
    const masked = '%5Bredacted%5D';
    expect(redactUrl('/api/auth/login#username=u&password=p')).toBe(`/api/auth/login#username=u&password=${masked}`);
    expect(redactUrl('/api/auth/me#token=t')).toBe(`/api/auth/me#token=${masked}`);
    expect(redactUrl('/x?a=1#password=p?token=t')).toBe(`/x?a=1#password=${masked}?token=${masked}`);
  });
});

describe('redactSecrets', () => {
  it('masks secret keys at any depth and in arrays, without touching the logged object', () => {
    const logged = { user: 'alice01', a: { b: { c: { d: { password: 'p', keep: 1 } } } }, list: [{ token: 't' }] };
    expect(redactSecrets(logged)).toEqual({
      user: 'alice01',
      a: { b: { c: { d: { password: '[redacted]', keep: 1 } } } },
      list: [{ token: '[redacted]' }],
    });
    expect(logged.a.b.c.d.password).toBe('p');
  });

  it('masks whatever nests deeper than it looks, and leaves instances to their serializers', () => {
    let deep: Record<string, unknown> = { secret: 'x' };
    for (let i = 0; i < 20; i++) deep = { next: deep };
    expect(JSON.stringify(redactSecrets(deep))).not.toContain('"x"');
    const error = new Error('boom');
    expect((redactSecrets({ err: error }) as { err: unknown }).err).toBe(error);
  });
});
