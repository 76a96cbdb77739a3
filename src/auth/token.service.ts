import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { AppError } from '../errors.js';
import type { KeyValueStore } from '../store/store.js';
import { randomString } from './random-string.js';
import { type TokenClaims, wellFormedClaims } from './token-claims.js';

export type { TokenClaims } from './token-claims.js';

export interface IssuedToken {
  token: string;
  claims: TokenClaims;
  /** Lifetime in seconds. */
  expiresIn: number;
}

export interface TokenSettings {
  secret: string;
  ttlMinutes: number;
  refreshTtlMinutes: number;
  graceSeconds: number;
  prv: string;
}

const JTI_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const LOGOUT = 'logout';
const REFRESHED = 'refreshed:';

/** A well-signed token may claim any lifetime; the store keeps nothing longer than ten years. */
const MAX_REVOCATION_SECONDS = 10 * 365 * 24 * 3600;

const now = (): number => Math.floor(Date.now() / 1000);

/**
 * Issues, verifies and revokes HS256 tokens interchangeable with the legacy jwt-auth ones.
 * Revocations live in the shared store until the token could no longer be used or refreshed.
 */
export class TokenService {
  /** jsonwebtoken would rebuild a KeyObject from a string secret on every call. */
  private readonly key: KeyObject;

  constructor(
    private readonly settings: TokenSettings,
    private readonly store: KeyValueStore,
  ) {
    this.key = createSecretKey(Buffer.from(settings.secret));
  }

  get ttlSeconds(): number {
    return this.settings.ttlMinutes * 60;
  }

  issue(userId: number, tokenVersion: number, issuer: string, firstIssuedAt?: number): IssuedToken {
    const time = now();
    const claims: TokenClaims = {
      iss: issuer,
      iat: firstIssuedAt ?? time,
      exp: time + this.ttlSeconds,
      nbf: time,
      jti: randomString(JTI_ALPHABET, 16),
      sub: String(userId),
      prv: this.settings.prv,
      ver: tokenVersion,
    };
    return { token: jwt.sign(claims, this.key, { algorithm: 'HS256' }), claims, expiresIn: this.ttlSeconds };
  }

  /** Checks signature, algorithm, required claims and (unless refreshing) expiry; not revocation. */
  decode(token: string, { allowExpired = false } = {}): TokenClaims {
    let decoded: jwt.Jwt;
    try {
      decoded = jwt.verify(token, this.key, { algorithms: ['HS256'], ignoreExpiration: allowExpired, complete: true });
    } catch (err) {
      throw new AppError('UNAUTHENTICATED', { cause: err });
    }
    // RFC 7515 §4.1.11: a header naming extensions the verifier does not know must be refused.
    const claims =
      decoded.header.crit === undefined ? wellFormedClaims(decoded.payload, this.settings.prv, now()) : null;
    if (!claims) throw new AppError('UNAUTHENTICATED');
    return claims;
  }

  canRefresh(claims: TokenClaims): boolean {
    return claims.iat + this.settings.refreshTtlMinutes * 60 > now();
  }

  /** Rejects a revoked token; one revoked by a refresh passes during the grace period. */
  async assertNotRevoked(claims: TokenClaims): Promise<void> {
    const entry = await this.store.get(this.revocationKey(claims));
    if (entry === null) return;
    if (entry.startsWith(REFRESHED) && now() < Number(entry.slice(REFRESHED.length)) + this.settings.graceSeconds) {
      return;
    }
    throw new AppError('UNAUTHENTICATED');
  }

  /** Revokes for good (logout), overriding a refresh's grace period. */
  async revoke(claims: TokenClaims): Promise<void> {
    await this.store.set(this.revocationKey(claims), LOGOUT, this.revocationTtl(claims));
  }

  /** Revokes for a refresh; false when the token was already revoked, so only one refresh wins. */
  async revokeForRefresh(claims: TokenClaims): Promise<boolean> {
    return this.store.setIfAbsent(this.revocationKey(claims), REFRESHED + now(), this.revocationTtl(claims));
  }

  private revocationKey(claims: TokenClaims): string {
    return `revoked:${claims.jti}`;
  }

  /** Until the token can neither authenticate nor be refreshed. */
  private revocationTtl(claims: TokenClaims): number {
    const end = Math.max(claims.exp, claims.iat + this.settings.refreshTtlMinutes * 60);
    return Math.min(MAX_REVOCATION_SECONDS, Math.max(1, end - now() + 1));
  }
}
