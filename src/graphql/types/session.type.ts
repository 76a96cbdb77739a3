import { Field, GraphQLISODateTime, ID, ObjectType } from 'type-graphql';
import type { SessionView } from '../../sessions/session.service.js';

@ObjectType('Session', { description: 'One sign-in on one device, alive while its tokens can be refreshed.' })
export class SessionType {
  @Field(() => ID)
  id!: string;

  @Field(() => Boolean, { description: 'The session of the token this request presented.' })
  current!: boolean;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  @Field(() => GraphQLISODateTime, { description: 'The sign-in or the last refresh.' })
  lastUsedAt!: Date;

  @Field(() => GraphQLISODateTime, { description: 'When its refresh window closes.' })
  expiresAt!: Date;

  @Field(() => String, { description: 'Of the sign-in.' })
  ip!: string;

  @Field(() => String, { nullable: true, description: 'Of the sign-in.' })
  userAgent!: string | null;

  static from(session: SessionView): SessionType {
    return Object.assign(new SessionType(), session);
  }
}
