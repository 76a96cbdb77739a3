import { createSecretKey, randomBytes, randomInt } from 'node:crypto';
import jwt from 'jsonwebtoken';

const JTI_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const LIFETIME_SECONDS = 4 * 3600;

function randomJti(): string {
  let jti = '';
  for (let i = 0; i < 16; i++) jti += JTI_ALPHABET[randomInt(JTI_ALPHABET.length)];
  return jti;
}

/** A session id as the gateway makes them: 96 random bits, URL-safe. */
export const randomSessionId = (): string => randomBytes(12).toString('base64url');

/**
 * Signs tokens with the claims the gateway writes (jwt-auth's, plus `ver` and `sid`, the session
 * starting now), without a login per token.
 */
export function tokenMinter(secret: string, prv: string, issuer: string) {
  const key = createSecretKey(Buffer.from(secret));
  return (userId: number, sid = randomSessionId(), jti = randomJti()): string => {
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: issuer,
      iat: now,
      nbf: now,
      exp: now + LIFETIME_SECONDS,
      jti,
      sub: String(userId),
      prv,
      ver: 0,
      sid,
    };
    return jwt.sign(claims, key, { algorithm: 'HS256' });
  };
}
