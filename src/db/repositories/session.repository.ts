import { type MikroORM, raw, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { type RevocationReason, Session } from '../entities/session.entity.js';
import { guarded } from '../outage.js';

/** Where a request came from, cut to the columns' sizes. */
export interface Origin {
  ip: string;
  userAgent: string | null;
}

export interface NewSession {
  id: string;
  userId: number;
  expiresAt: Date;
  currentJti: string;
  /** A legacy token's first refresh opens its session: the token it traded. */
  previousJti?: string;
  revokedReason?: RevocationReason;
}

/** A revoked session, as the shared store needs it restored. */
export interface RevokedSession {
  id: string;
  expiresAt: Date;
}

/** The token a live session's last refresh traded, as the shared store needs it restored. */
export interface TradedToken {
  sessionId: string;
  sessionExpiresAt: Date;
  jti: string;
  tradedAt: Date;
}

export interface Rotation {
  sessionId: string;
  userId: number;
  fromJti: string;
  toJti: string;
}

/** What an admin sees of a user's sessions. */
export interface SessionStats {
  /** Sessions that can still be used. */
  live: number;
  /** The newest sign-in, revoked or not; null when the user never signed in through storegate. */
  lastSignInAt: Date | null;
}

/** A DATETIME as the driver answers an aggregate of one: a Date (MySQL), a number or a string (SQLite). */
const dateOfAggregate = (value: unknown): Date | null =>
  value === null || value === undefined ? null : value instanceof Date ? value : new Date(value as string | number);

/** The `sessions` table. */
export class SessionRepository {
  constructor(private readonly orm: MikroORM) {}

  /** Inserts a session; false when one with the id exists already (opened or revoked by a racing request). */
  insert(session: NewSession, origin: Origin): Promise<boolean> {
    return guarded(async () => {
      const now = new Date();
      const { revokedReason, previousJti, ...fields } = session;
      // One INSERT, without a unit of work (and its transaction) for a row nothing reads back.
      const row = {
        ...fields,
        createdAt: now,
        lastUsedAt: now,
        ip: origin.ip,
        userAgent: origin.userAgent,
        lastIp: origin.ip,
        lastUserAgent: origin.userAgent,
        previousJti: previousJti ?? null,
        rotatedAt: previousJti ? now : null,
        revokedAt: revokedReason ? now : null,
        revokedReason: revokedReason ?? null,
      };
      try {
        await this.orm.em.fork().insert(Session, row);
        return true;
      } catch (err) {
        if (err instanceof UniqueConstraintViolationException) return false;
        throw err;
      }
    });
  }

  find(id: string): Promise<Session | null> {
    return guarded(() => this.orm.em.fork().findOne(Session, { id }));
  }

  /**
   * Trades the session's current token for the next one in a single conditional update: of
   * concurrent refreshes of one token exactly one sees its token still current and wins.
   */
  rotate({ sessionId, userId, fromJti, toJti }: Rotation, origin: Origin): Promise<boolean> {
    return guarded(async () => {
      const now = new Date();
      const changed = await this.orm.em.fork().nativeUpdate(
        Session,
        { id: sessionId, userId, currentJti: fromJti, revokedAt: null, expiresAt: { $gt: now } },
        {
          currentJti: toJti,
          previousJti: fromJti,
          rotatedAt: now,
          lastUsedAt: now,
          lastIp: origin.ip,
          lastUserAgent: origin.userAgent,
        },
      );
      return changed === 1;
    });
  }

  /** Marks a live session revoked; false when it was revoked already (or never existed). */
  revoke(id: string, reason: RevocationReason): Promise<boolean> {
    return guarded(async () => {
      const changed = await this.orm.em
        .fork()
        .nativeUpdate(Session, { id, revokedAt: null }, { revokedAt: new Date(), revokedReason: reason });
      return changed === 1;
    });
  }

  /** The user's live sessions (but one, when `except` is given), as revocations need them. */
  liveOf(userId: number, except?: string): Promise<RevokedSession[]> {
    return guarded(async () => {
      const live = await this.orm.em
        .fork()
        .find(
          Session,
          { userId, revokedAt: null, expiresAt: { $gt: new Date() }, ...(except && { id: { $ne: except } }) },
          { fields: ['id', 'expiresAt'] },
        );
      return live.map(({ id, expiresAt }) => ({ id, expiresAt }));
    });
  }

  /** Live session counts and last sign-ins of some users, in one grouped query over the user index. */
  statsOf(userIds: readonly number[]): Promise<ReadonlyMap<number, SessionStats>> {
    return guarded(async () => {
      if (userIds.length === 0) return new Map();
      const em = this.orm.em.fork() as SqlEntityManager;
      const ofUsers = { userId: { $in: [...userIds] } };
      const perUser = (aggregate: string, where: object) =>
        em
          .createQueryBuilder(Session)
          .select(['userId', raw(`${aggregate} as value`)])
          .where(where)
          .groupBy('userId')
          .execute<{ userId: number | string; value: unknown }[]>('all');
      const [live, last] = await Promise.all([
        perUser('count(*)', { ...ofUsers, revokedAt: null, expiresAt: { $gt: new Date() } }),
        perUser('max(created_at)', ofUsers),
      ]);
      const liveOf = new Map(live.map((row) => [Number(row.userId), Number(row.value)]));
      const lastOf = new Map(last.map((row) => [Number(row.userId), dateOfAggregate(row.value)]));
      return new Map(userIds.map((id) => [id, { live: liveOf.get(id) ?? 0, lastSignInAt: lastOf.get(id) ?? null }]));
    });
  }

  /** Marks those of the sessions still live revoked; how many. */
  revokeMany(ids: readonly string[], reason: RevocationReason): Promise<number> {
    return guarded(() =>
      this.orm.em
        .fork()
        .nativeUpdate(
          Session,
          { id: { $in: [...ids] }, revokedAt: null },
          { revokedAt: new Date(), revokedReason: reason },
        ),
    );
  }

  /** The user's sessions that can still be used, newest first. */
  listLive(userId: number): Promise<Session[]> {
    return guarded(() =>
      this.orm.em
        .fork()
        .find(Session, { userId, revokedAt: null, expiresAt: { $gt: new Date() } }, { orderBy: { createdAt: 'desc' } }),
    );
  }

  /** Revoked sessions that could still be used but for their revocation, in pages (keyset on id). */
  revokedUnexpired(afterId: string, limit: number): Promise<RevokedSession[]> {
    return guarded(async () => {
      const rows = await this.orm.em
        .fork()
        .find(
          Session,
          { revokedAt: { $ne: null }, expiresAt: { $gt: new Date() }, id: { $gt: afterId } },
          { fields: ['id', 'expiresAt'], orderBy: { id: 'asc' }, limit },
        );
      return rows.map(({ id, expiresAt }) => ({ id, expiresAt }));
    });
  }

  /**
   * The token each live session last traded, where the trade is recent enough (since `since`)
   * for that token to be unexpired, in pages (keyset on id). Tokens traded before it are not kept.
   */
  lastTraded(since: Date, afterId: string, limit: number): Promise<TradedToken[]> {
    return guarded(async () => {
      const rows = await this.orm.em.fork().find(
        Session,
        {
          revokedAt: null,
          expiresAt: { $gt: new Date() },
          previousJti: { $ne: null },
          rotatedAt: { $gte: since },
          id: { $gt: afterId },
        },
        { fields: ['id', 'expiresAt', 'previousJti', 'rotatedAt'], orderBy: { id: 'asc' }, limit },
      );
      return rows.map((row) => ({
        sessionId: row.id,
        sessionExpiresAt: row.expiresAt,
        jti: row.previousJti as string,
        tradedAt: row.rotatedAt as Date,
      }));
    });
  }
}
