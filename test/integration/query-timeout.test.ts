import { performance } from 'node:perf_hooks';
import type { MikroORM } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createOrm } from '../../src/db/orm.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

const TIMEOUT_MS = 300;

/**
 * The query timeout rests on two things MikroORM and knex do not promise: knex's pool calls
 * `afterCreate` with the mysql2 connection, and knex runs every query through that connection's
 * `query(options, values, callback)` with an options object of its own. An upgrade that changes
 * either (MikroORM 7 drops knex) fails here, not in production when MySQL hangs.
 */
describe('the ORM connections’ query timeout', () => {
  let db: TestDatabase;
  let orm: MikroORM;

  beforeAll(async () => {
    db = await createTestDatabase();
    orm = await createOrm(loadConfig({ DATABASE_URL: db.url }).db, { queryTimeoutMs: TIMEOUT_MS });
  });
  afterAll(async () => {
    await orm?.close();
    await db?.drop();
  });

  const run = (sql: string) => orm.em.getConnection().execute<{ v: number }[]>(sql);

  it('fails a query unanswered for longer, and the pool replaces the connection it lost', async () => {
    const started = performance.now();
    await expect(run('SELECT SLEEP(3) AS v')).rejects.toThrow();
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(waited).toBeLessThan(2000);
    // The next queries get a live connection: the timed-out one was destroyed, not handed back.
    for (let i = 0; i < 3; i++) expect(await run('SELECT 1 AS v')).toEqual([{ v: 1 }]);
  });

  it('leaves a query answered in time alone', async () => {
    expect(await run('SELECT SLEEP(0.1) AS v')).toEqual([{ v: 0 }]);
  });
});
