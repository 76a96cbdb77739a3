import { createHmac, createSecretKey, type KeyObject, randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { AppError } from '../errors.js';
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
  prv: string;
}

/** The session a token belongs to. */
export interface TokenSession {
  id: string;
  /** Unix seconds: the first token's `iat` plus the refresh window. */
  expiresAt: number;
}

const JTI_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const SESSION_ID_BYTES = 12;

const now = (): number => Math.floor(Date.now() / 1000);

/** A new session id: 96 random bits, URL-safe. */
const newSessionId = (): string => randomBytes(SESSION_ID_BYTES).toString('base64url');

/** Issues and verifies HS256 tokens interchangeable with the legacy jwt-auth ones. */
export class TokenService {
  /** jsonwebtoken would rebuild a KeyObject from a string secret on every call. */
  private readonly key: KeyObject;
  private readonly refreshWindow: number;

  constructor(private readonly settings: TokenSettings) {
    this.key = createSecretKey(Buffer.from(settings.secret));
    this.refreshWindow = settings.refreshTtlMinutes * 60;
  }

  get ttlSeconds(): number {
    return this.settings.ttlMinutes * 60;
  }

  /**
   * A token of the session for the user at their current token version. A session's tokens
   * never outlive it: the last ones of a chain expire with its refresh window.
   */
  issue(user: { id: number; tokenVersion: number }, issuer: string, session: TokenSession): IssuedToken {
    const time = now();
    const exp = Math.min(time + this.ttlSeconds, session.expiresAt);
    const claims: TokenClaims = {
      iss: issuer,
      iat: session.expiresAt - this.refreshWindow,
      exp,
      nbf: time,
      jti: randomString(JTI_ALPHABET, 16),
      sub: String(user.id),
      prv: this.settings.prv,
      ver: user.tokenVersion,
      sid: session.id,
    };
    return { token: jwt.sign(claims, this.key, { algorithm: 'HS256' }), claims, expiresIn: exp - time };
  }

  /** A session starting now. */
  newSession(): TokenSession {
    return { id: newSessionId(), expiresAt: now() + this.refreshWindow };
  }

  /**
   * The session of a token: its `sid`, or for a token of the legacy service (none) one derived
   * from its `jti` with the secret, the same on every instance, so that a logout and a refresh
   * of it racing on two instances meet on one session.
   */
  sessionOf(claims: TokenClaims): TokenSession {
    const id =
      claims.sid ??
      createHmac('sha256', this.key).update(`legacy-session:${claims.jti}`).digest('base64url').slice(0, 16);
    return { id, expiresAt: claims.iat + this.refreshWindow };
  }

  /** Until when (unix seconds) the token could be used or refreshed, were it not revoked. */
  liveUntil(claims: TokenClaims): number {
    return Math.max(claims.exp, claims.iat + this.refreshWindow);
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
    return claims.iat + this.refreshWindow > now();
  }
}
