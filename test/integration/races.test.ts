import { describe, expect, it } from 'vitest';
import { login, newCaptchaKey, newInvitationCode, registerInput } from '../helpers/accounts.js';
import { errorOf, outcomes } from '../helpers/attempts.js';
import { useGateway } from '../helpers/gateway-hooks.js';
import { gql, ops } from '../helpers/graphql.js';
import { insertUser } from '../helpers/legacy-users.js';
import { countUsers, registerAtOnce, times, usageTimes } from '../helpers/races.js';

describe('races on MariaDB and Redis, with concurrent HTTP requests', () => {
  const gw = useGateway();

  it('20 registrations of one username: exactly one user, 19 USERNAME_TAKEN, one invitation use', async () => {
    const code = await newInvitationCode(gw().app, 100);
    const results = await registerAtOnce(
      [gw().url],
      code,
      times(20, () => ({ username: 'samename01' })),
    );

    expect(outcomes(results)).toEqual({ ok: 1, USERNAME_TAKEN: 19 });
    expect(await countUsers(gw().db, 'username = ?', ['samename01'])).toBe(1);
    expect(await usageTimes(gw().db, code)).toBe(1);
  });

  it('20 case variants of one username at once: exactly one user', async () => {
    const variant = (i: number) => [...'casevariant'].map((c, bit) => ((i >> bit) & 1 ? c.toUpperCase() : c)).join('');
    const code = await newInvitationCode(gw().app, 100);
    const results = await registerAtOnce(
      [gw().url],
      code,
      times(20, (i) => ({ username: variant(i) })),
    );

    expect(outcomes(results)).toEqual({ ok: 1, USERNAME_TAKEN: 19 });
    expect(await countUsers(gw().db, 'LOWER(username) = ?', ['casevariant'])).toBe(1);
    expect(await usageTimes(gw().db, code)).toBe(1);
  });

  it('20 registrations sharing a one-use invitation: one user, 19 INVITATION_INVALID, no other row', async () => {
    const code = await newInvitationCode(gw().app, 1);
    const usernames = times(20, (i) => ({ username: `oneuse${String(i).padStart(2, '0')}` }));
    const results = await registerAtOnce([gw().url], code, usernames);

    expect(outcomes(results)).toEqual({ ok: 1, INVITATION_INVALID: 19 });
    expect(await countUsers(gw().db, 'username LIKE ?', ['oneuse%'])).toBe(1);
    expect(await countUsers(gw().db, 'invitation_code = ?', [code])).toBe(1);
    expect(await usageTimes(gw().db, code)).toBe(1);
  });

  it('10 registrations presenting one captcha key: one gets past it, 9 CAPTCHA_INVALID', async () => {
    const code = await newInvitationCode(gw().app, 100);
    const captchaKey = await newCaptchaKey(gw().url);
    const inputs = times(10, (i) => ({ username: `onecaptcha${i}`, captchaKey }));
    const results = await registerAtOnce([gw().url], code, inputs);

    expect(outcomes(results)).toEqual({ ok: 1, CAPTCHA_INVALID: 9 });
    expect(await countUsers(gw().db, 'username LIKE ?', ['onecaptcha%'])).toBe(1);
    expect(await usageTimes(gw().db, code)).toBe(1);
  });

  it('10 refreshes of one token: exactly one new token, 9 UNAUTHENTICATED', async () => {
    await insertUser(gw().db, 'refresher01');
    const { token } = await login(gw().url, 'refresher01');
    const results = await Promise.all(times(10, () => gql(gw().url, ops.refresh, {}, token)));

    expect(outcomes(results)).toEqual({ ok: 1, UNAUTHENTICATED: 9 });
    const renewed = results.find((r) => r.data?.refresh)!.data!.refresh.accessToken as string;
    expect((await gql(gw().url, ops.me, {}, renewed)).data?.me.username).toBe('refresher01');
  });

  it('a username differing only in letter case is taken', async () => {
    const code = await newInvitationCode(gw().app, 10);
    const register = async (username: string) =>
      gql(gw().url, ops.register, { input: await registerInput(gw().url, code, { username }) });

    expect(errorOf(await register('Alice01'))).toBeUndefined();
    expect(errorOf(await register('alice01'))).toMatchObject({ code: 'USERNAME_TAKEN', legacyCode: 40001 });
    expect(await countUsers(gw().db, 'LOWER(username) = ?', ['alice01'])).toBe(1);
    expect(await usageTimes(gw().db, code)).toBe(1);
  });
});
