import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType('ResponseCode', { description: 'A business code of the legacy API, as in `extensions.legacyCode`.' })
export class ResponseCodeType {
  @Field(() => Int)
  code!: number;

  @Field(() => String)
  message!: string;
}
