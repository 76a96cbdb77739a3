import { BigIntType, Entity, Index, JsonType, type Platform, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * JSON read back as a value on every server: MySQL's driver parses a JSON column itself, but
 * MariaDB's JSON is LONGTEXT underneath, so mysql2 hands over its text, which MikroORM (trusting
 * the MySQL platform to have parsed it) would pass on as a string.
 */
export class ParsedJsonType extends JsonType {
  override convertToJSValue(value: unknown, platform: Platform): unknown {
    return typeof value === 'string' ? JSON.parse(value) : super.convertToJSValue(value as string, platform);
  }
}

export const AUTH_EVENT_TYPES = [
  'registered',
  'login_succeeded',
  'login_failed',
  'login_locked',
  'logout',
  'logout_all',
  'session_revoked',
  'refresh_reuse_detected',
  'password_changed',
  'password_reset_issued',
  'password_reset',
  'user_status_changed',
  'user_role_changed',
  'invitation_created',
  'invitation_revoked',
] as const;
export type AuthEventType = (typeof AUTH_EVENT_TYPES)[number];

/** The audit log: what happened to whom, from where. `detail` never holds a secret. */
@Entity({ tableName: 'auth_events' })
@Index({ name: 'auth_events_user_id_id_index', properties: ['userId', 'id'] })
@Index({ name: 'auth_events_type_id_index', properties: ['type', 'id'] })
@Index({ name: 'auth_events_at_index', properties: ['at'] })
export class AuthEvent {
  @PrimaryKey({ type: new BigIntType('number'), unsigned: true, autoincrement: true })
  id!: number;

  @Property({ type: 'datetime', length: 3 })
  at!: Date;

  @Property({ type: 'string', length: 32 })
  type!: AuthEventType;

  @Property({ type: new BigIntType('number'), unsigned: true, nullable: true })
  userId: number | null = null;

  /** As typed, for failed logins. */
  @Property({ type: 'string', length: 64, nullable: true })
  username: string | null = null;

  @Property({ type: 'string', length: 22, nullable: true })
  sessionId: string | null = null;

  @Property({ type: 'string', length: 45, nullable: true })
  ip: string | null = null;

  @Property({ type: 'string', length: 255, nullable: true })
  userAgent: string | null = null;

  @Property({ type: ParsedJsonType, columnType: 'json', nullable: true })
  detail: Record<string, unknown> | null = null;
}
