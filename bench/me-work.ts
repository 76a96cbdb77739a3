/**
 * The gateway's token check with jsonwebtoken, ioredis and mysql2 and nothing else, for the
 * reference servers: the same claims checks, the same one-round-trip revocation read (the same
 * Lua script on the same bucketed hashes), the same user row by a prepared statement in the
 * same session time zone, the same status and version checks. Configured through the gateway's
 * own variables, with the gateway's defaults.
 */
import { createHmac, createSecretKey } from 'node:crypto';
import { Redis } from 'ioredis';
import jwt from 'jsonwebtoken';
import mysql from 'mysql2';

export function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

const setting = (name: string, fallback: string) => process.env[name] || fallback;

/** The user's row as an array (rowsAsArray: no object per row), in USER_BY_ID's column order. */
export type UserRow = [
  id: number,
  name: string,
  username: string,
  email: string | null,
  emailVerifiedAt: string | null,
  phone: string | null,
  invitationCode: string,
  status: number,
  tokenVersion: number,
  role: string,
  createdAt: string | null,
  updatedAt: string | null,
];

const USER_BY_ID =
  'SELECT id, name, username, email, email_verified_at, phone, invitation_code, status, token_version, role, ' +
  'created_at, updated_at FROM users WHERE id = ?';

/** The gateway's (src/store/redis.store.ts): the marker key, then fields of the hash. */
const READ_FIELDS = `
local values = redis.call('HMGET', KEYS[2], unpack(ARGV))
return { redis.call('GET', KEYS[1]), values }`;

/** The gateway's key that says the store still holds every revocation (src/sessions/revocation-list.ts). */
export const MARKER_KEY = 'rv:intact';

/** The gateway's bucketing of revocations (src/sessions/revocation-list.ts). */
const SLOT_SECONDS = 600;
const SHARDS = 16;

const USER_ID = /^[1-9]\d{0,15}$/;
const CLOCK_SKEW_SECONDS = 60;
const isTime = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
const isText = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

interface Claims {
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

export interface Caller {
  user: UserRow;
  sessionId: string;
}

/** A failed check: 401, or 503 when the store has lost its revocations. */
export class Refused {
  constructor(readonly status: 401 | 503) {}
}
const UNAUTHENTICATED = new Refused(401);
const UNAVAILABLE = new Refused(503);

interface Scripts {
  sgReadFields(marker: string, key: string, ...fields: string[]): Promise<[string | null, (string | null)[]]>;
}

export function meWork() {
  // jsonwebtoken would rebuild a KeyObject from a string secret on every verify.
  const key = createSecretKey(Buffer.from(required('JWT_SECRET')));
  const prv = setting('LEGACY_JWT_PRV', '23bd5c8949f600adb39e701c400872db7a5976f7');
  const refreshWindow = Number(setting('JWT_REFRESH_TTL', '20160')) * 60;
  const graceSeconds = Number(setting('JWT_BLACKLIST_GRACE_PERIOD', '0'));
  const prefix = setting('REDIS_KEY_PREFIX', 'storegate:');
  const marker = prefix + MARKER_KEY;
  const sessionZone = setting('DB_SESSION_TIMEZONE', setting('DB_TIMEZONE', '+08:00'));

  const redis = new Redis(required('REDIS_URL'));
  redis.defineCommand('sgReadFields', { numberOfKeys: 2, lua: READ_FIELDS });
  const scripts = redis as unknown as Scripts;
  const pool = mysql.createPool({
    uri: required('DATABASE_URL'),
    connectionLimit: Number(setting('DB_POOL_MAX', '10')),
    dateStrings: true,
    rowsAsArray: true,
  });
  // TIMESTAMP columns are read in the session's zone: the gateway's, so the text is the same.
  if (sessionZone !== 'server') {
    pool.on('connection', (connection) =>
      connection.query('SET time_zone = ?', [sessionZone === 'Z' ? '+00:00' : sessionZone]),
    );
  }

  const userById = (id: number) =>
    new Promise<UserRow | undefined>((resolve, reject) => {
      pool.execute<UserRow[] & mysql.RowDataPacket[]>(USER_BY_ID, [id], (err, rows) =>
        err ? reject(err) : resolve(rows[0]),
      );
    });

  /** The claims of a well-formed token of ours (the gateway's token-claims.ts), or null. */
  function claimsOf(token: string): Claims | null {
    let decoded: jwt.Jwt;
    try {
      decoded = jwt.verify(token, key, { algorithms: ['HS256'], complete: true });
    } catch {
      return null;
    }
    if (decoded.header.crit !== undefined) return null;
    const c = decoded.payload as Partial<Record<keyof Claims, unknown>>;
    const ok =
      isText(c.iss) &&
      isText(c.jti) &&
      typeof c.sub === 'string' &&
      USER_ID.test(c.sub) &&
      isTime(c.iat) &&
      isTime(c.nbf) &&
      isTime(c.exp) &&
      c.iat <= Math.floor(Date.now() / 1000) + CLOCK_SKEW_SECONDS &&
      (c.prv === undefined || c.prv === prv) &&
      (c.ver === undefined || Number.isSafeInteger(c.ver)) &&
      (c.sid === undefined || isText(c.sid));
    return ok ? (c as Claims) : null;
  }

  /** The caller of a valid, unrevoked token of a live session, enabled and at its token version; or a Refused. */
  async function caller(authorization: string | undefined): Promise<Caller> {
    const token = authorization && /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
    const claims = token ? claimsOf(token) : null;
    if (!claims) throw UNAUTHENTICATED;
    const sessionId =
      claims.sid ?? createHmac('sha256', key).update(`legacy-session:${claims.jti}`).digest('base64url').slice(0, 16);
    const slot = Math.ceil((claims.iat + refreshWindow) / SLOT_SECONDS);
    const bucket = `${prefix}rv:${slot.toString(36)}:${(sessionId.charCodeAt(0) % SHARDS).toString(16)}`;
    const [user, [markerValue, [session, traded]]] = await Promise.all([
      userById(Number(claims.sub)),
      scripts.sgReadFields(marker, bucket, `s${sessionId}`, `t${claims.jti}`),
    ]);
    if (markerValue === null) throw UNAVAILABLE;
    if (session != null) throw UNAUTHENTICATED;
    if (traded != null && Math.floor(Date.now() / 1000) >= Number.parseInt(traded, 36) + graceSeconds) {
      throw UNAUTHENTICATED;
    }
    if (user?.[7] !== 1 || user[8] !== (claims.ver ?? 0)) throw UNAUTHENTICATED;
    return { user, sessionId };
  }

  async function close(): Promise<void> {
    redis.disconnect();
    await new Promise<void>((resolve) => pool.end(() => resolve()));
  }

  return { caller, close };
}
