import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login, newCaptchaKey, newInvitationCode, PASSWORD, registerInput } from '../helpers/accounts.js';
import { errorOf, outcomes } from '../helpers/attempts.js';
import { type Gateway, startGateway } from '../helpers/gateway.js';
import { gql, ops } from '../helpers/graphql.js';
import { insertUser } from '../helpers/legacy-users.js';
import { countUsers, registerAtOnce, spread, times, usageTimes } from '../helpers/races.js';
import { bothTransports, type Transport, tokenOf } from '../helpers/transports.js';

const UNAUTHENTICATED = 'UNAUTHENTICATED';

describe('two instances sharing MariaDB and Redis', () => {
  let a: Gateway;
  let b: Gateway;
  let urls: string[];
  beforeAll(async () => {
    a = await startGateway();
    b = await startGateway({ shareWith: a });
    urls = [a.url, b.url];
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  /** The same transport to each instance. */
  const onEach = (): Array<[Transport, Transport]> => {
    const [onA, onB] = [bothTransports(a.url), bothTransports(b.url)];
    return onA.map((t, i) => [t, onB[i]!]);
  };

  it('a token logged out on A is refused on B, for me, refresh and logout', async () => {
    for (const [onA, onB] of onEach()) {
      await insertUser(a.db, `${onA.name.toLowerCase()}out01`);
      const token = tokenOf(await onA.login(`${onA.name.toLowerCase()}out01`, PASSWORD));
      expect((await onB.me(token)).ok).toBe(true);
      expect((await onA.logout(token)).ok).toBe(true);
      for (const call of [onB.me, onB.refresh, onB.logout]) {
        expect((await call(token)).code, onB.name).toBe(UNAUTHENTICATED);
      }
    }
  });

  it('logoutAll on A ends the sessions opened on B', async () => {
    await insertUser(a.db, 'everywhere02');
    const onB = bothTransports(b.url);
    const fromB = await Promise.all(onB.map(async (t) => tokenOf(await t.login('everywhere02', PASSWORD))));
    const { token } = await login(a.url, 'everywhere02');
    expect((await gql(a.url, ops.logoutAll, {}, token)).data?.logoutAll).toBe(true);
    for (const [i, t] of onB.entries()) expect((await t.me(fromB[i])).code, t.name).toBe(UNAUTHENTICATED);
  });

  it('a captcha issued by A is consumed by a registration on B, and refused when presented again on A', async () => {
    const code = await newInvitationCode(a.app, 2);
    const input = await registerInput(a.url, code);
    expect(errorOf(await gql(b.url, ops.register, { input }))).toBeUndefined();
    const again = { ...input, username: `${input.username}x` };
    expect(errorOf(await gql(a.url, ops.register, { input: again }))).toMatchObject({ code: 'CAPTCHA_INVALID' });
    expect(await usageTimes(a.db, code)).toBe(1);
  });

  it('the login throttle counts the failures made on either instance', async () => {
    await insertUser(a.db, 'throttled02');
    const attempts = urls.flatMap((url) => bothTransports(url));
    for (let i = 0; i < a.config.limits.loginMaxAttempts; i++) {
      expect((await spread(attempts, i).login('throttled02', 'wrong password')).legacyCode).toBe(10003);
    }
    for (const t of attempts) expect((await t.login('throttled02', PASSWORD)).code, t.name).toBe('TOO_MANY_REQUESTS');
  });

  describe('the races hold with the requests spread over both', () => {
    it('20 registrations of one username: one user, one invitation use', async () => {
      const code = await newInvitationCode(a.app, 100);
      const results = await registerAtOnce(
        urls,
        code,
        times(20, () => ({ username: 'spread01' })),
      );
      expect(outcomes(results)).toEqual({ ok: 1, USERNAME_TAKEN: 19 });
      expect(await countUsers(a.db, 'username = ?', ['spread01'])).toBe(1);
      expect(await usageTimes(a.db, code)).toBe(1);
    });

    it('20 registrations sharing a one-use invitation: one user', async () => {
      const code = await newInvitationCode(a.app, 1);
      const results = await registerAtOnce(
        urls,
        code,
        times(20, (i) => ({ username: `spreaduse${i}` })),
      );
      expect(outcomes(results)).toEqual({ ok: 1, INVITATION_INVALID: 19 });
      expect(await countUsers(a.db, 'invitation_code = ?', [code])).toBe(1);
      expect(await usageTimes(a.db, code)).toBe(1);
    });

    it('10 registrations presenting one captcha key: one gets past it', async () => {
      const code = await newInvitationCode(a.app, 100);
      const captchaKey = await newCaptchaKey(a.url);
      const results = await registerAtOnce(
        urls,
        code,
        times(10, (i) => ({ username: `spreadcap${i}`, captchaKey })),
      );
      expect(outcomes(results)).toEqual({ ok: 1, CAPTCHA_INVALID: 9 });
      expect(await usageTimes(a.db, code)).toBe(1);
    });

    it('10 refreshes of one token: exactly one new token', async () => {
      await insertUser(a.db, 'spreadref01');
      const { token } = await login(a.url, 'spreadref01');
      const results = await Promise.all(times(10, (i) => gql(spread(urls, i), ops.refresh, {}, token)));
      expect(outcomes(results)).toEqual({ ok: 1, UNAUTHENTICATED: 9 });
    });
  });
});
