import { sign } from 'node:crypto';
import type { SigningKey } from '../auth/identity-keys.js';

/** An assertion lives a minute; a service verifies it offline against the JWKS. */
const IDENTITY_TOKEN_SECONDS = 60;

export interface Identity {
  sub: string;
  username: string;
  role: string;
  sid: string;
}

export interface IdentitySettings {
  key: SigningKey;
  audience: string;
  issuer: string;
}

const segment = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Signs identity assertions with node:crypto: a header encoded once, one JSON payload and one
 * EdDSA or ES256 signature per answer, with none of a JOSE library's per-call key handling.
 */
export function identitySigner({ key, audience, issuer }: IdentitySettings): (identity: Identity) => string {
  const header = segment({ alg: key.alg, typ: 'JWT', kid: key.kid });
  // ES256 is the raw r‖s pair (RFC 7518 §3.4), not node's default DER.
  const signingKey = key.alg === 'ES256' ? { key: key.privateKey, dsaEncoding: 'ieee-p1363' as const } : key.privateKey;
  const digest = key.alg === 'ES256' ? 'sha256' : null;
  return (identity) => {
    const iat = Math.floor(Date.now() / 1000);
    const input = `${header}.${segment({ iss: issuer, aud: audience, iat, exp: iat + IDENTITY_TOKEN_SECONDS, ...identity })}`;
    return `${input}.${sign(digest, Buffer.from(input), signingKey).toString('base64url')}`;
  };
}
