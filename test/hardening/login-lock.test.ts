import { describe, expect, it } from 'vitest';
import { PASSWORD } from '../helpers/accounts.js';
import { attemptLogin } from '../helpers/attempts.js';
import { useGateway } from '../helpers/gateway-hooks.js';
import { insertUser, legacyHash } from '../helpers/legacy-users.js';
import { times } from '../helpers/races.js';

const LOCK = 5;

/** How many answers ended each way: `ok`, or by error code. */
function tally(codes: (string | undefined)[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const code of codes) counts[code ?? 'ok'] = (counts[code ?? 'ok'] ?? 0) + 1;
  return counts;
}

describe('the failed-login lock cannot be outrun by parallel guesses', () => {
  const gateway = useGateway();
  const attempt = (username: string, password: string) =>
    attemptLogin(gateway().url, username, password).then((error) => error?.code);

  it('50 parallel guesses, the right password sent last, never log in: each is INVALID_CREDENTIALS or TOO_MANY_REQUESTS', async () => {
    // A cost-10 hash keeps every check on the worker pool long enough that all 50 attempts have
    // passed the lock's first look before the 5th failure is recorded.
    await insertUser(gateway().db, 'guessed01', { passwordHash: legacyHash(PASSWORD, 10) });
    const guesses = [...times(49, (i) => `wrong guess ${i}`), PASSWORD];

    const codes = await Promise.all(guesses.map((password) => attempt('guessed01', password)));

    const counts = tally(codes);
    expect(counts.ok, `outcomes ${JSON.stringify(counts)}`).toBeUndefined();
    expect(Object.keys(counts).sort()).toEqual(['INVALID_CREDENTIALS', 'TOO_MANY_REQUESTS']);
    expect(counts.INVALID_CREDENTIALS).toBeLessThanOrEqual(LOCK);
    expect(await attempt('guessed01', PASSWORD), 'the pair stays locked').toBe('TOO_MANY_REQUESTS');
  });
});

describe('the failed-login lock lets right passwords through until failures lock it', () => {
  const gateway = useGateway();
  const attempt = (username: string, password: string) =>
    attemptLogin(gateway().url, username, password).then((error) => error?.code);

  it('50 parallel logins of one account from one IP with the right password all succeed', async () => {
    await insertUser(gateway().db, 'crowded01');
    const codes = await Promise.all(times(50, () => attempt('crowded01', PASSWORD)));
    expect(tally(codes)).toEqual({ ok: 50 });
  });

  it('a success clears the count: 4 failures, a login, 4 more failures and the right password still logs in', async () => {
    await insertUser(gateway().db, 'cleared02');
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < LOCK - 1; i++)
        expect(await attempt('cleared02', 'wrong password')).toBe('INVALID_CREDENTIALS');
      expect(await attempt('cleared02', PASSWORD), `login of round ${round}`).toBeUndefined();
    }
    // Without a success in between, the 5th failure locks the pair.
    for (let i = 0; i < LOCK; i++) expect(await attempt('cleared02', 'wrong password')).toBe('INVALID_CREDENTIALS');
    expect(await attempt('cleared02', PASSWORD)).toBe('TOO_MANY_REQUESTS');
  });
});

describe('the failed-login lock tells nothing of which accounts exist', () => {
  const gateway = useGateway();
  const attempt = (username: string, password: string) =>
    attemptLogin(gateway().url, username, password).then((error) => error?.code);

  /** Spellings of `base` that differ in letter case, accents or full-width forms only. */
  const spellings = (base: string) => [
    base.toUpperCase().replace(/^A/, 'À'),
    base.replace(/^a/, 'á'),
    base.toUpperCase(),
    base.replace(/^a/, 'ａ'),
    base.replace(/^a/, 'Å'),
  ];

  /** 5 failures under other spellings, then the plain spelling, with a wrong and with the right password. */
  async function lockSequence(base: string): Promise<(string | undefined)[]> {
    const codes = [];
    for (const spelling of spellings(base)) codes.push(await attempt(spelling, 'wrong password'));
    codes.push(await attempt(base, 'wrong password'));
    codes.push(await attempt(base, PASSWORD));
    return codes;
  }

  it('5 failures as ÀLICE…, áLICE…, ＡLICE… lock the plain spelling alike for an existing and a missing account', async () => {
    await insertUser(gateway().db, 'alice001');

    const existing = await lockSequence('alice001');
    const missing = await lockSequence('alice002');

    const expected = [...times(LOCK, () => 'INVALID_CREDENTIALS'), 'TOO_MANY_REQUESTS', 'TOO_MANY_REQUESTS'];
    expect({ existing, missing }).toEqual({ existing: expected, missing: expected });
  });

  it('an existing and a missing account are locked alike after 5 failures under their plain spelling', async () => {
    await insertUser(gateway().db, 'alice003');
    const plainSequence = async (username: string) => {
      const codes = [];
      for (let i = 0; i < LOCK + 1; i++) codes.push(await attempt(username, 'wrong password'));
      return codes;
    };
    expect(await plainSequence('alice003')).toEqual(await plainSequence('alice004'));
  });
});
