import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { PASSWORD } from '../helpers/accounts.js';
import { attemptLogin } from '../helpers/attempts.js';
import { useGateway } from '../helpers/gateway-hooks.js';
import { legacyFixture } from '../helpers/legacy-fixture.js';
import { insertUser, legacyHash } from '../helpers/legacy-users.js';
import { median, timed } from '../helpers/timing.js';

const ROUNDS = 30;

describe('failed-login time tells neither whether an account exists nor the cost of its hash', () => {
  // The lock would answer the 6th failure at once: this test is about the password check alone.
  // A worker for each of a round's four checks, so that none waits behind another's.
  const gateway = useGateway({ env: { BCRYPT_COST: '10', BCRYPT_POOL_SIZE: '4', LOGIN_MAX_ATTEMPTS: '1000' } });

  it('medians of 30 failures against hashes of cost 8, 10 and 12 and for a missing user are within 1.75× of each other', async () => {
    const cases: Record<string, string> = { missing: 'nobody0001' };
    for (const cost of [8, 10, 12]) {
      cases[`cost ${cost}`] = `legacycost${cost}`;
      await insertUser(gateway().db, `legacycost${cost}`, { passwordHash: legacyHash(PASSWORD, cost) });
    }
    const names = Object.keys(cases);
    const fail = async (name: string) => {
      const { value: error, ms } = await timed(() => attemptLogin(gateway().url, cases[name]!, 'wrong password'));
      expect(error?.code, name).toBe('INVALID_CREDENTIALS');
      return ms;
    };
    for (const name of names) await fail(name);

    // A round sends the four at once, in another order each time, so a burst of load on the
    // machine falls on all alike.
    const samples: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      const order = names.map((_, i) => names[(round + i) % names.length]!);
      const sampled = await Promise.all(order.map(async (name) => [name, await fail(name)] as const));
      for (const [name, ms] of sampled) samples[name]!.push(ms);
    }

    const medians = Object.fromEntries(names.map((name) => [name, Math.round(median(samples[name]!))]));
    const values = Object.values(medians);
    expect(Math.max(...values) / Math.min(...values), `medians in ms ${JSON.stringify(medians)}`).toBeLessThan(1.75);
  }, 120_000);
});

describe('a gateway started on a legacy database pads failures to its costliest hash from the first one', () => {
  const costlyHash = legacyHash(PASSWORD, 12);
  const gateway = useGateway({
    env: { BCRYPT_COST: '8', LOGIN_MAX_ATTEMPTS: '1000' },
    // The legacy service's tables and rows, there before the gateway starts.
    beforeMigrate: async (db) => {
      for (const ddl of legacyFixture().legacy_tables_sql) await db.query(ddl);
      await insertUser(db, 'legacycostly', { passwordHash: costlyHash });
      await insertUser(db, 'legacycheap1', { passwordHash: legacyHash(PASSWORD, 8) });
    },
  });

  it('failures of a cost-8 account and a missing user, before the cost-12 account is ever tried, last as long as a cost-12 check', async () => {
    const cheap: number[] = [];
    const missing: number[] = [];
    const costlyCheck: number[] = [];
    for (let round = 0; round < 8; round++) {
      for (const [username, samples] of [
        ['legacycheap1', cheap],
        ['nobody0002', missing],
      ] as const) {
        const { value: error, ms } = await timed(() => attemptLogin(gateway().url, username, 'wrong password'));
        expect(error?.code).toBe('INVALID_CREDENTIALS');
        samples.push(ms);
      }
      // What a check of the cost-12 hash costs on this machine now, measured beside the failures.
      costlyCheck.push((await timed(async () => bcrypt.compareSync('wrong password', costlyHash))).ms);
    }

    const medians = { cheap: median(cheap), missing: median(missing), costlyCheck: median(costlyCheck) };
    for (const failure of [medians.cheap, medians.missing]) {
      const ratio = failure / medians.costlyCheck;
      expect(ratio, `medians in ms ${JSON.stringify(medians)}`).toBeGreaterThan(0.5);
      expect(ratio, `medians in ms ${JSON.stringify(medians)}`).toBeLessThan(3);
    }
  }, 60_000);
});
