import { Field, InputType } from 'type-graphql';

@InputType()
export class RegisterInput {
  @Field(() => String)
  name!: string;

  @Field(() => String, { description: 'ASCII letters and digits, 6–32 characters.' })
  username!: string;

  @Field(() => String)
  password!: string;

  @Field(() => String)
  passwordConfirmation!: string;

  @Field(() => String)
  invitationCode!: string;

  @Field(() => String)
  captchaKey!: string;

  @Field(() => String)
  captchaCode!: string;
}

@InputType()
export class LoginInput {
  @Field(() => String)
  username!: string;

  @Field(() => String)
  password!: string;
}

@InputType()
export class ChangePasswordInput {
  @Field(() => String)
  currentPassword!: string;

  @Field(() => String)
  newPassword!: string;

  @Field(() => String)
  newPasswordConfirmation!: string;
}

@InputType()
export class ResetPasswordInput {
  @Field(() => String)
  username!: string;

  @Field(() => String, { description: 'The one-time code the store’s staff gave you.' })
  code!: string;

  @Field(() => String)
  newPassword!: string;

  @Field(() => String)
  newPasswordConfirmation!: string;
}
