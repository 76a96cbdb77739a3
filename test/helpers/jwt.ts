import { randomInt } from 'node:crypto';
import jwt from 'jsonwebtoken';

export const LEGACY_PRV = '23bd5c8949f600adb39e701c400872db7a5976f7';

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A jti as jwt-auth makes them: 16 letters and digits. */
export const randomJti = (): string => Array.from({ length: 16 }, () => ALNUM[randomInt(ALNUM.length)]).join('');

/**
 * Signs a token as the legacy service would (HS256, jwt-auth's claims, no `ver`), valid for an
 * hour from now unless `claims` says otherwise; `undefined` drops a claim.
 */
export function mintToken(secret: string, claims: Record<string, unknown> = {}): string {
  const iat = nowSeconds();
  const payload = Object.fromEntries(
    Object.entries({
      iss: 'http://store.example/api/auth/login',
      iat,
      nbf: iat,
      exp: iat + 3600,
      jti: randomJti(),
      sub: '1',
      prv: LEGACY_PRV,
      ...claims,
    }).filter(([, v]) => v !== undefined),
  );
  // jsonwebtoken would otherwise put back an iat the caller dropped.
  return jwt.sign(payload, secret, { algorithm: 'HS256', noTimestamp: !('iat' in payload) });
}

/** The claims of a token, unverified. */
export function claimsOf(token: string): jwt.JwtPayload {
  return jwt.decode(token, { json: true })!;
}
