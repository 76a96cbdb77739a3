import { describe, expect, it } from 'vitest';
import { PASSWORD } from '../helpers/accounts.js';
import { useGateway } from '../helpers/gateway-hooks.js';
import { insertUser } from '../helpers/legacy-users.js';
import { graphqlTransport, type Outcome, restTransport } from '../helpers/transports.js';

// A subscriber is usually given a whole IPv6 /64: counting each of its 2^64 addresses on its own
// would let one client pick a fresh address for every request.

const LIMIT = 3;
const LOGIN_LOCK = 5;

/** Each transport with a /48 of its own, so their clients never share a count. */
const TRANSPORTS = [
  ['GraphQL', graphqlTransport, '2001:db8:a'],
  ['REST', restTransport, '2001:db8:b'],
] as const;

type TransportTo = (typeof TRANSPORTS)[number][1];

const viaProxy = (transportTo: TransportTo, url: string, client: string) =>
  transportTo(url, { from: '127.0.0.1', headers: { 'x-forwarded-for': client } });

/** Distinct addresses of the /64 whose first four groups are `prefix`, written in several ways. */
const addressesOf = (prefix: string) => [
  `${prefix}::1`,
  `${prefix}::2`,
  `${prefix}:ffff:ffff:ffff:ffff`,
  `${prefix}:1234:5678:9abc:def0`,
  `${prefix.toUpperCase()}:0:0:0:42`,
  `${prefix}:a::b`,
  `${prefix}:b::c`,
];

describe('per-IP limits count an IPv6 client by its /64 (behind a proxy on loopback)', () => {
  const gateway = useGateway({
    env: { TRUST_PROXY: '127.0.0.1', RATE_LIMIT_SIGN: String(LIMIT), RATE_LIMIT_ACCESS: String(LIMIT) },
  });

  describe.each(TRANSPORTS)('%s', (_name, transportTo, site) => {
    const from = (client: string) => viaProxy(transportTo, gateway().url, client);
    const inNetwork = (subnet: number) => addressesOf(`${site}:${subnet}`);

    async function expectSharedLimit(subnet: number, call: (client: string) => Promise<Outcome>) {
      const [first, ...others] = inNetwork(subnet);
      for (const client of [first!, ...others.slice(0, LIMIT - 1)]) {
        expect((await call(client)).code, client).not.toBe('TOO_MANY_REQUESTS');
      }
      expect((await call(others[LIMIT]!)).code, 'another address of the same /64').toBe('TOO_MANY_REQUESTS');
      expect((await call(`${site}:${subnet + 100}::1`)).code, 'an address of another /64').not.toBe(
        'TOO_MANY_REQUESTS',
      );
    }

    it('RATE_LIMIT_SIGN: captchas from addresses of one /64 share a limit; another /64 has its own', async () => {
      await expectSharedLimit(1, (client) => from(client).captcha());
    });

    it('RATE_LIMIT_ACCESS: me without a token from addresses of one /64 shares a limit; another /64 has its own', async () => {
      await expectSharedLimit(2, (client) => from(client).me());
    });
  });
});

describe('the failed-login lock counts an IPv6 client by its /64 (behind a proxy on loopback)', () => {
  const gateway = useGateway({ env: { TRUST_PROXY: '127.0.0.1' } });

  it.each(TRANSPORTS)(
    '%s: 5 failures from 5 addresses of one /64 lock the 6th of that /64, not another /64',
    async (name, transportTo, site) => {
      const username = `six4lock${name.length}`;
      await insertUser(gateway().db, username);
      const [sixth, ...failing] = addressesOf(`${site}:7`);
      for (const client of failing.slice(0, LOGIN_LOCK)) {
        expect((await viaProxy(transportTo, gateway().url, client).login(username, 'wrong password')).ok).toBe(false);
      }
      const locked = await viaProxy(transportTo, gateway().url, sixth!).login(username, PASSWORD);
      expect(locked.code, 'the right password from the same /64').toBe('TOO_MANY_REQUESTS');
      const elsewhere = await viaProxy(transportTo, gateway().url, `${site}:8::1`).login(username, PASSWORD);
      expect(elsewhere.ok, 'the right password from another /64').toBe(true);
    },
  );
});
