import { BigIntType, Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** A user's one pending password reset code, kept only as its SHA-256. */
@Entity({ tableName: 'password_reset_codes' })
export class PasswordResetCode {
  @PrimaryKey({ type: new BigIntType('number'), unsigned: true, autoincrement: false })
  userId!: number;

  @Property({ type: 'string', length: 64 })
  codeHash!: string;

  @Property({ type: 'datetime' })
  expiresAt!: Date;

  @Property({ type: 'datetime' })
  createdAt!: Date;
}
