/**
 * The baseline: the `me` work of the gateway (HS256 verify, one Redis GET for the revocation,
 * the user by id) on bare node:http with nothing else, so the gateway's ratio to it is its own
 * overhead. Configured through the same variables as the gateway, plus PORT.
 */
import { createSecretKey } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import { Redis } from 'ioredis';
import jwt, { type JwtPayload } from 'jsonwebtoken';
import mysql, { type RowDataPacket } from 'mysql2/promise';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

// jsonwebtoken would rebuild a KeyObject from a string secret on every verify.
const key = createSecretKey(Buffer.from(required('JWT_SECRET')));
const prefix = process.env.REDIS_KEY_PREFIX ?? 'storegate:';
const redis = new Redis(required('REDIS_URL'));
const pool = mysql.createPool({ uri: required('DATABASE_URL'), connectionLimit: Number(process.env.DB_POOL_MAX ?? 10) });

const USER_BY_ID =
  'SELECT id, name, username, email, email_verified_at, phone, invitation_code, status, token_version, ' +
  'role, created_at, updated_at FROM users WHERE id = ? LIMIT 1';

async function currentUser(authorization: string | undefined): Promise<object | null> {
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

function send(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

const server = createServer((req, res) => {
  currentUser(req.headers.authorization).then(
    (user) => (user ? send(res, 200, user) : send(res, 401, { message: 'Unauthenticated.' })),
    () => send(res, 500, { message: 'Server Error' }),
  );
});

server.listen(Number(required('PORT')), '127.0.0.1');
process.once('SIGTERM', () => {
  server.close();
  redis.disconnect();
  void pool.end().finally(() => process.exit(0));
});
