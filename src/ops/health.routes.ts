import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.js';

const CHECK_TIMEOUT_MS = 1000;

function withTimeout(check: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS);
  });
  return Promise.race([check, timeout]).then(() => undefined).finally(() => clearTimeout(timer));
}

/** `/healthz`: the process answers. `/readyz`: the database and the shared store answer too. */
export async function healthRoutes(app: FastifyInstance, { orm, store }: Pick<Services, 'orm' | 'store'>) {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const checks = {
      database: withTimeout(orm.em.getConnection().execute('select 1')),
      [store.kind === 'redis' ? 'redis' : 'store']: withTimeout(store.ping()),
    };
    const results = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => [name, await check.then(() => 'ok', () => 'down')] as const),
    );
    const failing = results.filter(([, status]) => status !== 'ok').map(([name]) => name);
    return reply.code(failing.length ? 503 : 200).send({
      status: failing.length ? 'unavailable' : 'ok',
      checks: Object.fromEntries(results),
      ...(failing.length && { failing }),
    });
  });
}
