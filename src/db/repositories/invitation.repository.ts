import { type EntityManager, type MikroORM, raw } from '@mikro-orm/core';
import { InvitationCode, InvitationStatus } from '../entities/invitation-code.entity.js';
import { guarded } from '../outage.js';

export interface NewInvitation {
  code: string;
  usageLimit: number;
  validUntil: Date | null;
  creatorId: number | null;
}

/** The usable rows: enabled, not expired, uses left. */
const usableAt = (now: Date) => ({
  status: InvitationStatus.Usable,
  usageTimes: { $lt: raw<InvitationCode, number>('usage_limit') },
  $or: [{ validUntil: null }, { validUntil: { $gt: now } }],
});

/** The `invitation_codes` table. */
export class InvitationRepository {
  constructor(private readonly orm: MikroORM) {}

  insert(invitations: readonly NewInvitation[]): Promise<InvitationCode[]> {
    return guarded(async () => {
      const em = this.orm.em.fork();
      const rows = invitations.map(({ creatorId, ...fields }) =>
        em.create(InvitationCode, { ...fields, userId: creatorId }),
      );
      await em.flush();
      return rows;
    });
  }

  list(): Promise<InvitationCode[]> {
    return guarded(() => this.orm.em.fork().find(InvitationCode, {}, { orderBy: { id: 'asc' } }));
  }

  /** The newest code made by the system (no creator), enabled, never used and with an expiry ahead. */
  findUnusedSystemCode(): Promise<InvitationCode | null> {
    return guarded(() =>
      this.orm.em
        .fork()
        .findOne(
          InvitationCode,
          { userId: null, status: InvitationStatus.Usable, usageTimes: 0, validUntil: { $gt: new Date() } },
          { orderBy: { id: 'desc' } },
        ),
    );
  }

  /** Disables every row with the code; how many there were. */
  disable(code: string): Promise<number> {
    return guarded(() =>
      this.orm.em
        .fork()
        .nativeUpdate(InvitationCode, { code }, { status: InvitationStatus.Disabled, updatedAt: new Date() }),
    );
  }

  /**
   * Takes one use of a code inside the caller's transaction with a single conditional update, so
   * concurrent registrations cannot overdraw it. Legacy rows may repeat a code: the oldest usable
   * one gives the use. False when no row could.
   */
  static async takeUse(em: EntityManager, code: string): Promise<boolean> {
    const now = new Date();
    const usable = usableAt(now);
    const candidate = await em.findOne(InvitationCode, { code, ...usable }, { orderBy: { id: 'asc' }, fields: ['id'] });
    if (!candidate) return false;
    // The conditions again: another registration may take the last use between the two statements.
    const taken = await em.nativeUpdate(
      InvitationCode,
      { id: candidate.id, ...usable },
      { usageTimes: raw('usage_times + 1'), updatedAt: now },
    );
    return taken === 1;
  }
}
