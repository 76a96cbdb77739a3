import { Field, GraphQLISODateTime, ObjectType } from 'type-graphql';

@ObjectType('Captcha')
export class CaptchaType {
  @Field(() => String, { description: 'Send it back with the code when registering. Single use.' })
  captchaKey!: string;

  @Field(() => GraphQLISODateTime)
  expiresAt!: Date;

  @Field(() => String, { description: 'The image as a `data:image/png;base64,…` URL.' })
  imageDataUrl!: string;
}
