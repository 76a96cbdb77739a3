import type { Authenticated, AuthService, ClientContext } from '../auth/auth.service.js';

export interface GraphqlContext {
  client: ClientContext;
  /** Authenticates the request once, however many fields ask. */
  authenticate(): Promise<Authenticated>;
}

export function createContext(auth: AuthService, client: ClientContext): GraphqlContext {
  let session: Promise<Authenticated> | undefined;
  return {
    client,
    authenticate: () => (session ??= auth.authenticate(client)),
  };
}
