import { Field, GraphQLISODateTime, ID, Int, ObjectType } from 'type-graphql';
import type { UserRecord } from '../../db/entities/user.entity.js';

/** What every view of a user shows: who they are, their state and their role (its fields, inherited). */
@ObjectType()
export abstract class UserBase {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String)
  username!: string;

  @Field(() => Int, { description: '1 enabled, 0 inactive, -1 disabled.' })
  status!: number;

  @Field(() => String, { description: '`user` or `admin`.' })
  role!: string;

  @Field(() => GraphQLISODateTime, { nullable: true })
  createdAt!: Date | null;
}

/** The public face of a user: the entity's hash and remember token have no field here. */
@ObjectType('User')
export class UserType extends UserBase {
  @Field(() => String, { nullable: true })
  email!: string | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  emailVerifiedAt!: Date | null;

  @Field(() => String, { nullable: true })
  phone!: string | null;

  @Field(() => String, { description: 'The invitation code the user registered with.' })
  invitationCode!: string;

  @Field(() => GraphQLISODateTime, { nullable: true })
  updatedAt!: Date | null;

  static from(user: UserRecord): UserType {
    return Object.assign(new UserType(), {
      id: String(user.id),
      name: user.name,
      username: user.username,
      email: user.email,
      emailVerifiedAt: user.emailVerifiedAt,
      phone: user.phone,
      invitationCode: user.invitationCode,
      status: user.status,
      role: user.role,
      createdAt: user.createdAt,
      updatedAt: user.updatedAt,
    });
  }
}
