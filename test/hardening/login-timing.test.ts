import { describe, expect, it } from 'vitest';
import { PASSWORD } from '../helpers/accounts.js';
import { attemptLogin } from '../helpers/attempts.js';
import { useGateway } from '../helpers/gateway-hooks.js';
import { insertUser, legacyHash } from '../helpers/legacy-users.js';
import { median, timed } from '../helpers/timing.js';

const ROUNDS = 30;

describe('failed-login time tells neither whether an account exists nor the cost of its hash', () => {
  // The lock would answer the 6th failure at once: this test is about the password check alone.
  const gateway = useGateway({ env: { BCRYPT_COST: '10', LOGIN_MAX_ATTEMPTS: '1000' } });

  it('medians of 30 failures against hashes of cost 8, 10 and 12 and for a missing user are within 2× of each other', async () => {
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

    // Each round takes the cases in another order, so a burst of load on the machine falls on all alike.
    const samples: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < names.length; i++) {
        const name = names[(round + i) % names.length]!;
        samples[name]!.push(await fail(name));
      }
    }

    const medians = Object.fromEntries(names.map((name) => [name, Math.round(median(samples[name]!))]));
    const values = Object.values(medians);
    expect(Math.max(...values) / Math.min(...values), `medians in ms ${JSON.stringify(medians)}`).toBeLessThan(2);
  }, 120_000);
});
