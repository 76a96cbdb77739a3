import { AppError } from '../errors.js';
import type { Counter, KeyValueStore } from '../store/store.js';

export interface ThrottleSettings {
  signPerMinute: number;
  accessPerMinute: number;
  loginMaxAttempts: number;
  loginLockSeconds: number;
}

export interface LoginAttempt {
  failed(): Promise<void>;
  succeeded(): Promise<void>;
}

/** What a throttle left for the caller, for the REST `X-RateLimit-*` headers. */
export interface RateLimitInfo {
  limit: number;
  remaining: number;
}

/**
 * The legacy per-minute limits (`sign`: captcha and register; `access`: login, logout, refresh,
 * me) and the failed-login lock per (username, client IP), all counted in the shared store.
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

  /** Counts a captcha or register request of this client. */
  async hitSign(clientKey: string): Promise<RateLimitInfo | null> {
    return this.hit(this.sign, this.settings.signPerMinute, clientKey);
  }

  /** Counts an authenticated-API request, keyed by user id when known, else by client IP. */
  async hitAccess(clientKey: string): Promise<RateLimitInfo | null> {
    return this.hit(this.access, this.settings.accessPerMinute, clientKey);
  }

  /**
   * Opens a login attempt of an account from a client IP: refused while the pair is locked. The
   * caller reports the outcome: a failure is counted and the one that reaches the limit locks
   * the pair; a success clears its count.
   */
  async loginAttempt(account: string, ip: string): Promise<LoginAttempt> {
    const key = `${account.toLowerCase()}|${ip}`;
    const { loginMaxAttempts: limit, loginLockSeconds } = this.settings;
    const state = await this.loginFailures.peek(key);
    if (!state.allowed) throw new AppError('TOO_MANY_REQUESTS', { retryAfter: state.retryAfter, limit });
    return {
      failed: async () => {
        const after = await this.loginFailures.hit(key);
        if (after.count >= limit) await this.loginFailures.lock(key, loginLockSeconds);
      },
      succeeded: () => this.loginFailures.reset(key),
    };
  }

  private async hit(counter: Counter | null, limit: number, key: string): Promise<RateLimitInfo | null> {
    if (!counter) return null;
    const state = await counter.hit(key);
    if (!state.allowed) throw new AppError('TOO_MANY_REQUESTS', { retryAfter: state.retryAfter, limit });
    return { limit, remaining: state.remaining };
  }
}
