import { Arg, Authorized, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { Actor } from '../../audit/audit-log.js';
import type { InvitationService } from '../../auth/invitation.service.js';
import { CurrentActor } from '../auth-checker.js';
import { InvitationCodeType } from '../types/invitation-code.type.js';

@Resolver()
@Authorized('admin')
export class InvitationResolver {
  constructor(private readonly invitations: InvitationService) {}

  @Mutation(() => [InvitationCodeType], { description: 'Admin only.' })
  async createInvitationCodes(
    @CurrentActor() admin: Actor,
    @Arg('count', () => Int, { defaultValue: 1 }) count: number,
    @Arg('uses', () => Int, { defaultValue: 1, description: 'Registrations each code admits.' }) uses: number,
    @Arg('expiresIn', () => String, { nullable: true, description: 'A duration such as `7d`; none: never.' })
    expiresIn?: string,
  ): Promise<InvitationCodeType[]> {
    const codes = await this.invitations.create({ count, uses, expiresIn }, admin);
    return codes.map((c) => InvitationCodeType.from(c));
  }

  @Mutation(() => Boolean, { description: 'Admin only. Disables the code.' })
  async revokeInvitationCode(@CurrentActor() admin: Actor, @Arg('code', () => String) code: string): Promise<boolean> {
    await this.invitations.revoke(code, admin);
    return true;
  }

  @Query(() => [InvitationCodeType], { description: 'Admin only.' })
  async invitationCodes(): Promise<InvitationCodeType[]> {
    return (await this.invitations.list()).map((c) => InvitationCodeType.from(c));
  }
}
