import type { MikroORM } from '@mikro-orm/core';
import { AuthEvent, type AuthEventType } from '../entities/auth-event.entity.js';
import { guarded } from '../outage.js';

export type NewAuthEvent = Omit<AuthEvent, 'id'>;

export interface EventFilter {
  userId?: number;
  type?: AuthEventType;
  since?: Date;
  /** Only events older than this id (the page before). */
  beforeId?: number;
}

/** The `auth_events` table. */
export class AuditRepository {
  constructor(private readonly orm: MikroORM) {}

  async insertMany(events: readonly NewAuthEvent[]): Promise<void> {
    // One multi-row INSERT, without a unit of work (and its transaction).
    await guarded(() => this.orm.em.fork().insertMany(AuthEvent, [...events]));
  }

  /** Newest first, `limit` of them, each filter served by an index. */
  find({ userId, type, since, beforeId }: EventFilter, limit: number): Promise<AuthEvent[]> {
    return guarded(() =>
      this.orm.em.fork().find(
        AuthEvent,
        {
          ...(userId !== undefined && { userId }),
          ...(type && { type }),
          ...(since && { at: { $gte: since } }),
          ...(beforeId !== undefined && { id: { $lt: beforeId } }),
        },
        { orderBy: { id: 'desc' }, limit },
      ),
    );
  }

  /** Deletes up to `limit` events older than `before`; how many it deleted. */
  deleteOlderThan(before: Date, limit: number): Promise<number> {
    return guarded(async () => {
      const em = this.orm.em.fork();
      const old = await em.find(AuthEvent, { at: { $lt: before } }, { fields: ['id'], orderBy: { id: 'asc' }, limit });
      if (old.length === 0) return 0;
      return em.nativeDelete(AuthEvent, { id: { $in: old.map((event) => event.id) } });
    });
  }
}
