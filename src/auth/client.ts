/** Who is asking: both transports build one per request. */
export interface ClientContext {
  ip: string;
  /** The request's URL, written into `iss` as jwt-auth did. */
  url: string;
  /** The access token presented, if any. */
  token?: string;
  /** Cut to 255 characters; null when the client sent none. */
  userAgent: string | null;
}

/** The parts of a client that sessions and the audit log keep. */
export const originOf = (client: ClientContext) => ({ ip: client.ip, userAgent: client.userAgent });
