import { BigIntType, Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

export enum InvitationStatus {
  Usable = 1,
  Disabled = -1,
}

/** The legacy `invitation_codes` table; storegate lets `user_id` (the creator) be null for CLI-made codes. */
@Entity({ tableName: 'invitation_codes' })
export class InvitationCode {
  [OptionalProps]?: 'status' | 'userId' | 'usageLimit' | 'usageTimes' | 'validUntil' | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: new BigIntType('number'), unsigned: true, autoincrement: true })
  id!: number;

  @Property({ type: 'string', length: 255, index: 'invitation_codes_code_index' })
  code!: string;

  @Property({ type: 'integer', default: InvitationStatus.Usable })
  status: InvitationStatus = InvitationStatus.Usable;

  @Property({ type: new BigIntType('number'), unsigned: true, nullable: true, index: 'invitation_codes_user_id_index' })
  userId: number | null = null;

  @Property({ type: 'integer', default: 999 })
  usageLimit = 1;

  @Property({ type: 'integer', unsigned: true, default: 0 })
  usageTimes = 0;

  @Property({ type: 'datetime', columnType: 'timestamp', nullable: true })
  validUntil: Date | null = null;

  @Property({ type: 'datetime', columnType: 'timestamp', nullable: true })
  createdAt: Date | null = new Date();

  @Property({ type: 'datetime', columnType: 'timestamp', nullable: true, onUpdate: () => new Date() })
  updatedAt: Date | null = new Date();
}
