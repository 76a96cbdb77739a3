import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  client,
  failureOf,
  login,
  PASSWORD,
  passwordWorks,
  register,
  tokenWorks,
  useEmbeddedServices,
} from '../../helpers/embedded-services.js';

const RESET_TTL_SECONDS = 120;
const NEW_PASSWORD = 'a-new-password-42';

describe('PasswordService on SQLite and the in-process store', () => {
  const opened = useEmbeddedServices({ PASSWORD_RESET_TTL: String(RESET_TTL_SECONDS) });
  const services = () => opened().services;
  const passwords = () => services().passwords;
  const as = (token: string, ip = '192.0.2.70') => client(ip, token);
  const works = (token: string) => tokenWorks(services(), token, client('192.0.2.70'));
  const logsIn = (username: string, password: string) =>
    passwordWorks(services(), username, password, client('192.0.2.79'));
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('change', () => {
    it('checks the current password, then keeps only the caller’s session, with a fresh token', async () => {
      await register(services(), 'changer001');
      const mine = await login(services(), 'changer001');
      const other = await login(services(), 'changer001');
      const { value: renewed } = await passwords().change(
        { currentPassword: PASSWORD, newPassword: NEW_PASSWORD, newPasswordConfirmation: NEW_PASSWORD },
        as(mine),
      );
      expect(await works(renewed.token.token)).toBe(true);
      expect(await works(other)).toBe(false);
      expect(await logsIn('changer001', PASSWORD)).toBe(false);
      expect(await logsIn('changer001', NEW_PASSWORD)).toBe(true);
    });

    it('refuses a wrong current password as a login would, and changes nothing', async () => {
      await register(services(), 'changer002');
      const mine = await login(services(), 'changer002');
      const change = () =>
        passwords().change(
          { currentPassword: 'not-the-password', newPassword: NEW_PASSWORD, newPasswordConfirmation: NEW_PASSWORD },
          as(mine),
        );
      expect(await failureOf(change)).toBe('INVALID_CREDENTIALS');
      expect(await works(mine)).toBe(true);
      expect(await logsIn('changer002', PASSWORD)).toBe(true);
    });

    it('needs a valid token', async () => {
      const change = () =>
        passwords().change(
          { currentPassword: PASSWORD, newPassword: NEW_PASSWORD, newPasswordConfirmation: NEW_PASSWORD },
          client(),
        );
      expect(await failureOf(change)).toBe('UNAUTHENTICATED');
    });
  });

  describe('issueReset and reset', () => {
    const resetInput = (username: string, code: string) => ({
      username,
      code,
      newPassword: NEW_PASSWORD,
      newPasswordConfirmation: NEW_PASSWORD,
    });

    it('a code sets the password once, ends every session, and is worth nothing the second time', async () => {
      const { user, token } = await register(services(), 'resetter01');
      const { code, expiresAt } = await passwords().issueReset(user.id, { userId: null });
      expect(code).toMatch(/^[A-Z2-9]{4}(-[A-Z2-9]{4}){3}$/);
      expect(expiresAt.getTime() - Date.now()).toBeGreaterThan((RESET_TTL_SECONDS - 5) * 1000);

      // Typed carelessly: case, dashes and spaces do not matter.
      const typed = code.toLowerCase().replaceAll('-', ' ');
      await passwords().reset(resetInput('resetter01', typed), client());
      expect(await works(token.token)).toBe(false);
      expect(await logsIn('resetter01', NEW_PASSWORD)).toBe(true);
      expect(await failureOf(() => passwords().reset(resetInput('resetter01', code), client()))).toBe(
        'RESET_CODE_INVALID',
      );
    });

    it('one answer for a wrong code, another user’s code and an unknown user, changing nothing', async () => {
      const { user } = await register(services(), 'resetter02');
      await register(services(), 'resetter03');
      const { code } = await passwords().issueReset(user.id, { userId: null });
      for (const [username, typed] of [
        ['resetter02', 'AAAA-BBBB-CCCC-DDDD'],
        ['resetter03', code],
        ['nobody0004', code],
      ] as const) {
        expect(await failureOf(() => passwords().reset(resetInput(username, typed), client()))).toBe(
          'RESET_CODE_INVALID',
        );
      }
      expect(await logsIn('resetter02', PASSWORD)).toBe(true);
      expect(await logsIn('resetter03', PASSWORD)).toBe(true);
    });

    it('a new code voids the one before', async () => {
      const { user } = await register(services(), 'resetter04');
      const { code: first } = await passwords().issueReset(user.id, { userId: null });
      const { code: second } = await passwords().issueReset(user.id, { userId: null });
      expect(await failureOf(() => passwords().reset(resetInput('resetter04', first), client()))).toBe(
        'RESET_CODE_INVALID',
      );
      await passwords().reset(resetInput('resetter04', second), client());
      expect(await logsIn('resetter04', NEW_PASSWORD)).toBe(true);
    });

    it('a code expires after PASSWORD_RESET_TTL', async () => {
      const { user } = await register(services(), 'resetter05');
      const { code } = await passwords().issueReset(user.id, { userId: null });
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.now() + (RESET_TTL_SECONDS + 1) * 1000);
      expect(await failureOf(() => passwords().reset(resetInput('resetter05', code), client()))).toBe(
        'RESET_CODE_INVALID',
      );
      vi.useRealTimers();
      expect(await logsIn('resetter05', PASSWORD)).toBe(true);
    });

    it('of concurrent redemptions of one code exactly one succeeds', async () => {
      const { user } = await register(services(), 'resetter06');
      const { code } = await passwords().issueReset(user.id, { userId: null });
      const outcomes = await Promise.allSettled(
        Array.from({ length: 5 }, (_, i) => passwords().reset(resetInput('resetter06', code), client(`192.0.2.9${i}`))),
      );
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(refused.map((o) => o.reason.kind)).toEqual(Array(4).fill('RESET_CODE_INVALID'));
    });
  });
});
