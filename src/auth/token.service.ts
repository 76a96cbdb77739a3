import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { AppError } from '../errors.js';
import type { KeyValueStore } from '../store/store.js';
import { randomString } from './random-string.js';

/** The claims jwt-auth 1.0 writes, plus storegate's `ver` (the user's token_version). */
export interface TokenClaims {
  iss: string;
  iat: number;
  nbf: number;
  exp: number;
  jti: string;
  sub: string;
  prv?: string;
  ver?: number;
}

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
const REQUIRED_CLAIMS = ['iss', 'iat', 'nbf', 'exp', 'jti', 'sub'] as const;
const LOGOUT = 'logout';
const REFRESHED = 'refreshed:';

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
    let payload: unknown;
    try {
      payload = jwt.verify(token, this.key, { algorithms: ['HS256'], ignoreExpiration: allowExpired });
    } catch (err) {
      throw new AppError('UNAUTHENTICATED', { cause: err });
    }
    const claims = payload as Partial<Record<keyof TokenClaims, unknown>>;
    const wellFormed =
      REQUIRED_CLAIMS.every((c) => claims[c] !== undefined && claims[c] !== null) &&
      typeof claims.sub === 'string' &&
      /^[1-9]\d{0,19}$/.test(claims.sub) &&
      typeof claims.jti === 'string' &&
      typeof claims.iat === 'number' &&
      typeof claims.exp === 'number' &&
      (claims.prv === undefined || claims.prv === this.settings.prv) &&
      (claims.ver === undefined || Number.isInteger(claims.ver));
    if (!wellFormed) throw new AppError('UNAUTHENTICATED');
    return claims as TokenClaims;
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
    return Math.max(1, end - now() + 1);
  }
}
