import type { IdentityKey } from '../auth/identity-keys.js';

/** Long enough to spare the gateway, short enough that a rotation shows within minutes. */
export const JWKS_MAX_AGE_SECONDS = 300;

/** The JWK Set (RFC 7517 §5) of the signing key and the retired ones, each key once. */
export function jwksBody(keys: readonly (IdentityKey | undefined)[]): string {
  const byKid = new Map<string, IdentityKey['jwk']>();
  for (const key of keys) if (key && !byKid.has(key.kid)) byKid.set(key.kid, key.jwk);
  return JSON.stringify({ keys: [...byKid.values()] });
}
