import { Arg, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import { type AuditLog, MAX_PAGE } from '../../audit/audit-log.js';
import type { PasswordService } from '../../auth/password.service.js';
import type { GraphqlContext } from '../context.js';
import { AuthEventType } from '../types/auth-event.type.js';
import { AuthPayload } from '../types/auth-payload.type.js';
import { ChangePasswordInput, ResetPasswordInput } from '../types/inputs.js';

@Resolver()
export class AccountResolver {
  constructor(
    private readonly passwords: PasswordService,
    private readonly audit: AuditLog,
  ) {}

  @Mutation(() => AuthPayload, {
    description: 'Checks the current password, sets the new one, signs out every other session; a fresh token.',
  })
  async changePassword(
    @Ctx() ctx: GraphqlContext,
    @Arg('input', () => ChangePasswordInput) input: ChangePasswordInput,
  ) {
    return AuthPayload.from((await this.passwords.change({ ...input }, ctx.client)).value);
  }

  @Mutation(() => Boolean, { description: 'Sets a new password with a one-time reset code; signs out every session.' })
  async resetPassword(@Ctx() ctx: GraphqlContext, @Arg('input', () => ResetPasswordInput) input: ResetPasswordInput) {
    await this.passwords.reset({ ...input }, ctx.client);
    return true;
  }

  @Query(() => [AuthEventType], { description: 'Your own recent sign-ins, password changes and revoked sessions.' })
  async myActivity(
    @Ctx() ctx: GraphqlContext,
    @Arg('first', () => Int, { defaultValue: 20, description: `At most ${MAX_PAGE}.` }) first: number,
  ): Promise<AuthEventType[]> {
    const { user } = await ctx.authenticate();
    return (await this.audit.activityOf(user.id, first)).map((event) => AuthEventType.from(event));
  }
}
