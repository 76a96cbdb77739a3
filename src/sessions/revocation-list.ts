import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RevokedSession, SessionRepository, TradedToken } from '../db/repositories/session.repository.js';
import { AppError } from '../errors.js';
import type { FieldWrite, KeyValueStore } from '../store/store.js';

/** A token as the revocation list sees it: its session, its id and how long it could be used. */
export interface RevocableToken {
  sessionId: string;
  /** Unix seconds: the end of the session's refresh window. */
  sessionExpiresAt: number;
  jti: string;
  /** Unix seconds: until when the token itself could be used were it not revoked. */
  liveUntil: number;
}

export interface Revocation {
  sessionRevoked: boolean;
  /** Unix seconds when a refresh traded the token, or null. */
  tradedAt: number | null;
}

/**
 * Kept in the store as long as it holds what was written: a Redis restarted without persistence,
 * failed over to an empty replica or flushed has lost it, and with it every revocation.
 */
const MARKER = 'rv:intact';
const RESTORE_LOCK = 'rv:restoring';
const RESTORE_LOCK_SECONDS = 60;
const RESTORE_PAGE = 1000;
const RESTORE_POLL_MS = 200;

/**
 * Revocations are fields of hashes grouped by when their sessions end (ten-minute slots) and by
 * session (sixteen shards): a session's revocation and its traded tokens share one hash, so one
 * command reads both, and a revocation costs tens of bytes instead of a key's hundred and more.
 */
const SLOT_SECONDS = 600;
const SHARDS = 16;

const sessionField = (sessionId: string) => `s${sessionId}`;
const tokenField = (jti: string) => `t${jti}`;

function bucketOf(sessionId: string, sessionExpiresAt: number): { key: string; end: number } {
  const slot = Math.ceil(sessionExpiresAt / SLOT_SECONDS);
  const shard = sessionId.charCodeAt(0) % SHARDS;
  return { key: `rv:${slot.toString(36)}:${shard.toString(16)}`, end: slot * SLOT_SECONDS };
}

/** A revoked session, kept until its end, or until a token of it that outlives that (a legacy one) expires. */
function sessionRevocation(session: RevokedSession, liveUntil = 0): FieldWrite {
  const expiresAt = Math.floor(session.expiresAt.getTime() / 1000);
  const { key, end } = bucketOf(session.id, expiresAt);
  return { key, field: sessionField(session.id), value: '1', keepUntil: Math.max(end, liveUntil) };
}

/** The token a refresh traded: when (base 36 unix seconds), kept while its session, or the token, can be used. */
function tradedMark(token: TradedToken, tokenTtlSeconds: number): FieldWrite {
  const tradedAt = Math.floor(token.tradedAt.getTime() / 1000);
  const { key, end } = bucketOf(token.sessionId, Math.floor(token.sessionExpiresAt.getTime() / 1000));
  // The token was issued before its trade, so it expires within a token lifetime of it.
  return {
    key,
    field: tokenField(token.jti),
    value: tradedAt.toString(36),
    keepUntil: Math.max(end, tradedAt + tokenTtlSeconds),
  };
}

/**
 * The revoked sessions and traded tokens, in the shared store so every instance sees them at
 * once, for exactly as long as they could otherwise be used. Revoked sessions are also in the
 * table, and so is each live session's last traded token: when the store turns out to have lost
 * them, they are restored from it, and no token is accepted meanwhile.
 */
export class RevocationList {
  private recovery: Promise<void> | null = null;

  constructor(
    private readonly store: KeyValueStore,
    private readonly sessions: SessionRepository,
    /** JWT_TTL in seconds: how long a traded token could be used but for its trade. */
    private readonly tokenTtlSeconds: number,
  ) {}

  /** One round trip: the token's session and the token itself. SERVICE_UNAVAILABLE while the store is being restored. */
  async check(token: RevocableToken): Promise<Revocation> {
    const { key } = bucketOf(token.sessionId, token.sessionExpiresAt);
    const fields = [sessionField(token.sessionId), tokenField(token.jti)];
    const { marker, values } = await this.store.readFields(key, fields, MARKER);
    if (marker === null) throw this.lost();
    const [session, traded] = values;
    return { sessionRevoked: session != null, tradedAt: traded == null ? null : Number.parseInt(traded, 36) };
  }

  async revokeSession(sessionId: string, expiresAt: Date, liveUntil?: number): Promise<void> {
    await this.store.writeField(sessionRevocation({ id: sessionId, expiresAt }, liveUntil));
  }

  async revokeSessions(sessions: readonly RevokedSession[]): Promise<void> {
    if (sessions.length) await this.store.writeFields(sessions.map((session) => sessionRevocation(session)));
  }

  /** Notes that a refresh traded the token; false when it was noted already. */
  async markTraded(token: RevocableToken, at: number): Promise<boolean> {
    const { key, end } = bucketOf(token.sessionId, token.sessionExpiresAt);
    const write = {
      key,
      field: tokenField(token.jti),
      value: at.toString(36),
      keepUntil: Math.max(end, token.liveUntil),
    };
    return this.store.writeField(write, { ifAbsent: true });
  }

  /** At start: a store without the marker (new, or emptied while no instance ran) is restored first. */
  async ensureIntact(): Promise<void> {
    if ((await this.store.get(MARKER)) === null) await this.recover();
  }

  private lost(): AppError {
    this.recover().catch(() => {
      // Retried by the next request that finds the marker gone.
    });
    return new AppError('SERVICE_UNAVAILABLE', { cause: 'the shared store lost its revocations: restoring them' });
  }

  /** One recovery at a time in this instance; across instances the lock in the store picks one to write. */
  private recover(): Promise<void> {
    this.recovery ??= this.restoreOnce().finally(() => {
      this.recovery = null;
    });
    return this.recovery;
  }

  private async restoreOnce(): Promise<void> {
    const owner = randomUUID();
    for (;;) {
      if ((await this.store.get(MARKER)) !== null) return;
      if (await this.store.setIfAbsent(RESTORE_LOCK, owner, RESTORE_LOCK_SECONDS)) break;
      await sleep(RESTORE_POLL_MS);
    }
    await this.inPages(
      (after) => this.sessions.revokedUnexpired(after, RESTORE_PAGE),
      (page) => this.revokeSessions(page),
      (session) => session.id,
    );
    // Each live session's last traded token: the table knows no earlier one of its chain.
    const since = new Date(Date.now() - this.tokenTtlSeconds * 1000);
    await this.inPages(
      (after) => this.sessions.lastTraded(since, after, RESTORE_PAGE),
      (page) => this.store.writeFields(page.map((token) => tradedMark(token, this.tokenTtlSeconds))),
      (token) => token.sessionId,
    );
    await this.store.set(MARKER, new Date().toISOString());
  }

  private async inPages<T>(
    read: (afterId: string) => Promise<T[]>,
    write: (page: T[]) => Promise<void>,
    idOf: (row: T) => string,
  ): Promise<void> {
    let after = '';
    for (;;) {
      const page = await read(after);
      if (page.length) await write(page);
      const last = page.at(-1);
      if (!last || page.length < RESTORE_PAGE) return;
      after = idOf(last);
    }
  }
}
