import { createParameterDecorator, type AuthChecker } from 'type-graphql';
import type { UserRecord } from '../db/entities/user.entity.js';
import { AppError } from '../errors.js';
import type { GraphqlContext } from './context.js';

/** `@Authorized('admin')`: a valid token, and the role when one is named. */
export const authChecker: AuthChecker<GraphqlContext> = async ({ context }, roles) => {
  const { user } = await context.authenticate();
  if (roles.length > 0 && !roles.includes(user.role)) throw new AppError('FORBIDDEN');
  return true;
};

/** The authenticated user of the request. */
export function CurrentUser() {
  return createParameterDecorator<GraphqlContext>(
    async ({ context }): Promise<UserRecord> => (await context.authenticate()).user,
  );
}
