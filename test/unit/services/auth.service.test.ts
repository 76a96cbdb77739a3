import { describe, expect, it } from 'vitest';
import { User, UserStatus } from '../../../src/db/entities/user.entity.js';
import { CAPTCHA_CODE } from '../../helpers/constants.js';
import {
  client,
  failureOf,
  invitationCode,
  login,
  PASSWORD,
  register,
  registration,
  useEmbeddedServices,
} from '../../helpers/embedded-services.js';

describe('AuthService on SQLite and the in-process store', () => {
  const opened = useEmbeddedServices();
  const services = () => opened().services;

  describe('register', () => {
    it('creates the user with a session, and takes the invitation code’s one use', async () => {
      const code = await invitationCode(services());
      const { user, token } = (
        await services().auth.register(await registration(services(), 'newcomer01', { invitationCode: code }), client())
      ).value;
      expect(user).toMatchObject({ username: 'newcomer01', status: UserStatus.Enabled });
      expect(token.claims.sub).toBe(String(user.id));
      const me = await services().sessions.me(client('192.0.2.10', token.token));
      expect(me.value.id).toBe(user.id);

      const reused = registration(services(), 'newcomer02', { invitationCode: code });
      expect(await failureOf(async () => services().auth.register(await reused, client()))).toBe('INVITATION_INVALID');
      expect(await services().database.users.exists('newcomer02')).toBe(false);
    });

    it('refuses an unknown invitation code and stores nothing', async () => {
      const input = await registration(services(), 'uninvited1', { invitationCode: 'NOSUCHCODE00' });
      expect(await failureOf(() => services().auth.register(input, client()))).toBe('INVITATION_INVALID');
      expect(await services().database.users.exists('uninvited1')).toBe(false);
    });

    it('consumes the captcha whatever the outcome: wrong, then gone', async () => {
      const input = await registration(services(), 'captcha001');
      expect(await failureOf(() => services().auth.register({ ...input, captchaCode: 'ZZZZZ' }, client()))).toBe(
        'CAPTCHA_WRONG',
      );
      expect(await failureOf(() => services().auth.register(input, client()))).toBe('CAPTCHA_EXPIRED');
      expect(await services().database.users.exists('captcha001')).toBe(false);
    });

    it('compares the captcha code without regard to case or surrounding space', async () => {
      const input = await registration(services(), 'captcha002', { captchaCode: ` ${CAPTCHA_CODE.toLowerCase()} ` });
      expect((await services().auth.register(input, client())).value.user.username).toBe('captcha002');
    });

    it('refuses a username taken in another letter case, leaving the invitation code unused', async () => {
      await register(services(), 'taken0001');
      const code = await invitationCode(services());
      const input = await registration(services(), 'TAKEN0001', { invitationCode: code });
      expect(await failureOf(() => services().auth.register(input, client()))).toBe('USERNAME_TAKEN');
      const [invitation] = (await services().invitations.list()).filter((c) => c.code === code);
      expect(invitation?.usageTimes).toBe(0);
    });

    it('refuses invalid fields with the field named', async () => {
      const input = await registration(services(), 'shortpw01', { passwordConfirmation: 'different1' });
      expect(await failureOf(() => services().auth.register(input, client()))).toBe('INVALID_INPUT');
      expect(await services().database.users.exists('shortpw01')).toBe(false);
    });
  });

  describe('login', () => {
    it('answers a token of a new session for the right password, in any letter case of the username', async () => {
      const { user } = await register(services(), 'login00001');
      const token = await login(services(), 'LOGIN00001');
      const me = await services().sessions.me(client('192.0.2.10', token));
      expect(me.value.id).toBe(user.id);
      const sessions = await services().sessions.list(client('192.0.2.10', token));
      expect(sessions.value.map((s) => s.current)).toEqual([true, false]);
    });

    it('answers a wrong password and an unknown user alike', async () => {
      await register(services(), 'login00002');
      const wrong = () => services().auth.login({ username: 'login00002', password: 'wrong-password' }, client());
      const unknown = () => services().auth.login({ username: 'nobody0002', password: PASSWORD }, client());
      expect(await failureOf(wrong)).toBe('INVALID_CREDENTIALS');
      expect(await failureOf(unknown)).toBe('INVALID_CREDENTIALS');
    });

    it('tells a disabled account so, only after the right password', async () => {
      const { user } = await register(services(), 'disabled01');
      await services().database.orm.em.fork().nativeUpdate(User, { id: user.id }, { status: UserStatus.Disabled });
      const attempt = (password: string) => () =>
        services().auth.login({ username: 'disabled01', password }, client('192.0.2.20'));
      expect(await failureOf(attempt('wrong-password'))).toBe('INVALID_CREDENTIALS');
      expect(await failureOf(attempt(PASSWORD))).toBe('ACCOUNT_DISABLED');
    });

    it('locks the (username, client) pair after LOGIN_MAX_ATTEMPTS failures, the right password included', async () => {
      await register(services(), 'locked0001');
      const { loginMaxAttempts } = opened().config.limits;
      const attempt =
        (username: string, password: string, ip = '192.0.2.30') =>
        () =>
          services().auth.login({ username, password }, client(ip));
      for (let i = 0; i < loginMaxAttempts; i++) {
        expect(await failureOf(attempt(i % 2 ? 'LOCKED0001' : 'locked0001', 'wrong-password'))).toBe(
          'INVALID_CREDENTIALS',
        );
      }
      expect(await failureOf(attempt('locked0001', PASSWORD))).toBe('TOO_MANY_REQUESTS');
      // Another client, and another username from the same client, are not locked.
      expect(await login(services(), 'locked0001', PASSWORD, client('192.0.2.31'))).toMatch(/^ey/);
      expect(await failureOf(attempt('other00001', 'wrong-password'))).toBe('INVALID_CREDENTIALS');
    });

    it('a success before the limit clears the count of failures', async () => {
      await register(services(), 'cleared001');
      const { loginMaxAttempts } = opened().config.limits;
      const from = client('192.0.2.40');
      for (let round = 0; round < 2; round++) {
        for (let i = 0; i < loginMaxAttempts - 1; i++) {
          const wrong = () => services().auth.login({ username: 'cleared001', password: 'wrong-password' }, from);
          expect(await failureOf(wrong)).toBe('INVALID_CREDENTIALS');
        }
        expect(await login(services(), 'cleared001', PASSWORD, from)).toMatch(/^ey/);
      }
    });
  });
});
