import type { UserRecord } from '../db/entities/user.entity.js';
import { AppError } from '../errors.js';

/** The user must hold every role named (any user passes when none is). */
export function requireRoles(user: UserRecord, roles: readonly string[]): void {
  if (roles.some((role) => role !== user.role)) throw new AppError('FORBIDDEN');
}
