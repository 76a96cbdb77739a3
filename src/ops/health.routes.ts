import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import type { Services } from '../services.js';

const CHECK_TIMEOUT_MS = 1000;

/** Each dependency by name (`mysql`, `redis`; `sqlite`, `memory` when embedded) and how to reach it. */
export type DependencyChecks = Record<string, () => Promise<unknown>>;

export function dependencyChecks(
  { database, store }: Pick<Services, 'database' | 'store'>,
  kind: Config['db']['kind'],
): DependencyChecks {
  return {
    [kind]: () => database.ping(),
    [store.kind]: () => store.ping(),
  };
}

async function isUp(check: () => Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), timeout]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** `/healthz`: the process answers. `/readyz`: every dependency answers too, else 503 naming those that do not. */
export async function healthRoutes(app: FastifyInstance, { checks }: { checks: DependencyChecks }) {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const results = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => [name, (await isUp(check)) ? 'ok' : 'down'] as const),
    );
    const failing = results.filter(([, status]) => status !== 'ok').map(([name]) => name);
    return reply.code(failing.length ? 503 : 200).send({
      status: failing.length ? 'unavailable' : 'ok',
      checks: Object.fromEntries(results),
      ...(failing.length && { failing }),
    });
  });
}
