import { Field, GraphQLISODateTime, Int, ObjectType } from 'type-graphql';
import type { SignedIn } from '../../sessions/session.service.js';
import { UserType } from './user.type.js';

@ObjectType('AuthPayload')
export class AuthPayload {
  @Field(() => String)
  accessToken!: string;

  @Field(() => String, { description: 'Always `Bearer`.' })
  tokenType!: string;

  @Field(() => Int, { description: 'Seconds until the access token expires.' })
  expiresIn!: number;

  @Field(() => GraphQLISODateTime)
  expiresAt!: Date;

  @Field(() => UserType)
  user!: UserType;

  static from({ user, token }: SignedIn): AuthPayload {
    return Object.assign(new AuthPayload(), {
      accessToken: token.token,
      tokenType: 'Bearer',
      expiresIn: token.expiresIn,
      expiresAt: new Date(token.claims.exp * 1000),
      user: UserType.from(user),
    });
  }
}
