import { afterEach, describe, expect, it, vi } from 'vitest';
import { invitationState } from '../../../src/auth/invitation.service.js';
import type { InvitationCode } from '../../../src/db/entities/invitation-code.entity.js';
import { AppError } from '../../../src/errors.js';
import { client, failureOf, registration, useEmbeddedServices } from '../../helpers/embedded-services.js';

const DAY_MS = 86_400_000;

describe('InvitationService on SQLite and the in-process store', () => {
  const opened = useEmbeddedServices();
  const services = () => opened().services;
  const invitations = () => services().invitations;
  const stateOf = async (code: string, now?: Date) => {
    const row = (await invitations().list()).find((c) => c.code === code);
    if (!row) throw new Error(`no invitation code ${code}`);
    return invitationState(row, now);
  };
  const registerWith = async (invitationCode: string, username: string) =>
    services().auth.register(await registration(services(), username, { invitationCode }), client());
  afterEach(() => {
    vi.useRealTimers();
  });

  it('creates the codes asked for, with their uses and expiry, credited to their creator', async () => {
    const before = Date.now();
    const codes = await invitations().create({ count: 3, uses: 2, expiresIn: '7d' }, { userId: 42 });
    expect(codes).toHaveLength(3);
    expect(new Set(codes.map((c) => c.code)).size).toBe(3);
    for (const code of codes) {
      expect(code.code).toMatch(/^[A-HJ-NP-Z2-9]{12}$/);
      expect(code).toMatchObject({ usageLimit: 2, usageTimes: 0, userId: 42 });
      expect(code.validUntil!.getTime() - before).toBeGreaterThanOrEqual(7 * DAY_MS);
      expect(code.validUntil!.getTime() - Date.now()).toBeLessThanOrEqual(7 * DAY_MS);
    }
    const listed = (await invitations().list()).map((c) => c.code);
    expect(listed).toEqual(expect.arrayContaining(codes.map((c) => c.code)));
  });

  it('a code is usable until its uses are taken, then used up', async () => {
    const [created] = await invitations().create({ uses: 2 }, { userId: null });
    const { code } = created as InvitationCode;
    expect(created!.validUntil).toBeNull();
    expect(await stateOf(code)).toBe('usable');
    await registerWith(code, 'invited001');
    expect(await stateOf(code)).toBe('usable');
    await registerWith(code, 'invited002');
    expect(await stateOf(code)).toBe('used up');
    expect(await failureOf(() => registerWith(code, 'invited003'))).toBe('INVITATION_INVALID');
  });

  it('an expired code is expired and admits no one', async () => {
    const [created] = await invitations().create({ expiresIn: '1h' }, { userId: null });
    const { code } = created as InvitationCode;
    const later = new Date(Date.now() + 2 * 3600_000);
    expect(await stateOf(code, later)).toBe('expired');
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(later);
    expect(await failureOf(() => registerWith(code, 'invited004'))).toBe('INVITATION_INVALID');
  });

  it('revoke disables a code: revoked, and admits no one; an unknown code is NOT_FOUND', async () => {
    const [created] = await invitations().create({ uses: 5 }, { userId: null });
    const { code } = created as InvitationCode;
    expect(await invitations().revoke(code, { userId: null })).toBe(1);
    expect(await stateOf(code)).toBe('revoked');
    expect(await failureOf(() => registerWith(code, 'invited005'))).toBe('INVITATION_INVALID');
    expect(await failureOf(() => invitations().revoke('NOSUCHCODE00', { userId: null }))).toBe('NOT_FOUND');
  });

  it('refuses a count, uses or expiry out of range, naming the field, and creates nothing', async () => {
    const countBefore = (await invitations().list()).length;
    for (const [input, field] of [
      [{ count: 0 }, 'count'],
      [{ count: 101 }, 'count'],
      [{ uses: 0 }, 'uses'],
      [{ expiresIn: 'soon' }, 'expiresIn'],
      [{ expiresIn: '99999999999y' }, 'expiresIn'],
      [{ expiresIn: '-5d' }, 'expiresIn'],
    ] as const) {
      const failure = await invitations()
        .create(input, { userId: null })
        .then(
          () => null,
          (err: unknown) => err,
        );
      expect(failure, JSON.stringify(input)).toBeInstanceOf(AppError);
      expect(Object.keys((failure as AppError).details.fieldErrors ?? {})).toEqual([field]);
    }
    expect(await invitations().list()).toHaveLength(countBefore);
  });

  it('the starter code is the same unused system code until it is used, then a fresh one', async () => {
    const first = await invitations().starterCode();
    expect(first).toMatchObject({ usageLimit: 1, usageTimes: 0, userId: null });
    expect((await invitations().starterCode()).code).toBe(first.code);
    await registerWith(first.code, 'starter001');
    const next = await invitations().starterCode();
    expect(next.code).not.toBe(first.code);
    expect(await stateOf(next.code)).toBe('usable');
  });
});
