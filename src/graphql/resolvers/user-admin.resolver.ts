import { Arg, Authorized, GraphQLISODateTime, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { UserAdminService } from '../../admin/user-admin.service.js';
import type { Actor } from '../../audit/audit-log.js';
import { MAX_PAGE } from '../../audit/audit-log.js';
import { CurrentActor } from '../auth-checker.js';
import { AdminUserType, AuditEventConnection, ResetCodeType, UserConnection } from '../types/admin-user.type.js';

const FIRST = { defaultValue: 20, description: `At most ${MAX_PAGE}.` };
const AFTER = { nullable: true, description: 'The `endCursor` of the page before.' };

@Resolver()
@Authorized('admin')
export class UserAdminResolver {
  constructor(private readonly admin: UserAdminService) {}

  @Query(() => UserConnection, { description: 'Admin only. Users in id order.' })
  async users(
    @CurrentActor() admin: Actor,
    @Arg('search', () => String, { nullable: true, description: 'A prefix of the username or the name.' })
    search: string | undefined,
    @Arg('status', () => Int, { nullable: true, description: '1 enabled, 0 inactive, -1 disabled.' })
    status: number | undefined,
    @Arg('role', () => String, { nullable: true, description: '`user` or `admin`.' }) role: string | undefined,
    @Arg('first', () => Int, FIRST) first: number,
    @Arg('after', () => String, AFTER) after: string | undefined,
  ) {
    return UserConnection.from(await this.admin.list({ search, status, role, first, after }, admin));
  }

  @Query(() => AdminUserType, { description: 'Admin only.' })
  async user(@CurrentActor() admin: Actor, @Arg('id', () => ID) id: string): Promise<AdminUserType> {
    return AdminUserType.from(await this.admin.get(id, admin));
  }

  @Mutation(() => AdminUserType, {
    description: 'Admin only. Disabling (-1) or deactivating (0) signs the user out everywhere at once.',
  })
  async setUserStatus(
    @CurrentActor() admin: Actor,
    @Arg('id', () => ID) id: string,
    @Arg('status', () => Int) status: number,
  ): Promise<AdminUserType> {
    return AdminUserType.from(await this.admin.setStatus(id, status, admin));
  }

  @Mutation(() => AdminUserType, { description: 'Admin only. `user` or `admin`.' })
  async setUserRole(
    @CurrentActor() admin: Actor,
    @Arg('id', () => ID) id: string,
    @Arg('role', () => String) role: string,
  ): Promise<AdminUserType> {
    return AdminUserType.from(await this.admin.setRole(id, role, admin));
  }

  @Mutation(() => Int, { description: 'Admin only. Signs the user out of every session; how many.' })
  async revokeUserSessions(@CurrentActor() admin: Actor, @Arg('id', () => ID) id: string): Promise<number> {
    return this.admin.revokeSessions(id, admin);
  }

  @Mutation(() => ResetCodeType, { description: 'Admin only. A one-time code that voids the one before.' })
  async issuePasswordReset(@CurrentActor() admin: Actor, @Arg('userId', () => ID) userId: string) {
    return ResetCodeType.from(await this.admin.issuePasswordReset(userId, admin));
  }

  @Query(() => AuditEventConnection, { description: 'Admin only. The audit log, newest first.' })
  async auditEvents(
    @CurrentActor() admin: Actor,
    @Arg('userId', () => ID, { nullable: true }) userId: string | undefined,
    @Arg('type', () => String, { nullable: true }) type: string | undefined,
    @Arg('since', () => GraphQLISODateTime, { nullable: true }) since: Date | undefined,
    @Arg('first', () => Int, FIRST) first: number,
    @Arg('after', () => String, AFTER) after: string | undefined,
  ) {
    return AuditEventConnection.from(await this.admin.events({ userId, type, since, first, after }, admin));
  }
}
