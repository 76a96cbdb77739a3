import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import { AppError } from '../../src/errors.js';
import { login } from '../helpers/accounts.js';
import { errorOf } from '../helpers/attempts.js';
import type { Gateway } from '../helpers/gateway.js';
import { useGateway } from '../helpers/gateway-hooks.js';
import { type GraphqlResponse, gql, ops } from '../helpers/graphql.js';
import { claimsOf } from '../helpers/jwt.js';
import { insertUser } from '../helpers/legacy-users.js';

const code = (answer: GraphqlResponse) => errorOf(answer)?.code ?? 'ok';

/**
 * Redis failing for one command, just as a revocation is written (a blip, a failover): the
 * operation answers SERVICE_UNAVAILABLE, and when the client tries again the revocation holds.
 * It must never be recorded in the table alone, where no retry would write it to the store
 * again and every token of the session would live on.
 */
describe('a store write failing in the middle of a revocation', () => {
  const gateway = useGateway({ env: { REFRESH_REUSE_INTERVAL: '0' } });
  const sibling = useGateway(() => ({ env: { REFRESH_REUSE_INTERVAL: '0' }, shareWith: gateway() }));

  /** The next revocation write of the first instance's store fails as an unreachable Redis does. */
  function failNextStoreWrite(): void {
    const { store } = gateway().app.services;
    const down = () => new AppError('SERVICE_UNAVAILABLE', { cause: 'Redis failed (test)' });
    vi.spyOn(store, 'writeField').mockRejectedValueOnce(down());
    vi.spyOn(store, 'writeFields').mockRejectedValueOnce(down());
  }
  const restoreStore = () => vi.restoreAllMocks();

  const works = async (gw: Gateway, token: string) => code(await gql(gw.url, ops.me, {}, token)) === 'ok';
  async function devices(username: string, count: number): Promise<string[]> {
    await insertUser(gateway().db, username);
    const tokens: string[] = [];
    for (let i = 0; i < count; i++) tokens.push((await login(gateway().url, username)).token);
    return tokens;
  }

  it('revokeSession: refused with 503, and the retry revokes it', async () => {
    const [keeper, lost] = (await devices('blipuser01', 2)) as [string, string];
    const revoke = () => gql(gateway().url, ops.revokeSession, { id: claimsOf(lost).sid }, keeper);
    failNextStoreWrite();
    try {
      expect(code(await revoke())).toBe('SERVICE_UNAVAILABLE');
    } finally {
      restoreStore();
    }
    expect(code(await revoke())).toBe('ok');
    for (const gw of [gateway(), sibling()]) {
      expect(await works(gw, lost)).toBe(false);
      expect(await works(gw, keeper)).toBe(true);
    }
  });

  it('revokeOtherSessions: refused with 503, and the retry revokes them', async () => {
    const [keeper, ...others] = (await devices('blipuser02', 3)) as [string, ...string[]];
    const revoke = () => gql(gateway().url, ops.revokeOtherSessions, {}, keeper);
    failNextStoreWrite();
    try {
      expect(code(await revoke())).toBe('SERVICE_UNAVAILABLE');
    } finally {
      restoreStore();
    }
    expect((await revoke()).data?.revokeOtherSessions).toBe(2);
    for (const gw of [gateway(), sibling()]) for (const token of others) expect(await works(gw, token)).toBe(false);
  });

  it('logout: refused with 503, and the retry logs out', async () => {
    const [token] = (await devices('blipuser03', 1)) as [string];
    failNextStoreWrite();
    try {
      expect(code(await gql(gateway().url, ops.logout, {}, token))).toBe('SERVICE_UNAVAILABLE');
    } finally {
      restoreStore();
    }
    expect(code(await gql(gateway().url, ops.logout, {}, token))).toBe('ok');
    for (const gw of [gateway(), sibling()]) expect(await works(gw, token)).toBe(false);
  });

  it('refresh reuse: the thief’s token stops once a retry finds the reuse', async () => {
    const [victims] = (await devices('blipuser04', 1)) as [string];
    const thiefs = (await gql(sibling().url, ops.refresh, {}, victims)).data!.refresh.accessToken as string;
    await sleep(1100);
    failNextStoreWrite();
    try {
      expect(['SERVICE_UNAVAILABLE', 'UNAUTHENTICATED']).toContain(
        code(await gql(gateway().url, ops.refresh, {}, victims)),
      );
    } finally {
      restoreStore();
    }
    expect(code(await gql(gateway().url, ops.refresh, {}, victims))).toBe('UNAUTHENTICATED');
    for (const gw of [gateway(), sibling()]) expect(await works(gw, thiefs)).toBe(false);
  });

  it('refresh: refused with 503; the retry, even past the reuse interval, refreshes, and the old token stops', async () => {
    const [token] = (await devices('blipuser05', 1)) as [string];
    failNextStoreWrite();
    try {
      expect(code(await gql(gateway().url, ops.refresh, {}, token))).toBe('SERVICE_UNAVAILABLE');
    } finally {
      restoreStore();
    }
    await sleep(1100);
    const retried = await gql(gateway().url, ops.refresh, {}, token);
    expect(code(retried), 'no false theft alarm').toBe('ok');
    const renewed = retried.data!.refresh.accessToken as string;
    for (const gw of [gateway(), sibling()]) {
      expect(await works(gw, token)).toBe(false);
      expect(await works(gw, renewed)).toBe(true);
    }
  });
});
