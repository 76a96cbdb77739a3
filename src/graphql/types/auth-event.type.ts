import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, GraphQLISODateTime, ID, ObjectType } from 'type-graphql';
import type { AuthEvent } from '../../db/entities/auth-event.entity.js';

@ObjectType('AuthEvent', { description: 'An entry of the audit log.' })
export class AuthEventType {
  @Field(() => ID)
  id!: string;

  @Field(() => GraphQLISODateTime)
  at!: Date;

  @Field(() => String, { description: '`login_succeeded`, `session_revoked`, …' })
  type!: string;

  @Field(() => ID, { nullable: true })
  userId!: string | null;

  @Field(() => String, { nullable: true, description: 'As typed, for failed logins.' })
  username!: string | null;

  @Field(() => ID, { nullable: true })
  sessionId!: string | null;

  @Field(() => String, { nullable: true })
  ip!: string | null;

  @Field(() => String, { nullable: true })
  userAgent!: string | null;

  @Field(() => GraphQLJSONObject, { nullable: true })
  detail!: Record<string, unknown> | null;

  static from(event: AuthEvent): AuthEventType {
    return Object.assign(new AuthEventType(), {
      ...event,
      id: String(event.id),
      userId: event.userId === null ? null : String(event.userId),
    });
  }
}
