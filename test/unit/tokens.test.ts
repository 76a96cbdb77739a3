import { createHash } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { TokenService, type TokenSettings } from '../../src/auth/token.service.js';
import { appErrorOf as failureOf } from '../helpers/failures.js';
import { claimsOf, LEGACY_PRV, mintToken, nowSeconds } from '../helpers/jwt.js';
import { legacyFixture } from '../helpers/legacy-fixture.js';

const SECRET = 'unit-test-secret-0123456789-abcdefghij';
const REFRESH_WINDOW_SECONDS = 20160 * 60;

function tokenService(overrides: Partial<TokenSettings> = {}): TokenService {
  const settings = { secret: SECRET, ttlMinutes: 60, refreshTtlMinutes: 20160, prv: LEGACY_PRV };
  return new TokenService({ ...settings, ...overrides });
}

const user = (id: number, tokenVersion = 0) => ({ id, tokenVersion });

const base64url = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('issued tokens', () => {
  const tokens = tokenService();

  it("carry jwt-auth's claims, the model's prv and the token version, signed HS256", () => {
    const before = nowSeconds();
    const session = tokens.newSession();
    const { token, expiresIn } = tokens.issue(user(42, 3), 'http://gateway.test/graphql', session);
    const { header } = jwt.decode(token, { complete: true })!;
    const claims = claimsOf(token);

    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(Object.keys(claims).sort()).toEqual(['exp', 'iat', 'iss', 'jti', 'nbf', 'prv', 'sid', 'sub', 'ver']);
    expect(claims).toMatchObject({ iss: 'http://gateway.test/graphql', sub: '42', ver: 3, prv: LEGACY_PRV });
    expect(claims.sid).toBe(session.id);
    expect(session.id).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(session.expiresAt).toBe(claims.iat! + REFRESH_WINDOW_SECONDS);
    expect(claims.jti).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(claims.iat).toBeGreaterThanOrEqual(before);
    expect(claims.nbf).toBe(claims.iat);
    expect(claims.exp! - claims.iat!).toBe(3600);
    expect(expiresIn).toBe(3600);
  });

  it('use the sha1 of the legacy user model as prv by default', () => {
    expect(createHash('sha1').update('App\\Models\\User').digest('hex')).toBe(LEGACY_PRV);
  });

  it('get a fresh jti each time', () => {
    const jtis = new Set(
      Array.from({ length: 50 }, () => tokens.issue(user(1), 'iss', tokens.newSession()).claims.jti),
    );
    expect(jtis.size).toBe(50);
  });

  it('decode back to their claims', () => {
    const issued = tokens.issue(user(7), 'iss', tokens.newSession());
    expect(tokens.decode(issued.token)).toEqual(issued.claims);
  });
});

describe('decoding rejects', () => {
  const tokens = tokenService();
  const valid = () => tokens.issue(user(1), 'iss', tokens.newSession()).token;
  const withPayload = (token: string, change: Record<string, unknown>): string => {
    const [header, payload, signature] = token.split('.');
    const claims = { ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), ...change };
    return `${header}.${base64url(claims)}.${signature}`;
  };

  const cases: Array<[string, () => string]> = [
    ['an unsigned token (alg none)', () => `${base64url({ alg: 'none', typ: 'JWT' })}.${valid().split('.')[1]}.`],
    ['an HS512 token, even with the right secret', () => jwt.sign(claimsOf(valid()), SECRET, { algorithm: 'HS512' })],
    ['a token signed with another secret', () => mintToken('another-secret-0123456789-abcdefghij')],
    ['a token whose payload was changed', () => withPayload(valid(), { sub: '2' })],
    ['an expired token', () => mintToken(SECRET, { iat: nowSeconds() - 7200, exp: nowSeconds() - 60 })],
    ['a token not valid before a future time', () => mintToken(SECRET, { nbf: nowSeconds() + 600 })],
    ['a token without sub', () => mintToken(SECRET, { sub: undefined })],
    ['a token without jti', () => mintToken(SECRET, { jti: undefined })],
    ['a token that never expires (no exp)', () => mintToken(SECRET, { exp: undefined })],
    ['a token with a sub that is no user id', () => mintToken(SECRET, { sub: 'admin' })],
    ["a token of another model's prv", () => mintToken(SECRET, { prv: 'f'.repeat(40) })],
    ['something that is no token', () => 'not.a.token'],
  ];

  it('nothing about a well-formed legacy token (the baseline each case below changes)', () => {
    expect(tokens.decode(mintToken(SECRET)).sub).toBe('1');
  });

  it.each(cases)('%s as UNAUTHENTICATED', async (_name, make) => {
    const error = await failureOf(() => tokens.decode(make()));
    expect(error).toMatchObject({ kind: 'UNAUTHENTICATED', graphqlCode: 'UNAUTHENTICATED', legacyCode: 40005 });
  });
});

