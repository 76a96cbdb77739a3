import ms from 'ms';
import { z } from 'zod';
import { type Actor, type AuditLog, actorContext } from '../audit/audit-log.js';
import { type InvitationCode, InvitationStatus } from '../db/entities/invitation-code.entity.js';
import type { InvitationRepository } from '../db/repositories/invitation.repository.js';
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

/** What a person needs to know of a code: can it still admit anyone, and if not, why. */
export type InvitationState = 'usable' | 'used up' | 'expired' | 'revoked';

export function invitationState(code: InvitationCode, now = new Date()): InvitationState {
  if (code.status !== InvitationStatus.Usable) return 'revoked';
  if (code.validUntil && code.validUntil <= now) return 'expired';
  return code.usageTimes >= code.usageLimit ? 'used up' : 'usable';
}

/** Invitation codes: created by admins or the CLI, one use taken by each registration. */
export class InvitationService {
  constructor(
    private readonly invitations: InvitationRepository,
    private readonly audit: AuditLog,
  ) {}

  async create(input: CreateInvitations, actor: Actor): Promise<InvitationCode[]> {
    const { count, uses, expiresIn } = validate(createShape, { ...input });
    const validUntil = expiresIn ? new Date(Date.now() + expiresIn) : null;
    const codes = await this.invitations.insert(
      Array.from({ length: count }, () => ({
        code: randomString(CODE_ALPHABET, CODE_LENGTH),
        usageLimit: uses,
        validUntil,
        creatorId: actor.userId,
      })),
    );
    this.audit.record(
      'invitation_created',
      actorContext(actor, { count, uses, validUntil: validUntil?.toISOString() ?? null, ids: codes.map((c) => c.id) }),
    );
    return codes;
  }

  list(): Promise<InvitationCode[]> {
    return this.invitations.list();
  }

  /**
   * A code a newcomer can register with on the embedded default: an unused one made by the
   * system if there is one, else a fresh single-use code valid for a week.
   */
  async starterCode(): Promise<InvitationCode> {
    const unused = await this.invitations.findUnusedSystemCode();
    if (unused) return unused;
    const [created] = await this.create({ count: 1, uses: 1, expiresIn: '7d' }, { userId: null });
    return created as InvitationCode;
  }

  /** Disables every row with this code; NOT_FOUND when there is none. */
  async revoke(code: unknown, actor: Actor): Promise<number> {
    const { code: value } = validate({ code: text('code') }, { code });
    const revoked = await this.invitations.disable(value);
    if (revoked === 0) throw new AppError('NOT_FOUND', {}, `No invitation code "${value}".`);
    this.audit.record('invitation_revoked', actorContext(actor, { rows: revoked }));
    return revoked;
  }
}
