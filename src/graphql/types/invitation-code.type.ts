import { Field, GraphQLISODateTime, ID, Int, ObjectType } from 'type-graphql';
import type { InvitationCode } from '../../db/entities/invitation-code.entity.js';

@ObjectType('InvitationCode')
export class InvitationCodeType {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  code!: string;

  @Field(() => Int, { description: '1 usable, -1 disabled.' })
  status!: number;

  @Field(() => Int)
  usageLimit!: number;

  @Field(() => Int)
  usageTimes!: number;

  @Field(() => GraphQLISODateTime, { nullable: true })
  validUntil!: Date | null;

  @Field(() => ID, { nullable: true, description: 'The admin who created it; null when made by the CLI.' })
  creatorId!: string | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  createdAt!: Date | null;

  static from(code: InvitationCode): InvitationCodeType {
    return Object.assign(new InvitationCodeType(), {
      id: String(code.id),
      code: code.code,
      status: code.status,
      usageLimit: code.usageLimit,
      usageTimes: code.usageTimes,
      validUntil: code.validUntil,
      creatorId: code.userId === null ? null : String(code.userId),
      createdAt: code.createdAt,
    });
  }
}
