import { integer, validate } from '../auth/validation.js';
import type { AuthEvent, AuthEventType } from '../db/entities/auth-event.entity.js';
import type { AuditRepository, EventFilter, NewAuthEvent } from '../db/repositories/audit.repository.js';
import type { KeyValueStore } from '../store/store.js';

/** Who an event is about and where the request came from; every part optional. */
export interface EventContext {
  userId?: number | null;
  /** As typed (failed logins), cut to 64 characters. */
  username?: string | null;
  sessionId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  /** What else matters; never a secret. */
  detail?: Record<string, unknown>;
}

/** Who did an administrative operation: an admin over GraphQL, or an operator at the CLI. */
export interface Actor {
  /** The admin's id; null for the CLI. */
  userId: number | null;
  /** The admin's request; none at the CLI. */
  client?: { ip: string; userAgent: string | null };
}

/**
 * The event context of an actor's operation: about `subjectId` when it concerns a user (their
 * audit trail and activity show it), else about the actor; the actor named in the detail.
 */
export function actorContext(actor: Actor, detail: Record<string, unknown> = {}, subjectId?: number): EventContext {
  return {
    userId: subjectId ?? actor.userId,
    ip: actor.client?.ip ?? null,
    userAgent: actor.client?.userAgent ?? null,
    detail: { ...detail, actor: actor.client ? 'admin' : 'cli', ...(subjectId !== undefined && { by: actor.userId }) },
  };
}

export interface AuditSettings {
  retentionDays: number;
}

/** Told of each failed write, for the log and the metrics: the requests it recorded were answered. */
export type WriteFailureListener = (err: unknown, lost: number) => void;

/** The most events one page answers. */
export const MAX_PAGE = 100;
const FLUSH_EVERY_MS = 200;
const FLUSH_AT = 200;
/** More than this waiting (the database down for long) and the oldest are dropped, counted as failures. */
const MAX_PENDING = 10_000;
const PRUNE_BATCH = 1000;
const PRUNE_EVERY_MS = 3_600_000;
const PRUNE_LOCK = 'audit:prune';
const DAY_MS = 86_400_000;

/**
 * The audit log. Events are written after the operation they record, off its path: queued and
 * inserted in batches, so a sign-in waits for no audit row, and a failed write is reported,
 * never thrown at the user's request.
 */
export class AuditLog {
  private pending: NewAuthEvent[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;
  private pruneTimer: NodeJS.Timeout | undefined;
  private readonly failureListeners: WriteFailureListener[] = [];

  constructor(
    private readonly events: AuditRepository,
    private readonly store: KeyValueStore,
    private readonly settings: AuditSettings,
  ) {
    this.timer = setInterval(() => void this.flush(), FLUSH_EVERY_MS).unref();
  }

  record(type: AuthEventType, context: EventContext = {}): void {
    this.pending.push({
      at: new Date(),
      type,
      userId: context.userId ?? null,
      username: context.username?.slice(0, 64) ?? null,
      sessionId: context.sessionId ?? null,
      ip: context.ip ?? null,
      userAgent: context.userAgent ?? null,
      detail: context.detail ?? null,
    });
    if (this.pending.length > MAX_PENDING) this.failed('the audit queue overflowed', this.pending.splice(0, 1).length);
    if (this.pending.length >= FLUSH_AT) void this.flush();
  }

  /** Writes what is queued; resolves once it is in the table (or reported as failed). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      const batch = this.pending.splice(0);
      if (batch.length === 0) return;
      try {
        await this.events.insertMany(batch);
      } catch (err) {
        this.failed(err, batch.length);
      }
    });
    return this.flushing;
  }

  /** Newest first. */
  async find(filter: EventFilter, limit: number): Promise<AuthEvent[]> {
    await this.flush();
    return this.events.find(filter, limit);
  }

  /** A user's own recent events, at most `first` (1 to MAX_PAGE). */
  async activityOf(userId: number, first: unknown): Promise<AuthEvent[]> {
    const { first: limit } = validate({ first: integer('first', 1, MAX_PAGE) }, { first });
    return this.find({ userId }, limit);
  }

  /** Deletes events past the retention in small batches; how many. */
  async prune(retentionDays = this.settings.retentionDays): Promise<number> {
    const before = new Date(Date.now() - retentionDays * DAY_MS);
    let total = 0;
    for (;;) {
      const deleted = await this.events.deleteOlderThan(before, PRUNE_BATCH);
      total += deleted;
      if (deleted < PRUNE_BATCH) return total;
    }
  }

  /**
   * Prunes unless another instance did within the hour: the first to take the lock in the shared
   * store prunes, the others get null. The lock is left to expire, so one instance an hour prunes.
   */
  async pruneOnce(): Promise<number | null> {
    const mine = await this.store.setIfAbsent(PRUNE_LOCK, String(process.pid), PRUNE_EVERY_MS / 1000 - 60);
    return mine ? this.prune() : null;
  }

  /** Prunes every hour, on one instance at a time. */
  schedulePruning(onError: (err: unknown) => void): void {
    this.pruneTimer = setInterval(() => {
      this.pruneOnce().catch(onError);
    }, PRUNE_EVERY_MS).unref();
  }

  onWriteFailure(listener: WriteFailureListener): void {
    this.failureListeners.push(listener);
  }

  private failed(err: unknown, lost: number): void {
    for (const listener of this.failureListeners) listener(err, lost);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.pruneTimer);
    await this.flush();
  }
}
