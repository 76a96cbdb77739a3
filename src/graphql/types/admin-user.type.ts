import { Field, GraphQLISODateTime, Int, ObjectType } from 'type-graphql';
import type { AdminUserView } from '../../admin/user-admin.service.js';
import type { ResetCode } from '../../auth/password.service.js';
import { AuthEventType } from './auth-event.type.js';
import { Connection } from './connection.type.js';
import { UserBase } from './user.type.js';

@ObjectType('AdminUser', { description: 'A user as an admin sees them.' })
export class AdminUserType extends UserBase {
  @Field(() => Int, { description: 'Live sessions.' })
  sessionCount!: number;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'The newest sign-in through storegate.' })
  lastSignInAt!: Date | null;

  static from(user: AdminUserView): AdminUserType {
    return Object.assign(new AdminUserType(), { ...user, id: String(user.id) });
  }
}

export const UserConnection = Connection('User', AdminUserType, AdminUserType.from);
export const AuditEventConnection = Connection('AuditEvent', AuthEventType, AuthEventType.from);

@ObjectType('PasswordResetCode', { description: 'Shown once: only its hash is kept.' })
export class ResetCodeType {
  @Field(() => String)
  code!: string;

  @Field(() => GraphQLISODateTime)
  expiresAt!: Date;

  static from(reset: ResetCode): ResetCodeType {
    return Object.assign(new ResetCodeType(), reset);
  }
}
