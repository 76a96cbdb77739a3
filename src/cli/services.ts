import type { Actor } from '../audit/audit-log.js';
import type { Config } from '../config.js';
import { openServices, type Services } from '../services.js';

/** One command's run: the server's own services on the configured database and store, closed afterwards. */
export async function withServices<T>(config: Config, run: (services: Services) => Promise<T>): Promise<T> {
  const services = await openServices(config, { passwordThreads: 1 });
  services.audit.onWriteFailure((err) =>
    console.error(`storegate: an audit entry could not be written: ${String(err)}`),
  );
  try {
    return await run(services);
  } finally {
    await services.close();
  }
}

/** The CLI acts as an operator of its own: the audit log names it, with no user. */
export const CLI_ACTOR: Actor = { userId: null };
