/**
 * The `me` work of the gateway (HS256 verify, one Redis GET for the revocation, the user by id)
 * with jsonwebtoken, ioredis and mysql2 and nothing else, for the reference servers. Configured
 * through the gateway's own variables.
 */
import { createSecretKey } from 'node:crypto';
import { Redis } from 'ioredis';
import jwt, { type JwtPayload } from 'jsonwebtoken';
import mysql, { type RowDataPacket } from 'mysql2/promise';

export function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

const USER_BY_ID =
  'SELECT id, name, username, email, email_verified_at, phone, invitation_code, status, token_version, ' +
  'role, created_at, updated_at FROM users WHERE id = ? LIMIT 1';

export function meWork() {
  // jsonwebtoken would rebuild a KeyObject from a string secret on every verify.
  const key = createSecretKey(Buffer.from(required('JWT_SECRET')));
  const prefix = process.env.REDIS_KEY_PREFIX ?? 'storegate:';
  const redis = new Redis(required('REDIS_URL'));
  const pool = mysql.createPool({
    uri: required('DATABASE_URL'),
    connectionLimit: Number(process.env.DB_POOL_MAX ?? 10),
  });

  /** The user of a valid, unrevoked token of the current version, or null. */
  async function currentUser(authorization: string | undefined): Promise<Record<string, unknown> | null> {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    if (!token) return null;
    let claims: JwtPayload;
    try {
      claims = jwt.verify(token, key, { algorithms: ['HS256'] }) as JwtPayload;
    } catch {
      return null;
    }
    const [revoked, [rows]] = await Promise.all([
      redis.get(`${prefix}revoked:${claims.jti}`),
      pool.query<RowDataPacket[]>(USER_BY_ID, [Number(claims.sub)]),
    ]);
    const user = rows[0];
    if (revoked !== null || !user || user.status !== 1 || user.token_version !== (claims.ver ?? 0)) return null;
    const { token_version: _version, ...visible } = user;
    return visible;
  }

  async function close(): Promise<void> {
    redis.disconnect();
    await pool.end();
  }

  return { currentUser, close };
}
