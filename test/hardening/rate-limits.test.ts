import { describe, expect, it } from 'vitest';
import { PASSWORD } from '../helpers/accounts.js';
import { useGateway } from '../helpers/gateway-hooks.js';
import { insertUser } from '../helpers/legacy-users.js';
import { graphqlTransport, type Origin, type Outcome, restTransport, tokenOf } from '../helpers/transports.js';

// The login lock per (username, IP), the per-IP limits over GraphQL and REST's 429 headers are
// proven in test/integration/login.test.ts and test/e2e/rest.test.ts; this adds who the client is.

const LIMIT = 3;
const LIMITS = { RATE_LIMIT_SIGN: String(LIMIT), RATE_LIMIT_ACCESS: String(LIMIT) };
/** Each transport with its own third octet, so their clients never share a count. */
const TRANSPORTS = [
  ['GraphQL', graphqlTransport, 1],
  ['REST', restTransport, 2],
] as const;

const forwardedFor = (client: string): Origin['headers'] => ({ 'x-forwarded-for': client });

/** The first LIMIT calls pass, the next is refused with a time to wait (429 and its headers on REST). */
async function expectThrottledAfterLimit(call: (i: number) => Promise<Outcome>): Promise<void> {
  for (let i = 0; i < LIMIT; i++) expect((await call(i)).code).not.toBe('TOO_MANY_REQUESTS');
  const refused = await call(LIMIT);
  expect(refused.code).toBe('TOO_MANY_REQUESTS');
  expect(refused.retryAfter).toBeGreaterThan(0);
  expect(refused.retryAfter).toBeLessThanOrEqual(60);
}

describe('throttles with TRUST_PROXY unset: the client IP is the socket’s', () => {
  const gateway = useGateway({ env: LIMITS });

  describe.each(TRANSPORTS)('%s', (_name, transportTo, n) => {
    const from = (address: string, headers?: Origin['headers']) =>
      transportTo(gateway().url, { from: address, headers });

    it('RATE_LIMIT_SIGN: a client sending X-Forwarded-For headers of its choice is still one client', async () => {
      await expectThrottledAfterLimit((i) => from(`127.0.${n}.1`, forwardedFor(`203.0.113.${i}`)).captcha());
      expect((await from(`127.0.${n}.2`).captcha()).ok, 'another client').toBe(true);
    });

    it('RATE_LIMIT_ACCESS: a user is one client, whichever addresses the requests come from', async () => {
      const username = `accessuser${n}`;
      await insertUser(gateway().db, username);
      const token = tokenOf(await from(`127.0.${n}.3`).login(username, PASSWORD));
      await expectThrottledAfterLimit((i) => from(`127.0.${n}.${10 + i}`).me(token));
    });
  });
});

describe('throttles with TRUST_PROXY=127.0.0.1: the gateway behind a proxy on that address', () => {
  const gateway = useGateway({ env: { ...LIMITS, TRUST_PROXY: '127.0.0.1' } });

  describe.each(TRANSPORTS)('%s', (_name, transportTo, n) => {
    const viaProxy = (client: string) =>
      transportTo(gateway().url, { from: '127.0.0.1', headers: forwardedFor(client) });

    it('counts each forwarded client on its own', async () => {
      await expectThrottledAfterLimit(() => viaProxy(`198.51.100.${n}`).captcha());
      expect((await viaProxy(`198.51.100.${n + 10}`).captcha()).ok, 'another forwarded client').toBe(true);
    });

    it('ignores the header of a client that bypasses the proxy', async () => {
      const claimed = `198.51.100.${n + 20}`;
      const bypassing = transportTo(gateway().url, { from: `127.0.${n}.50`, headers: forwardedFor(claimed) });
      await expectThrottledAfterLimit(() => bypassing.captcha());
      expect((await viaProxy(claimed).captcha()).ok, 'the client it claimed to be').toBe(true);
    });
  });
});
