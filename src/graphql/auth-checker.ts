import { type AuthChecker, createParameterDecorator } from 'type-graphql';
import type { Actor } from '../audit/audit-log.js';
import type { GraphqlContext } from './context.js';

/** `@Authorized('admin')`: a valid token, and the role when one is named. */
export const authChecker: AuthChecker<GraphqlContext> = async ({ context }, roles) => {
  await context.authorize(roles);
  return true;
};

/** The admin behind the request, as the audit log records them. */
export function CurrentActor() {
  return createParameterDecorator<GraphqlContext>(
    async ({ context }): Promise<Actor> => ({ userId: (await context.authenticate()).user.id, client: context.client }),
  );
}
