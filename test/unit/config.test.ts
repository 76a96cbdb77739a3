import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { configProblems as problemsOf } from '../helpers/failures.js';

const production = {
  NODE_ENV: 'production',
  DATABASE_URL: 'mysql://root@127.0.0.1:3306/storegate',
  REDIS_URL: 'redis://127.0.0.1:6379',
  JWT_SECRET: 'x'.repeat(32),
};

describe('configuration', () => {
  it('runs embedded with no variables at all: SQLite, in-process store, a generated secret and a warning', () => {
    const config = loadConfig({});
    expect(config.db.kind).toBe('sqlite');
    expect(config.redis.url).toBeUndefined();
    expect(Buffer.byteLength(config.jwt.secret)).toBeGreaterThanOrEqual(32);
    expect(config.warnings.join('\n')).toMatch(/JWT_SECRET/);
    expect(config.host).toBe('127.0.0.1');
    expect(config.port).toBe(4000);
    expect(config.jwt.ttlMinutes).toBe(60);
    expect(config.jwt.refreshTtlMinutes).toBe(20160);
    expect(config.passwords.cost).toBe(10);
    expect(config.captcha.ttlSeconds).toBe(180);
    expect(config.limits).toMatchObject({ signPerMinute: 10, accessPerMinute: 60 });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('refuses to start in production without DATABASE_URL, REDIS_URL and JWT_SECRET, naming each', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    expect(problems.join('\n')).toMatch(/DATABASE_URL/);
    expect(problems.join('\n')).toMatch(/REDIS_URL/);
    expect(problems.join('\n')).toMatch(/JWT_SECRET/);
  });

  it('refuses a JWT_SECRET under 32 bytes in production', () => {
    expect(problemsOf({ ...production, JWT_SECRET: 'short' }).join('\n')).toMatch(/JWT_SECRET.*32 bytes/);
    expect(problemsOf(production)).toEqual([]);
  });

  it('ignores CAPTCHA_FIXED_CODE in production, with a warning', () => {
    const config = loadConfig({ ...production, CAPTCHA_FIXED_CODE: 'AAAAA' });
    expect(config.captcha.fixedCode).toBeUndefined();
    expect(config.warnings.join('\n')).toMatch(/CAPTCHA_FIXED_CODE/);
    expect(loadConfig({ CAPTCHA_FIXED_CODE: 'AAAAA' }).captcha.fixedCode).toBe('AAAAA');
  });

  it('listens on every interface in production', () => {
    expect(loadConfig(production).host).toBe('0.0.0.0');
  });

  it('names every malformed variable at once', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      DATABASE_URL: 'postgres://x',
      BCRYPT_COST: '99',
      APP_TIMEZONE: 'Mars/Base',
    });
    expect(problems.map((p) => p.split(':')[0])).toEqual(
      expect.arrayContaining(['PORT', 'DATABASE_URL', 'BCRYPT_COST']),
    );
    expect(problemsOf({ APP_TIMEZONE: 'Mars/Base' }).join()).toMatch(/APP_TIMEZONE/);
  });

  it('reads TRUST_PROXY as off, a hop count or a list of addresses, and refuses to trust every hop', () => {
    expect(loadConfig({}).http.trustProxy).toBe(false);
    expect(problemsOf({ TRUST_PROXY: 'true' }).join()).toMatch(
      /TRUST_PROXY: true would trust every X-Forwarded-For hop/,
    );
    expect(loadConfig({ TRUST_PROXY: '1' }).http.trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.1, 10.0.0.2' }).http.trustProxy).toEqual(['10.0.0.1', '10.0.0.2']);
  });

  it('sets the MySQL session zone to DB_SESSION_TIMEZONE, by default DB_TIMEZONE; server, Z or an offset MySQL accepts', () => {
    const mysql = { DATABASE_URL: 'mysql://root@127.0.0.1:3306/storegate' };
    expect(loadConfig(mysql).db).toMatchObject({ timezone: '+08:00', sessionTimezone: '+08:00' });
    expect(loadConfig({ ...mysql, DB_TIMEZONE: 'Z' }).db).toMatchObject({ sessionTimezone: '+00:00' });
    expect(loadConfig({ ...mysql, DB_SESSION_TIMEZONE: 'server' }).db).toMatchObject({ sessionTimezone: null });
    for (const zone of ['+13:00', '-12:59', '+05:45']) {
      expect(loadConfig({ ...mysql, DB_SESSION_TIMEZONE: zone }).db).toMatchObject({ sessionTimezone: zone });
    }
    for (const zone of ['Asia/Shanghai', 'SYSTEM', '+8:00', '+08:60', '+13:01', '-13:00', '+14:00']) {
      expect(problemsOf({ ...mysql, DB_SESSION_TIMEZONE: zone }).join(), zone).toMatch(/^DB_SESSION_TIMEZONE: /);
    }
    expect(problemsOf({ ...mysql, DB_TIMEZONE: '+14:00' }).join()).toMatch(
      /DB_SESSION_TIMEZONE: \+14:00 \(from DB_TIMEZONE\)/,
    );
    expect(problemsOf({ DB_TIMEZONE: '+14:00' })).toEqual([]); // no MySQL session without DATABASE_URL
  });
});
