import type { Config } from '../config.js';
import { openServices, type Services } from '../services.js';

/** One command's run: the server's own services on the configured database and store, closed afterwards. */
export async function withServices<T>(config: Config, run: (services: Services) => Promise<T>): Promise<T> {
  const services = await openServices(config, { passwordThreads: 1 });
  try {
    return await run(services);
  } finally {
    await services.close();
  }
}
