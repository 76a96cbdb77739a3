import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** The `prv` jwt-auth 1.0 writes and checks for the legacy user model. */
const LEGACY_PRV = createHash('sha1').update('App\\Models\\User').digest('hex');
const REQUIRED_CLAIMS = ['iss', 'iat', 'exp', 'nbf', 'sub', 'jti'] as const;

/** Why jwt-auth would refuse a token, or null when it accepts it. */
export type JwtAuthVerdict =
  | null
  | 'malformed'
  | 'signature'
  | 'claims'
  | 'expired'
  | 'not yet valid'
  | 'future iat'
  | 'subject'
  | 'blacklisted';

/**
 * The legacy service's token check, as tymon/jwt-auth 1.0 does it: HS256 with the shared secret
 * (the header's algorithm must be it), the required claims, `exp` in the future, `nbf` and `iat`
 * not, `prv` (when present) the user model's, and its blacklist: a jti noted with a `valid_until`
 * (now + its grace period at the logout or refresh) that has passed. Other claims (`ver`,
 * `sid`) it ignores, as jwt-auth does.
 */
export class JwtAuthVerifier {
  /** jti → valid_until (unix seconds), as jwt-auth keeps it in Laravel's cache. */
  private readonly blacklist = new Map<string, number>();

  constructor(
    private readonly secret: string,
    private readonly graceSeconds = 0,
    private readonly now = () => Math.floor(Date.now() / 1000),
  ) {}

  verify(token: string): JwtAuthVerdict {
    const parts = token.split('.');
    if (parts.length !== 3) return 'malformed';
    const [header, payload, signature] = parts as [string, string, string];
    let head: Record<string, unknown>;
    let claims: Record<string, unknown>;
    try {
      head = JSON.parse(Buffer.from(header, 'base64url').toString());
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    } catch {
      return 'malformed';
    }
    const expected = createHmac('sha256', this.secret).update(`${header}.${payload}`).digest();
    const given = Buffer.from(signature, 'base64url');
    if (head.alg !== 'HS256' || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return 'signature';
    }
    if (REQUIRED_CLAIMS.some((claim) => claims[claim] === undefined || claims[claim] === null)) return 'claims';
    const now = this.now();
    const [iat, nbf, exp] = [claims.iat, claims.nbf, claims.exp].map(Number) as [number, number, number];
    if (![iat, nbf, exp].every(Number.isFinite)) return 'claims';
    if (exp < now) return 'expired';
    if (nbf > now) return 'not yet valid';
    if (iat > now) return 'future iat';
    if (claims.prv !== undefined && claims.prv !== LEGACY_PRV) return 'subject';
    const validUntil = this.blacklist.get(String(claims.jti));
    if (validUntil !== undefined && validUntil <= now) return 'blacklisted';
    return null;
  }

  /** The legacy logout (and refresh): the token's jti blacklisted, after the grace period. */
  invalidate(token: string): void {
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    this.blacklist.set(String(claims.jti), this.now() + this.graceSeconds);
  }
}