describe('refreshing', () => {
  const tokens = tokenService();

  it('decodes an expired token only when asked to, and keeps the chain iat with a new jti, nbf and exp', async () => {
    const firstIat = nowSeconds() - 7200;
    const expired = mintToken(SECRET, { iat: firstIat, nbf: firstIat, exp: firstIat + 3600 });
    await failureOf(() => tokens.decode(expired));

    const claims = tokens.decode(expired, { allowExpired: true });
    expect(tokens.canRefresh(claims)).toBe(true);
    const renewed = tokens.issue(
      user(Number(claims.sub), claims.ver ?? 0),
      claims.iss,
      tokens.sessionOf(claims),
    ).claims;
    expect(renewed.iat).toBe(firstIat);
    expect(renewed.jti).not.toBe(claims.jti);
    expect(renewed.nbf).toBeGreaterThanOrEqual(nowSeconds() - 1);
    expect(renewed.exp).toBe(renewed.nbf + 3600);
  });

  it('stops once iat plus the refresh window has passed', () => {
    const claimsAged = (age: number) =>
      tokens.decode(mintToken(SECRET, { iat: nowSeconds() - age }), { allowExpired: true });
    expect(tokens.canRefresh(claimsAged(REFRESH_WINDOW_SECONDS - 60))).toBe(true);
    expect(tokens.canRefresh(claimsAged(REFRESH_WINDOW_SECONDS + 1))).toBe(false);
  });
});

describe('the legacy long-lived token', () => {
  const { jwt: legacy } = legacyFixture();
  const tokens = tokenService({ secret: legacy.secret });

  it('decodes with the fixture secret as user 1, version 0 (no ver claim)', () => {
    const claims = tokens.decode(legacy.long_lived_token_for_user_1);
    expect(claims).toMatchObject({ sub: '1', jti: legacy.long_lived_token_claims.jti });
    expect(claims.ver).toBeUndefined();
  });

  it('cannot be refreshed: its refresh window closed long ago', () => {
    expect(tokens.canRefresh(tokens.decode(legacy.long_lived_token_for_user_1))).toBe(false);
  });
});

describe('sessions of tokens', () => {
  const tokens = tokenService();

  it('a legacy token (no sid) belongs to a session derived from its jti, the same on every instance', () => {
    const legacy = tokens.decode(mintToken(SECRET));
    const other = tokens.decode(mintToken(SECRET));
    const session = tokens.sessionOf(legacy);
    expect(session.id).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(tokenService().sessionOf(legacy)).toEqual(session);
    expect(tokens.sessionOf(other).id).not.toBe(session.id);
    expect(tokenService({ secret: `${SECRET}-other` }).sessionOf(legacy).id).not.toBe(session.id);
    expect(session.expiresAt).toBe(legacy.iat + REFRESH_WINDOW_SECONDS);
  });

  it('never outlive their session: the last token of a chain expires with its refresh window', () => {
    const ending = { id: 'endingsession0001', expiresAt: nowSeconds() + 600 };
    const issued = tokens.issue(user(1), 'iss', ending);
    expect(issued.claims.exp).toBe(ending.expiresAt);
    expect(issued.expiresIn).toBeLessThanOrEqual(600);
    expect(tokens.liveUntil(issued.claims)).toBe(ending.expiresAt);
  });
});
