import ipaddr from 'ipaddr.js';
import { AppError, type RateLimitInfo } from '../errors.js';
import type { Counter, KeyValueStore } from '../store/store.js';

export interface ThrottleSettings {
  signPerMinute: number;
  accessPerMinute: number;
  loginMaxAttempts: number;
  loginLockSeconds: number;
}

/** A result, and what the throttle it passed left for the client (none when that limit is off). */
export interface Limited<T> {
  value: T;
  rateLimit: RateLimitInfo | null;
}

/** Runs an operation after its throttle, so that both its result and its failure tell what the throttle left. */
export async function limited<T>(rateLimit: RateLimitInfo | null, run: () => Promise<T>): Promise<Limited<T>> {
  try {
    return { value: await run(), rateLimit };
  } catch (err) {
    throw AppError.from(err).withRateLimit(rateLimit);
  }
}

/**
 * The network a client address counts as for per-IP limits: an IPv4 address itself, an IPv6
 * address by its /64, the block a single subscriber is usually given whole.
 */
function clientNetwork(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  const address = ipaddr.parse(ip);
  if (address.kind() === 'ipv4') return address.toString();
  const v6 = address as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address().toString();
  return `${v6.parts
    .slice(0, 4)
    .map((part) => part.toString(16))
    .join(':')}::/64`;
}

/**
 * A username as MySQL's default collation compares it: letter case, accents and full-width forms
 * folded, so every spelling that finds the same account shares its lock, and a name that finds
 * none is locked the same way.
 */
function foldUsername(username: string): string {
  return username.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/** A login attempt under the failed-login lock; the caller reports how its password check went. */
export interface LoginAttempt {
  /**
   * Counts a failure, or clears the count after a success. Throws TOO_MANY_REQUESTS when the
   * limit of failures was reached while the check ran, whatever its outcome: guesses sent in
   * parallel learn nothing once the limit is recorded.
   */
  settle(valid: boolean): Promise<void>;
}

/**
 * The legacy per-minute limits (`sign`: captcha, register and password reset; `access`: login,
 * logout, refresh, me) and the failed-login lock per (username, client network), all counted in
 * the shared store, so they hold across instances.
 */
export class ThrottleService {
  private readonly sign: Counter | null;
  private readonly access: Counter | null;
  private readonly loginFailures: Counter;

  constructor(
    private readonly settings: ThrottleSettings,
    store: KeyValueStore,
  ) {
    const perMinute = (name: string, limit: number) =>
      limit > 0 ? store.counter({ name, limit, windowSeconds: 60 }) : null;
    this.sign = perMinute('throttle:sign:', settings.signPerMinute);
    this.access = perMinute('throttle:access:', settings.accessPerMinute);
    this.loginFailures = store.counter({
      name: 'throttle:login:',
      limit: settings.loginMaxAttempts,
      windowSeconds: settings.loginLockSeconds,
    });
  }

  /** Counts a sign-up kind of request (captcha, register, password reset) of this client. */
  async hitSign(ip: string): Promise<RateLimitInfo | null> {
    return this.hit(this.sign, this.settings.signPerMinute, `ip:${clientNetwork(ip)}`);
  }

  /** Counts an authenticated-API request by user id once the token is known, else by client network. */
  async hitAccess(client: { userId: number } | { ip: string }): Promise<RateLimitInfo | null> {
    const key = 'userId' in client ? `user:${client.userId}` : `ip:${clientNetwork(client.ip)}`;
    return this.hit(this.access, this.settings.accessPerMinute, key);
  }

  /** Opens a login attempt of a typed username from a client: refused at once while the pair is locked. */
  async loginAttempt(username: string, ip: string): Promise<LoginAttempt> {
    const key = `${foldUsername(username)}|${clientNetwork(ip)}`;
    const { loginMaxAttempts: limit, loginLockSeconds } = this.settings;
    const refuse = (retryAfter: number) =>
      new AppError('TOO_MANY_REQUESTS', { retryAfter, rateLimit: { limit, remaining: 0 } });
    const before = await this.loginFailures.peek(key);
    if (!before.allowed) throw refuse(before.retryAfter);
    return {
      settle: async (valid) => {
        if (valid) {
          const after = await this.loginFailures.peek(key);
          if (after.count >= limit) throw refuse(after.retryAfter);
          await this.loginFailures.reset(key);
          return;
        }
        const after = await this.loginFailures.hit(key);
        if (after.count === limit) await this.loginFailures.lock(key, loginLockSeconds);
        if (after.count > limit) throw refuse(after.retryAfter);
      },
    };
  }

  private async hit(counter: Counter | null, limit: number, key: string): Promise<RateLimitInfo | null> {
    if (!counter) return null;
    const state = await counter.hit(key);
    if (!state.allowed) {
      throw new AppError('TOO_MANY_REQUESTS', { retryAfter: state.retryAfter, rateLimit: { limit, remaining: 0 } });
    }
    return { limit, remaining: state.remaining };
  }
}
