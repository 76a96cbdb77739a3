import { describe, expect, it } from 'vitest';
import { newInvitationCode, PASSWORD } from '../helpers/accounts.js';
import { CAPTCHA_CODE } from '../helpers/gateway.js';
import { useGateway } from '../helpers/gateway-hooks.js';
import { graphqlTransport, type Outcome, restTransport, tokenOf } from '../helpers/transports.js';

// A shared cache (a proxy, a CDN, the browser's) that kept one of these answers would hand the
// token to whoever asked next.

describe('answers that carry a token say Cache-Control: no-store', () => {
  const gateway = useGateway();

  describe.each([
    ['GraphQL', graphqlTransport],
    ['REST', restTransport],
  ] as const)('%s', (name, transportTo) => {
    const expectNoStore = (outcome: Outcome, what: string) => {
      tokenOf(outcome);
      expect(outcome.answer.headers.get('cache-control'), what).toBe('no-store');
    };

    it('the answers of register, login and refresh', async () => {
      const t = transportTo(gateway().url);
      const username = `nostore${name.toLowerCase()}`;
      const captcha = await t.captcha();
      const registered = await t.register({
        name: 'No Store',
        username,
        password: PASSWORD,
        passwordConfirmation: PASSWORD,
        invitationCode: await newInvitationCode(gateway().app),
        captchaKey: captcha.data.captchaKey ?? captcha.data.captcha_key,
        captchaCode: CAPTCHA_CODE,
      });
      expectNoStore(registered, 'register');
      const loggedIn = await t.login(username, PASSWORD);
      expectNoStore(loggedIn, 'login');
      expectNoStore(await t.refresh(tokenOf(loggedIn)), 'refresh');
    });
  });
});
