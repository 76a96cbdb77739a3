import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  client,
  failureOf,
  login,
  register,
  tokenWorks,
  useEmbeddedServices,
} from '../../helpers/embedded-services.js';

const REUSE_INTERVAL_SECONDS = 10;

describe('SessionService on SQLite and the in-process store', () => {
  const opened = useEmbeddedServices({ REFRESH_REUSE_INTERVAL: String(REUSE_INTERVAL_SECONDS) });
  const sessions = () => opened().services.sessions;
  const as = (token: string, ip = '192.0.2.50') => client(ip, token);
  const works = (token: string) => tokenWorks(opened().services, token, client('192.0.2.50'));
  afterEach(() => {
    vi.useRealTimers();
  });

  it('authenticates the token a sign-in opened, and refuses none, a forged one and an unknown user’s', async () => {
    const { user, token } = await register(opened().services, 'session001');
    const caller = await sessions().authenticate(as(token.token));
    expect(caller.value.user.id).toBe(user.id);
    expect(caller.value.session.id).toBe(token.claims.sid);
    expect(await failureOf(() => sessions().authenticate(client()))).toBe('UNAUTHENTICATED');
    expect(await failureOf(() => sessions().authenticate(as(`${token.token.slice(0, -2)}xx`)))).toBe('UNAUTHENTICATED');
  });

  it('refresh trades a token for the next of its session: the new one works, the traded one no more', async () => {
    await register(opened().services, 'session002');
    const first = await login(opened().services, 'session002');
    const { session } = (await sessions().authenticate(as(first))).value;
    const { value: next } = await sessions().refresh(as(first));
    expect(next.token.claims.sid).toBe(session.id);
    const row = await opened().services.database.sessions.find(session.id);
    expect(row?.currentJti).toBe(next.token.claims.jti);
    expect(await works(next.token.token)).toBe(true);
    expect(await works(first)).toBe(false);
  });

  it('a traded token presented again within the reuse interval is refused, and the session lives', async () => {
    await register(opened().services, 'session003');
    const first = await login(opened().services, 'session003');
    const { value: next } = await sessions().refresh(as(first));
    expect(await failureOf(() => sessions().refresh(as(first)))).toBe('REFRESH_EXPIRED');
    expect(await works(next.token.token)).toBe(true);
  });

  it('a traded token presented again after the reuse interval revokes its session: thief and victim stop', async () => {
    await register(opened().services, 'session004');
    const first = await login(opened().services, 'session004');
    const { value: next } = await sessions().refresh(as(first));
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + (REUSE_INTERVAL_SECONDS + 2) * 1000);
    expect(await failureOf(() => sessions().refresh(as(first)))).toBe('REFRESH_EXPIRED');
    expect(await works(next.token.token)).toBe(false);
    expect(await failureOf(() => sessions().refresh(as(next.token.token)))).toBe('REFRESH_EXPIRED');
    const row = await opened().services.database.sessions.find(next.token.claims.sid!);
    expect(row?.revokedReason).toBe('refresh_reuse');
  });

  it('logout ends the session, even with a token a refresh already traded', async () => {
    await register(opened().services, 'session005');
    const kept = await login(opened().services, 'session005');
    const ended = await login(opened().services, 'session005');
    await sessions().logout(as(ended));
    expect(await works(ended)).toBe(false);
    expect(await failureOf(() => sessions().refresh(as(ended)))).toBe('REFRESH_EXPIRED');
    expect(await works(kept)).toBe(true);

    const { value: next } = await sessions().refresh(as(kept));
    await sessions().logout(as(kept));
    expect(await works(next.token.token)).toBe(false);
  });

  it('lists the live sessions newest first, the current one marked, with where they came from', async () => {
    await register(opened().services, 'session006');
    const phone = await login(opened().services, 'session006', undefined, client('192.0.2.61', undefined, 'Phone/1'));
    const laptop = await login(opened().services, 'session006', undefined, client('192.0.2.62', undefined, 'Laptop/1'));
    const { value: listed } = await sessions().list(as(phone));
    expect(listed.map(({ current, ip, userAgent }) => ({ current, ip, userAgent }))).toEqual([
      { current: false, ip: '192.0.2.62', userAgent: 'Laptop/1' },
      { current: true, ip: '192.0.2.61', userAgent: 'Phone/1' },
      { current: false, ip: '192.0.2.10', userAgent: 'unit-test' },
    ]);
    expect((await sessions().list(as(laptop))).value.find((s) => s.current)?.ip).toBe('192.0.2.62');
  });

  it('revokes one of the caller’s own sessions; any other id is NOT_FOUND, a malformed one INVALID_INPUT', async () => {
    await register(opened().services, 'session007');
    const keeper = await login(opened().services, 'session007');
    const target = await login(opened().services, 'session007');
    const { token: stranger } = await register(opened().services, 'session07b');
    const targetId = (await sessions().authenticate(as(target))).value.session.id;

    expect(await failureOf(() => sessions().revoke(as(stranger.token), targetId))).toBe('NOT_FOUND');
    expect(await works(target)).toBe(true);
    await sessions().revoke(as(keeper), targetId);
    expect(await works(target)).toBe(false);
    expect(await works(keeper)).toBe(true);
    expect(await failureOf(() => sessions().revoke(as(keeper), targetId))).toBe('NOT_FOUND');
    expect(await failureOf(() => sessions().revoke(as(keeper), 'no/such id'))).toBe('INVALID_INPUT');
  });

  it('revokeOthers keeps only the current session, and says how many it ended', async () => {
    const { token: signedUp } = await register(opened().services, 'session008');
    const current = await login(opened().services, 'session008');
    const other = await login(opened().services, 'session008');
    expect((await sessions().revokeOthers(as(current))).value).toBe(2);
    expect(await works(current)).toBe(true);
    for (const token of [signedUp.token, other]) expect(await works(token)).toBe(false);
    expect((await sessions().list(as(current))).value).toHaveLength(1);
  });

  it('logoutAll ends every session of the user, and no other user’s', async () => {
    const { token: first } = await register(opened().services, 'session009');
    const second = await login(opened().services, 'session009');
    const { token: neighbour } = await register(opened().services, 'session09b');
    await sessions().logoutAll(as(second));
    for (const token of [first.token, second]) expect(await works(token)).toBe(false);
    expect(await works(neighbour.token)).toBe(true);
    expect(await works(await login(opened().services, 'session009'))).toBe(true);
  });
});
