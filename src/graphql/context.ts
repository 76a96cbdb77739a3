import type { Authenticated, AuthService, ClientContext } from '../auth/auth.service.js';

export interface GraphqlContext {
  client: ClientContext;
  /** Authenticates the request once, however many fields ask. */
  authenticate(): Promise<Authenticated>;
  /** Authenticates, then demands one of the roles. */
  authorize(roles: readonly string[]): Promise<void>;
}

export function createContext(auth: AuthService, client: ClientContext): GraphqlContext {
  let session: Promise<Authenticated> | undefined;
  const authenticate = () => {
    session ??= auth.authenticate(client).then(({ value }) => value);
    return session;
  };
  return {
    client,
    authenticate,
    authorize: async (roles) => auth.requireRole((await authenticate()).user, roles),
  };
}
