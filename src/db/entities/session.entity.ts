import { BigIntType, Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

export const REVOCATION_REASONS = [
  'logout',
  'logout_all',
  'revoked',
  'password_changed',
  'password_reset',
  'admin',
  'user_disabled',
  'refresh_reuse',
] as const;
export type RevocationReason = (typeof REVOCATION_REASONS)[number];

/** One sign-in on one device, alive while its chain of tokens can be refreshed. */
@Entity({ tableName: 'sessions' })
@Index({ name: 'sessions_user_id_created_at_index', properties: ['userId', 'createdAt'] })
@Index({ name: 'sessions_expires_at_revoked_at_index', properties: ['expiresAt', 'revokedAt'] })
export class Session {
  [OptionalProps]?: 'revokedAt' | 'revokedReason' | 'previousJti' | 'rotatedAt';

  @PrimaryKey({ type: 'string', length: 22 })
  id!: string;

  @Property({ type: new BigIntType('number'), unsigned: true })
  userId!: number;

  @Property({ type: 'datetime', length: 3 })
  createdAt!: Date;

  @Property({ type: 'datetime', length: 3 })
  lastUsedAt!: Date;

  @Property({ type: 'datetime' })
  expiresAt!: Date;

  @Property({ type: 'string', length: 45 })
  ip!: string;

  @Property({ type: 'string', length: 255, nullable: true })
  userAgent!: string | null;

  @Property({ type: 'string', length: 45 })
  lastIp!: string;

  @Property({ type: 'string', length: 255, nullable: true })
  lastUserAgent!: string | null;

  /** The one token of the chain that may still be traded by a refresh. */
  @Property({ type: 'string', length: 32 })
  currentJti!: string;

  /** The token the last refresh traded, and when: two tabs refreshing at once are not a theft. */
  @Property({ type: 'string', length: 32, nullable: true })
  previousJti: string | null = null;

  @Property({ type: 'datetime', nullable: true })
  rotatedAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  revokedAt: Date | null = null;

  @Property({ type: 'string', length: 32, nullable: true })
  revokedReason: RevocationReason | null = null;
}
