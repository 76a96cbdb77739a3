import { describe, expect, it } from 'vitest';
import { CAPTCHA_CODE } from '../helpers/gateway.js';
import { useGateway } from '../helpers/gateway-hooks.js';
import { gql, ops } from '../helpers/graphql.js';

describe('GraphQL flow on MariaDB and Redis', () => {
  const gw = useGateway();

  it('captcha → register → login → me → refresh → logout', async () => {
    const [code] = await gw().app.services.invitations.create({ count: 1, uses: 1 }, { userId: null });
    const captcha = await gql(gw().url, ops.captcha, { username: 'alice01' });
    expect(captcha.errors).toBeUndefined();
    expect(captcha.data!.requestCaptcha.imageDataUrl).toMatch(/^data:image\/png;base64,/);
    const reg = await gql(gw().url, ops.register, {
      input: {
        name: 'Alice',
        username: 'alice01',
        password: 'password123',
        passwordConfirmation: 'password123',
        invitationCode: code!.code,
        captchaKey: captcha.data!.requestCaptcha.captchaKey,
        captchaCode: CAPTCHA_CODE.toLowerCase(),
      },
    });
    expect(reg.errors).toBeUndefined();
    expect(reg.data!.register.user.username).toBe('alice01');
    const login = await gql(gw().url, ops.login, { input: { username: 'ALICE01', password: 'password123' } });
    expect(login.errors).toBeUndefined();
    const token = login.data!.login.accessToken as string;
    const me = await gql(gw().url, ops.me, {}, token);
    expect(me.data!.me.username).toBe('alice01');
    const refreshed = await gql(gw().url, ops.refresh, {}, token);
    expect(refreshed.errors).toBeUndefined();
    const newToken = refreshed.data!.refresh.accessToken as string;
    expect((await gql(gw().url, ops.me, {}, token)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await gql(gw().url, ops.logout, {}, newToken)).data!.logout).toBe(true);
    const after = await gql(gw().url, ops.me, {}, newToken);
    expect(after.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', legacyCode: 40005 });
  });
});
