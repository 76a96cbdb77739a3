import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import bcrypt from 'bcryptjs';
import { afterAll, describe, expect, it } from 'vitest';
import { PasswordHasher } from '../../src/auth/password-hasher.js';
import { median } from '../helpers/failures.js';
import { legacyFixture } from '../helpers/legacy-fixture.js';

const legacyUser = legacyFixture().users[0]!;

async function elapsedMs(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

describe('password hashes', () => {
  const hasher = new PasswordHasher(4, 2);
  afterAll(() => hasher.close());

  it("verifies the legacy service's $2y$ hash", async () => {
    expect(legacyUser.password).toMatch(/^\$2y\$10\$/);
    expect(await hasher.check(legacyUser.password_plain, legacyUser.password)).toBe(true);
    expect(await hasher.check('Password', legacyUser.password)).toBe(false);
  });

  it('verifies $2a$ and $2b$ hashes too', async () => {
    const hash = bcrypt.hashSync('secret-pw', 4);
    for (const prefix of ['$2a$', '$2b$']) {
      expect(await hasher.check('secret-pw', hash.replace(/^\$2.\$/, prefix))).toBe(true);
    }
  });

  it('writes new hashes as $2y$ at the configured cost, salted, and they verify', async () => {
    const [first, second] = await Promise.all([hasher.hash('new password'), hasher.hash('new password')]);
    expect(first).toMatch(/^\$2y\$04\$[./A-Za-z0-9]{53}$/);
    expect(second).not.toBe(first);
    expect(await hasher.check('new password', first!)).toBe(true);
    expect(await hasher.check('new passwort', first!)).toBe(false);
  });

  it('refuses a value that is no bcrypt hash instead of failing', async () => {
    expect(await hasher.check('password', 'plain-text-password')).toBe(false);
    expect(await hasher.check('password', '')).toBe(false);
  });

  it('answers false without a stored hash, even for the password of the dummy it checks against', async () => {
    expect(await hasher.check('anything', null)).toBe(false);
    expect(await hasher.check('storegate-timing-equaliser', null)).toBe(false);
  });
});

describe('needsRehash', () => {
  const hasher = new PasswordHasher(10, 1);
  afterAll(() => hasher.close());
  const atCost = (cost: string) => legacyUser.password.replace('$10$', `$${cost}$`);

  it('is true below the configured cost and false at or above it', () => {
    expect(hasher.needsRehash(atCost('04'))).toBe(true);
    expect(hasher.needsRehash(atCost('09'))).toBe(true);
    expect(hasher.needsRehash(legacyUser.password)).toBe(false);
    expect(hasher.needsRehash(atCost('12'))).toBe(false);
  });

  it('is true for a value that is no bcrypt hash', () => {
    expect(hasher.needsRehash('plain-text-password')).toBe(true);
  });
});

describe('at cost 10', () => {
  const hasher = new PasswordHasher(10, 2);
  afterAll(() => hasher.close());

  it('a check without a stored hash takes about as long as a wrong password against a real hash', async () => {
    await hasher.check('warm-up: builds the dummy hash', null);
    const miss: number[] = [];
    const wrong: number[] = [];
    for (let i = 0; i < 5; i++) {
      miss.push(await elapsedMs(() => hasher.check('wrong password', null)));
      wrong.push(await elapsedMs(() => hasher.check('wrong password', legacyUser.password)));
    }
    const ratio = median(miss) / median(wrong);
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });

  it('never blocks the event loop: 4 concurrent hashes delay it far less than one hash lasts', async () => {
    const blockingMs = await elapsedMs(async () => bcrypt.hashSync('how long one hash blocks', 10));
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const hashingMs = await elapsedMs(() => Promise.all(Array.from({ length: 4 }, (_, i) => hasher.hash(`pw-${i}`))));
    delay.disable();
    const maxDelayMs = delay.max / 1e6;

    expect(hashingMs).toBeGreaterThan(blockingMs);
    expect(maxDelayMs).toBeLessThan(blockingMs / 2);
  });
});

describe('failures take as long as checking the costliest stored hash', () => {
  const hasher = new PasswordHasher(4, 1);
  afterAll(() => hasher.close());
  const cheap = bcrypt.hashSync('right password', 4);
  const costly = bcrypt.hashSync('right password', 9);

  it('pads a wrong password against a cheap hash, and a miss, to the time of the costly one', async () => {
    await hasher.check('wrong', costly);
    const costlyMs = median(await times(7, () => elapsedMs(() => hasher.check('wrong', costly))));
    const cheapMs = median(await times(7, () => elapsedMs(() => hasher.check('wrong', cheap))));
    const missMs = median(await times(7, () => elapsedMs(() => hasher.check('wrong', null))));
    expect(costlyMs).toBeGreaterThan(10);
    for (const ms of [cheapMs, missMs]) expect(Math.abs(ms - costlyMs) / costlyMs).toBeLessThan(0.3);
  });

  it('answers a right password at once, whatever the costliest hash', async () => {
    const rightMs = median(await times(7, () => elapsedMs(() => hasher.check('right password', cheap))));
    const costlyMs = median(await times(7, () => elapsedMs(() => hasher.check('wrong', costly))));
    expect(await hasher.check('right password', cheap)).toBe(true);
    expect(rightMs).toBeLessThan(costlyMs / 3);
  });
});

async function times(count: number, measure: () => Promise<number>): Promise<number[]> {
  const results: number[] = [];
  for (let i = 0; i < count; i++) results.push(await measure());
  return results;
}
