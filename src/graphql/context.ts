import type { ClientContext } from '../auth/client.js';
import { requireRoles } from '../auth/roles.js';
import type { Authenticated, SessionService } from '../sessions/session.service.js';

export interface GraphqlContext {
  client: ClientContext;
  /** Authenticates the request once, however many fields ask. */
  authenticate(): Promise<Authenticated>;
  /** Authenticates, then demands the roles. */
  authorize(roles: readonly string[]): Promise<void>;
}

export function createContext(sessions: SessionService, client: ClientContext): GraphqlContext {
  let caller: Promise<Authenticated> | undefined;
  const authenticate = (): Promise<Authenticated> => {
    caller ??= sessions.authenticate(client).then(({ value }) => value);
    return caller;
  };
  return {
    client,
    authenticate,
    authorize: async (roles) => requireRoles((await authenticate()).user, roles),
  };
}
