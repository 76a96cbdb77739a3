import { BigIntType, Entity, Enum, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

export enum UserStatus {
  Enabled = 1,
  Inactive = 0,
  Disabled = -1,
}

export type Role = 'user' | 'admin';

/** The legacy `users` table plus storegate's `token_version` and `role`. */
@Entity({ tableName: 'users' })
@Index({ name: 'users_name_index', properties: ['name'] })
@Index({ name: 'users_status_index', properties: ['status'] })
@Index({ name: 'users_role_index', properties: ['role'] })
export class User {
  [OptionalProps]?:
    | 'email'
    | 'emailVerifiedAt'
    | 'phone'
    | 'rememberToken'
    | 'status'
    | 'tokenVersion'
    | 'role'
    | 'createdAt'
    | 'updatedAt';

  @PrimaryKey({ type: new BigIntType('number'), unsigned: true, autoincrement: true })
  id!: number;

  @Property({ type: 'string', length: 255 })
  name!: string;

  @Property({ type: 'string', length: 255, unique: 'users_username_unique' })
  username!: string;

  @Property({ type: 'string', length: 255, nullable: true, unique: 'users_email_unique' })
  email: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamp', nullable: true })
  emailVerifiedAt: Date | null = null;

  @Property({ type: 'string', length: 255, nullable: true, unique: 'users_phone_unique' })
  phone: string | null = null;

  /** The bcrypt hash: hidden from serialisation and loaded only when asked for. */
  @Property({ type: 'string', length: 255, hidden: true, lazy: true })
  password!: string;

  @Property({ type: 'string', length: 100, nullable: true, hidden: true })
  rememberToken: string | null = null;

  @Property({ type: 'string', length: 255 })
  invitationCode!: string;

  @Property({ type: 'integer', default: UserStatus.Enabled })
  status: UserStatus = UserStatus.Enabled;

  @Property({ type: 'integer', default: 0 })
  tokenVersion = 0;

  @Enum({ items: ['user', 'admin'], type: 'string', length: 16, default: 'user' })
  role: Role = 'user';

  @Property({ type: 'datetime', columnType: 'timestamp', nullable: true })
  createdAt: Date | null = new Date();

  @Property({ type: 'datetime', columnType: 'timestamp', nullable: true, onUpdate: () => new Date() })
  updatedAt: Date | null = new Date();
}

/** A user as read for a request: every column but the secrets, not tracked by the ORM. */
export type UserRecord = Readonly<Omit<User, 'password' | 'rememberToken' | typeof OptionalProps>>;
