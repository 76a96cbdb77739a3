import { type EntityManager, type MikroORM, raw } from '@mikro-orm/core';
import ms from 'ms';
import { z } from 'zod';
import { InvitationCode, InvitationStatus } from '../db/entities/invitation-code.entity.js';
import { AppError } from '../errors.js';
import { randomString } from './random-string.js';
import { integer, messages, text, validate } from './validation.js';

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 12;
const MAX_CODES_PER_CALL = 100;
/** Ten years: further than MySQL's TIMESTAMP reaches is no expiry at all. */
const MAX_LIFETIME_MS = 10 * 365 * 24 * 3600 * 1000;

export interface CreateInvitations {
  count?: number;
  uses?: number;
  /** A duration such as `7d`, `12h` or `30m`; none means the codes never expire. */
  expiresIn?: string | null;
  creatorId?: number | null;
}

const createShape = {
  count: integer('count', 1, MAX_CODES_PER_CALL).default(1),
  uses: integer('uses', 1, 1_000_000).default(1),
  expiresIn: z
    .string({ invalid_type_error: messages.string('expiresIn') })
    .transform((v) => ms(v as ms.StringValue))
    .refine((v) => v > 0 && v <= MAX_LIFETIME_MS, messages.format('expiresIn'))
    .optional(),
};

/** Invitation codes: created by admins or the CLI, one use taken by each registration. */
export class InvitationService {
  constructor(private readonly orm: MikroORM) {}

  async create(input: CreateInvitations): Promise<InvitationCode[]> {
    const { count, uses, expiresIn } = validate(createShape, { ...input });
    const em = this.orm.em.fork();
    const validUntil = expiresIn ? new Date(Date.now() + expiresIn) : null;
    const codes = Array.from({ length: count }, () =>
      em.create(InvitationCode, {
        code: randomString(CODE_ALPHABET, CODE_LENGTH),
        usageLimit: uses,
        validUntil,
        userId: input.creatorId ?? null,
      }),
    );
    await em.flush();
    return codes;
  }

  async list(): Promise<InvitationCode[]> {
    return this.orm.em.fork().find(InvitationCode, {}, { orderBy: { id: 'asc' } });
  }

  /**
   * A code a newcomer can register with on the embedded default: an unused one made by the
   * system if there is one, else a fresh single-use code valid for a week.
   */
  async starterCode(): Promise<InvitationCode> {
    const unused = await this.orm.em
      .fork()
      .findOne(
        InvitationCode,
        { userId: null, status: InvitationStatus.Usable, usageTimes: 0, validUntil: { $gt: new Date() } },
        { orderBy: { id: 'desc' } },
      );
    if (unused) return unused;
    const [created] = await this.create({ count: 1, uses: 1, expiresIn: '7d' });
    return created as InvitationCode;
  }

  /** Disables every row with this code; NOT_FOUND when there is none. */
  async revoke(code: unknown): Promise<number> {
    const { code: value } = validate({ code: text('code') }, { code });
    const revoked = await this.orm.em
      .fork()
      .nativeUpdate(InvitationCode, { code: value }, { status: InvitationStatus.Disabled, updatedAt: new Date() });
    if (revoked === 0) throw new AppError('NOT_FOUND', {}, `No invitation code "${value}".`);
    return revoked;
  }

  /**
   * Takes one use of a code inside the caller's transaction, with a single conditional update
   * (enabled, not expired, uses left), so concurrent registrations cannot overdraw it.
   */
  static async takeUse(em: EntityManager, code: string): Promise<void> {
    const now = new Date();
    const usable = {
      status: InvitationStatus.Usable,
      usageTimes: { $lt: raw<InvitationCode, number>('usage_limit') },
      $or: [{ validUntil: null }, { validUntil: { $gt: now } }],
    };
    // The conditions are checked again in the update: another registration may take the last use between the two.
    const candidate = await em.findOne(InvitationCode, { code, ...usable }, { orderBy: { id: 'asc' }, fields: ['id'] });
    const taken = candidate
      ? await em.nativeUpdate(
          InvitationCode,
          { id: candidate.id, ...usable },
          { usageTimes: raw('usage_times + 1'), updatedAt: now },
        )
      : 0;
    if (taken !== 1) throw new AppError('INVITATION_INVALID');
  }
}
