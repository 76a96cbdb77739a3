import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { PASSWORD } from '../helpers/accounts.js';
import { confusedAlgorithmToken, forgeToken, rs256Token } from '../helpers/forged-tokens.js';
import { type Gateway, TEST_JWT_SECRET } from '../helpers/gateway.js';
import { useGateway } from '../helpers/gateway-hooks.js';
import { gql, ops } from '../helpers/graphql.js';
import { claimsOf, mintToken, nowSeconds } from '../helpers/jwt.js';
import { insertUser } from '../helpers/legacy-users.js';
import { graphqlTransport, type Outcome, restTransport, type Transport, tokenOf } from '../helpers/transports.js';

const REFRESH_WINDOW_SECONDS = 20160 * 60;
const HOUR = 3600;

/** A user of the attacked gateway, with a genuine token to rework. */
interface Victim {
  username: string;
  sub: string;
  genuine: string;
  transport: Transport;
  gw: Gateway;
}

interface Attack {
  name: string;
  token(victim: Victim): string | Promise<string>;
  /** Refresh takes an expired token while its chain's refresh window is open. */
  refreshable?: true;
  /** The attack revoked the genuine token itself. */
  revokes?: true;
}

/** Signed with the gateway's own secret: only the claims are wrong. */
const signed = (victim: Victim, claims: Record<string, unknown>) =>
  mintToken(TEST_JWT_SECRET, { sub: victim.sub, ...claims });
const issuedAgo = (seconds: number) => ({
  iat: nowSeconds() - seconds,
  nbf: nowSeconds() - seconds,
  exp: nowSeconds() - 60,
});

const ATTACKS: Attack[] = [
  { name: 'alg none', token: (v) => forgeToken('alg none', v.genuine) },
  { name: 'HS256 with a wrong secret', token: (v) => forgeToken('wrong secret', v.genuine) },
  {
    name: 'HS512 with the right secret',
    token: (v) => jwt.sign(claimsOf(v.genuine), TEST_JWT_SECRET, { algorithm: 'HS512' }),
  },
  { name: 'HS256 keyed with an RS256 public key (confusion)', token: (v) => confusedAlgorithmToken(v.genuine) },
  { name: 'RS256 with the attacker’s key', token: (v) => rs256Token(v.genuine) },
  { name: 'payload tampered with (another sub)', token: (v) => forgeToken('claims changed', v.genuine) },
  { name: 'signature truncated', token: (v) => forgeToken('truncated', v.genuine) },
  {
    name: 'a foreign iss, signed by anyone but the gateway',
    token: (v) => jwt.sign({ ...claimsOf(v.genuine), iss: 'https://evil.example/api/auth/login' }, 'x'.repeat(40)),
  },
  { name: 'another model’s prv', token: (v) => signed(v, { prv: 'f'.repeat(40) }) },
  { name: 'expired', token: (v) => signed(v, issuedAgo(2 * HOUR)), refreshable: true },
  { name: 'nbf in the future', token: (v) => signed(v, { nbf: nowSeconds() + 600 }) },
  { name: 'no sub', token: (v) => signed(v, { sub: undefined }) },
  { name: 'no jti', token: (v) => signed(v, { jti: undefined }) },
  { name: 'garbage', token: () => 'not-a-jwt' },
  { name: 'three segments of garbage', token: () => 'eyJ.eyJ.sig' },
  {
    name: 'after logout',
    revokes: true,
    token: async (v) => {
      expect((await v.transport.logout(v.genuine)).ok).toBe(true);
      return v.genuine;
    },
  },
  {
    name: 'after logoutAll from another session',
    revokes: true,
    token: async (v) => {
      const other = tokenOf(await v.transport.login(v.username, PASSWORD));
      expect((await gql(v.gw.url, ops.logoutAll, {}, other)).data?.logoutAll).toBe(true);
      return v.genuine;
    },
  },
  { name: 'past the refresh window (and expired)', token: (v) => signed(v, issuedAgo(REFRESH_WINDOW_SECONDS + HOUR)) },
  // Well signed (the legacy service holds the secret too), but claims the gateway could not handle.
  { name: 'a fractional iat', token: (v) => signed(v, { iat: nowSeconds() - 0.5 }) },
  { name: 'exp 1e20', token: (v) => signed(v, { exp: 1e20 }) },
  { name: 'iat ten years ahead', token: (v) => signed(v, { iat: nowSeconds() + 10 * 365 * 24 * HOUR }) },
  { name: 'a 20-digit sub', token: (v) => signed(v, { sub: '9'.repeat(20) }) },
  { name: 'a sub past 2^53', token: (v) => signed(v, { sub: '9007199254740993' }) },
  { name: 'ver not an integer', token: (v) => signed(v, { ver: 0.5 }) },
  {
    name: 'an unknown crit header',
    token: (v) =>
      jwt.sign(claimsOf(v.genuine), TEST_JWT_SECRET, {
        algorithm: 'HS256',
        header: { alg: 'HS256', typ: 'JWT', crit: ['exp-policy'], 'exp-policy': 'lenient' } as jwt.JwtHeader,
      }),
  },
];

const verdict = (outcome: Outcome) => (outcome.ok ? 'ok' : outcome.code);

describe('JWT attacks, on both transports', () => {
  const gw = useGateway();

  let victims = 0;
  async function victimOn(transport: Transport): Promise<Victim> {
    const username = `victim${String(++victims).padStart(3, '0')}`;
    const sub = String(await insertUser(gw().db, username));
    return { username, sub, genuine: tokenOf(await transport.login(username, PASSWORD)), transport, gw: gw() };
  }

  describe.each([
    ['GraphQL', graphqlTransport],
    ['REST', restTransport],
  ] as const)('%s', (_transport, transportTo) => {
    it.each(ATTACKS.map((attack) => [attack.name, attack] as const))('%s: refused', async (_name, attack) => {
      const t = transportTo(gw().url);
      const victim = await victimOn(t);
      const token = await attack.token(victim);
      // Refresh last: were it to succeed, it would revoke the token for the calls after it.
      const seen = {
        me: verdict(await t.me(token)),
        logout: verdict(await t.logout(token)),
        refresh: verdict(await t.refresh(token)),
      };
      const refused = 'UNAUTHENTICATED';
      expect(seen).toEqual({ me: refused, logout: refused, refresh: attack.refreshable ? 'ok' : refused });
      expect(verdict(await t.me(victim.genuine)), 'the genuine token afterwards').toBe(attack.revokes ? refused : 'ok');
    });

    it('logs out and refreshes a well-signed token that expires in fifty years', async () => {
      const t = transportTo(gw().url);
      const victim = await victimOn(t);
      const longLived = signed(victim, { exp: nowSeconds() + 50 * 365 * 24 * HOUR });
      expect(verdict(await t.me(longLived))).toBe('ok');
      expect(verdict(await t.refresh(longLived))).toBe('ok');
      const another = signed(victim, { exp: nowSeconds() + 50 * 365 * 24 * HOUR });
      expect(verdict(await t.logout(another))).toBe('ok');
      expect(verdict(await t.me(another))).toBe('UNAUTHENTICATED');
    });

    // jwt-auth never checked `iss`, and the legacy service's tokens carry its own host: the
    // signature vouches for a token, so a well-signed one is accepted whatever its iss.
    it('accepts a token signed with the secret whatever its iss, as jwt-auth did', async () => {
      const t = transportTo(gw().url);
      const victim = await victimOn(t);
      expect(verdict(await t.me(signed(victim, { iss: 'http://store.wutang.com/api/auth/login' })))).toBe('ok');
    });
  });
});
