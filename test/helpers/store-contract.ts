import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyValueStore } from '../../src/store/store.js';

export interface StoreFixture {
  store: KeyValueStore;
  dispose(): Promise<void>;
}

const CONCURRENT_CALLERS = 20;
const unique = (label: string): string => `${label}:${randomBytes(4).toString('hex')}`;

/** What every KeyValueStore must do, whichever back end holds the state. */
export function storeContract(name: string, open: () => Promise<StoreFixture>): void {
  describe(`${name} store contract`, () => {
    let fixture: StoreFixture;
    let store: KeyValueStore;
    beforeAll(async () => {
      fixture = await open();
      store = fixture.store;
    });
    afterAll(async () => fixture?.dispose());

    it('answers ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it('gets what was set, and overwrites on set', async () => {
      const key = unique('kv');
      expect(await store.get(key)).toBeNull();
      await store.set(key, 'first', 60);
      await store.set(key, 'second', 60);
      expect(await store.get(key)).toBe('second');
    });

    it('lets entries and counter windows expire after their TTL', async () => {
      const plain = unique('ttl');
      const claimed = unique('ttl');
      const counter = store.counter({ name: unique('window'), limit: 1, windowSeconds: 1 });
      await store.set(plain, 'v', 1);
      expect(await store.setIfAbsent(claimed, 'v', 1)).toBe(true);
      await counter.hit('client');
      expect((await counter.hit('client')).allowed).toBe(false);

      await sleep(1500);
      expect(await store.get(plain)).toBeNull();
      expect(await store.setIfAbsent(claimed, 'again', 60)).toBe(true);
      expect((await counter.hit('client')).allowed).toBe(true);
    });

    it(`setIfAbsent: exactly one of ${CONCURRENT_CALLERS} concurrent callers stores its value`, async () => {
      const key = unique('nx');
      const results = await Promise.all(
        Array.from({ length: CONCURRENT_CALLERS }, (_, i) => store.setIfAbsent(key, `caller-${i}`, 60)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store.get(key)).toBe(`caller-${results.indexOf(true)}`);
    });

    it(`take: exactly one of ${CONCURRENT_CALLERS} concurrent callers gets the value, which is then gone`, async () => {
      const key = unique('once');
      await store.set(key, 'secret', 60);
      const results = await Promise.all(Array.from({ length: CONCURRENT_CALLERS }, () => store.take(key)));
      expect(results.filter((v) => v === 'secret')).toHaveLength(1);
      expect(results.filter((v) => v === null)).toHaveLength(CONCURRENT_CALLERS - 1);
      expect(await store.get(key)).toBeNull();
      expect(await store.take(key)).toBeNull();
    });

    describe('hashes of fields, read with a marker', () => {
      const nowSeconds = () => Math.floor(Date.now() / 1000);

      it('reads the fields asked for (null where absent) and the marker (null until it is set), in one call', async () => {
        const [key, marker] = [unique('hash'), unique('marker')];
        expect(await store.readFields(key, ['a', 'b'], marker)).toEqual({ marker: null, values: [null, null] });
        await store.writeField({ key, field: 'a', value: '1', keepUntil: nowSeconds() + 60 });
        await store.writeFields([
          { key, field: 'c', value: '3', keepUntil: nowSeconds() + 60 },
          { key: unique('other'), field: 'b', value: 'elsewhere', keepUntil: nowSeconds() + 60 },
        ]);
        await store.set(marker, 'intact');
        expect(await store.readFields(key, ['a', 'b', 'c'], marker)).toEqual({
          marker: 'intact',
          values: ['1', null, '3'],
        });
      });

      it(`writeField ifAbsent: exactly one of ${CONCURRENT_CALLERS} concurrent callers sets the field`, async () => {
        const key = unique('hash');
        const results = await Promise.all(
          Array.from({ length: CONCURRENT_CALLERS }, (_, i) =>
            store.writeField(
              { key, field: 'f', value: `caller-${i}`, keepUntil: nowSeconds() + 60 },
              { ifAbsent: true },
            ),
          ),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        const { values } = await store.readFields(key, ['f'], unique('marker'));
        expect(values).toEqual([`caller-${results.indexOf(true)}`]);
      });

      it('keeps a hash until the latest keepUntil of its writes, a shorter one never shortening it, then drops it', async () => {
        const [kept, dropped] = [unique('hash'), unique('hash')];
        const soon = nowSeconds() + 1;
        await store.writeField({ key: kept, field: 'late', value: 'v', keepUntil: soon + 60 });
        await store.writeField({ key: kept, field: 'early', value: 'v', keepUntil: soon });
        await store.writeFields([{ key: dropped, field: 'f', value: 'v', keepUntil: soon }]);
        await sleep((soon + 1) * 1000 - Date.now() + 200);
        expect((await store.readFields(kept, ['late', 'early'], unique('m'))).values).toEqual(['v', 'v']);
        expect((await store.readFields(dropped, ['f'], unique('m'))).values).toEqual([null]);
      });
    });

    describe('counters', () => {
      const limit = 3;
      const window = 60;
      const newCounter = () => store.counter({ name: unique('counter'), limit, windowSeconds: window });

      it('counts hits up to the limit, then refuses with a retryAfter within the window', async () => {
        const counter = newCounter();
        const allowed = [];
        for (let i = 0; i < limit; i++) allowed.push(await counter.hit('client'));
        expect(allowed.map((s) => [s.allowed, s.count, s.remaining])).toEqual([
          [true, 1, 2],
          [true, 2, 1],
          [true, 3, 0],
        ]);
        const refused = await counter.hit('client');
        expect(refused).toMatchObject({ allowed: false, remaining: 0 });
        expect(refused.retryAfter).toBeGreaterThan(0);
        expect(refused.retryAfter).toBeLessThanOrEqual(window);
      });

      it('keeps one count per key', async () => {
        const counter = newCounter();
        for (let i = 0; i <= limit; i++) await counter.hit('busy');
        expect((await counter.hit('quiet')).allowed).toBe(true);
      });

      it('peek reads the state without counting', async () => {
        const counter = newCounter();
        expect(await counter.peek('client')).toEqual({ allowed: true, count: 0, remaining: limit, retryAfter: 0 });
        await counter.hit('client');
        const peeks = [await counter.peek('client'), await counter.peek('client')];
        expect(peeks.map((s) => s.count)).toEqual([1, 1]);
      });

      it('lock refuses the key for the given time, and reset clears it', async () => {
        const counter = newCounter();
        await counter.lock('client', 30);
        const locked = await counter.peek('client');
        expect(locked.allowed).toBe(false);
        expect(locked.retryAfter).toBeGreaterThan(25);
        expect(locked.retryAfter).toBeLessThanOrEqual(30);
        expect((await counter.hit('client')).allowed).toBe(false);

        await counter.reset('client');
        expect(await counter.peek('client')).toMatchObject({ allowed: true, count: 0 });
        expect((await counter.hit('client')).allowed).toBe(true);
      });

      it(`counts ${CONCURRENT_CALLERS} concurrent hits exactly once each`, async () => {
        const counter = store.counter({ name: unique('counter'), limit: 5, windowSeconds: window });
        const states = await Promise.all(Array.from({ length: CONCURRENT_CALLERS }, () => counter.hit('client')));
        expect(states.filter((s) => s.allowed)).toHaveLength(5);
        expect((await counter.peek('client')).count).toBe(CONCURRENT_CALLERS);
      });
    });
  });
}
