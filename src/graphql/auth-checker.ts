import { type AuthChecker, createParameterDecorator } from 'type-graphql';
import type { UserRecord } from '../db/entities/user.entity.js';
import type { GraphqlContext } from './context.js';

/** `@Authorized('admin')`: a valid token, and the role when one is named. */
export const authChecker: AuthChecker<GraphqlContext> = async ({ context }, roles) => {
  await context.authorize(roles);
  return true;
};

/** The authenticated user of the request. */
export function CurrentUser() {
  return createParameterDecorator<GraphqlContext>(
    async ({ context }): Promise<UserRecord> => (await context.authenticate()).user,
  );
}
