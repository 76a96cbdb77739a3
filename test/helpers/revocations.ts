import { createHmac } from 'node:crypto';
import { claimsOf } from './jwt.js';
import { redisTtl } from './redis.js';

const REFRESH_WINDOW_SECONDS = 20160 * 60;
/** The store's layout of revocations, pinned here: ten-minute slots of session ends, sixteen shards. */
const SLOT_SECONDS = 600;

/** The session of a token: its sid, or the one a legacy token's jti derives. */
export function sessionIdOf(token: string, secret: string): string {
  const { sid, jti } = claimsOf(token);
  return sid ?? createHmac('sha256', secret).update(`legacy-session:${jti}`).digest('base64url').slice(0, 16);
}

/** The hash holding a token's session revocation, and when its slot ends. */
export function revocationBucket(token: string, secret: string): { key: string; slotEnd: number } {
  const sessionId = sessionIdOf(token, secret);
  const slot = Math.ceil((claimsOf(token).iat! + REFRESH_WINDOW_SECONDS) / SLOT_SECONDS);
  const shard = sessionId.charCodeAt(0) % 16;
  return { key: `rv:${slot.toString(36)}:${shard.toString(16)}`, slotEnd: slot * SLOT_SECONDS };
}

/** Seconds the Redis hash holding the token's revocations has left to live. */
export function revocationTtl(token: string, secret: string, prefix: string): Promise<number> {
  return redisTtl(`${prefix}${revocationBucket(token, secret).key}`);
}
