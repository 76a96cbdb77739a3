/** The claims jwt-auth 1.0 writes, plus storegate's `ver` (the user's token_version) and `sid`. */
export interface TokenClaims {
  iss: string;
  iat: number;
  nbf: number;
  exp: number;
  jti: string;
  sub: string;
  prv?: string;
  ver?: number;
  sid?: string;
}

/** How far ahead of this clock another instance's (or the legacy service's) clock may run. */
const CLOCK_SKEW_SECONDS = 60;

const isTime = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
const isText = (value: unknown): value is string => typeof value === 'string' && value.length > 0;
/** A user id as a string: digits, no leading zero, within what a JavaScript number holds exactly. */
const isUserId = (value: unknown): value is string =>
  typeof value === 'string' && /^[1-9]\d{0,15}$/.test(value) && Number.isSafeInteger(Number(value));

/**
 * The claims of a token whose signature was verified, if they are ones the gateway can handle
 * in every operation: integer times, an `iat` not from the future, a user id that survives the
 * trip through a number, and the configured `prv`. Anything else is no token of ours.
 */
export function wellFormedClaims(payload: unknown, prv: string, now: number): TokenClaims | null {
  if (payload === null || typeof payload !== 'object') return null;
  const claims = payload as Partial<Record<keyof TokenClaims, unknown>>;
  const valid =
    isText(claims.iss) &&
    isText(claims.jti) &&
    isUserId(claims.sub) &&
    isTime(claims.iat) &&
    isTime(claims.nbf) &&
    isTime(claims.exp) &&
    claims.iat <= now + CLOCK_SKEW_SECONDS &&
    (claims.prv === undefined || claims.prv === prv) &&
    (claims.ver === undefined || Number.isSafeInteger(claims.ver)) &&
    (claims.sid === undefined || isText(claims.sid));
  return valid ? (claims as TokenClaims) : null;
}
