import { createHash } from 'node:crypto';
import { type Actor, type AuditLog, actorContext } from '../audit/audit-log.js';
import type { ResetCodeRepository } from '../db/repositories/reset-code.repository.js';
import type { UserRepository } from '../db/repositories/user.repository.js';
import { AppError } from '../errors.js';
import type { Authenticated, SessionService, SignedIn } from '../sessions/session.service.js';
import { type ClientContext, originOf } from './client.js';
import type { PasswordHasher } from './password-hasher.js';
import { randomString } from './random-string.js';
import { type Limited, limited, type ThrottleService } from './throttle.service.js';
import { passwordChangeRules, passwordResetRules } from './user.rules.js';

/** 16 characters of 32, no look-alikes: 80 bits, read out to a user in four groups. */
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const CODE_GROUPS = 4;
const CODE_GROUP_LENGTH = 4;

export interface ResetCode {
  /** Shown once, to the admin who issued it; only its hash is kept. */
  code: string;
  expiresAt: Date;
}

export interface PasswordDependencies {
  users: UserRepository;
  resetCodes: ResetCodeRepository;
  hasher: PasswordHasher;
  sessions: SessionService;
  throttle: ThrottleService;
  audit: AuditLog;
  passwordMinLength: number;
  resetTtlSeconds: number;
}

/** A code as typed: case, dashes and spaces do not matter. */
const codeHash = (code: string): string =>
  createHash('sha256').update(code.toUpperCase().replace(/[\s-]/g, '')).digest('hex');

/** Changing a password, and resetting a forgotten one with a code from the store's staff. */
export class PasswordService {
  private readonly validateChange;
  private readonly validateReset;

  constructor(private readonly deps: PasswordDependencies) {
    this.validateChange = passwordChangeRules(deps.passwordMinLength);
    this.validateReset = passwordResetRules(deps.passwordMinLength);
  }

  /**
   * The current password is checked as a login checks it (the same lock, the same error); on
   * success every other session is revoked and the caller gets a fresh token of its own session.
   */
  async change(input: Record<string, unknown>, client: ClientContext): Promise<Limited<SignedIn>> {
    const { users, hasher, throttle, sessions, audit } = this.deps;
    const { value: caller, rateLimit } = await sessions.authenticate(client);
    return limited(rateLimit, async () => {
      const { currentPassword, newPassword } = this.validateChange(input);
      const attempt = await this.locked(throttle.loginAttempt(caller.user.username, client.ip), caller, client);
      const account = await users.findWithPassword(caller.user.username);
      const valid = await hasher.check(currentPassword, account?.password ?? null);
      await this.locked(attempt.settle(valid), caller, client);
      if (!account || !valid) {
        audit.record('login_failed', {
          userId: caller.user.id,
          username: caller.user.username,
          sessionId: caller.session.id,
          ...originOf(client),
          detail: { reason: 'invalid_credentials', during: 'password_change' },
        });
        throw new AppError('INVALID_CREDENTIALS');
      }
      await users.setPassword(account.id, await hasher.hash(newPassword));
      const renewed = await sessions.keepOnly(caller, client, 'password_changed');
      audit.record('password_changed', { userId: account.id, sessionId: caller.session.id, ...originOf(client) });
      return renewed;
    });
  }

  /** A step of the login lock, audited as a login's when the lock refuses the attempt. */
  private async locked<T>(step: Promise<T>, caller: Authenticated, client: ClientContext): Promise<T> {
    try {
      return await step;
    } catch (err) {
      if (err instanceof AppError && err.kind === 'TOO_MANY_REQUESTS') {
        this.deps.audit.record('login_locked', {
          userId: caller.user.id,
          username: caller.user.username,
          sessionId: caller.session.id,
          ...originOf(client),
          detail: { during: 'password_change' },
        });
      }
      throw err;
    }
  }

  /** Issues a one-time reset code for a user, voiding the one before; the caller shows it once. */
  async issueReset(userId: number, issuedBy: Actor): Promise<ResetCode> {
    const groups = Array.from({ length: CODE_GROUPS }, () => randomString(CODE_ALPHABET, CODE_GROUP_LENGTH));
    const code = groups.join('-');
    const expiresAt = new Date(Date.now() + this.deps.resetTtlSeconds * 1000);
    await this.deps.resetCodes.replace(userId, codeHash(code), expiresAt);
    this.deps.audit.record(
      'password_reset_issued',
      actorContext(issuedBy, { expiresAt: expiresAt.toISOString() }, userId),
    );
    return { code, expiresAt };
  }

  /**
   * Redeems a reset code: one answer for an unknown user and a wrong, used or expired code; the
   * code works once, whatever the concurrency; every session of the user is revoked.
   */
  async reset(input: Record<string, unknown>, client: ClientContext): Promise<Limited<void>> {
    const { users, resetCodes, hasher, sessions, audit } = this.deps;
    return limited(await this.deps.throttle.hitSign(client.ip), async () => {
      const { username, code, newPassword } = this.validateReset(input);
      const user = await users.findWithPassword(username);
      // A user id no row has, so an unknown user costs the same query as a wrong code.
      if (!(await resetCodes.consume(user?.id ?? 0, codeHash(code))) || !user) {
        throw new AppError('RESET_CODE_INVALID');
      }
      await users.setPassword(user.id, await hasher.hash(newPassword));
      const revoked = await sessions.revokeAllOf(user.id, 'password_reset');
      audit.record('password_reset', { userId: user.id, ...originOf(client), detail: { sessions: revoked.length } });
    });
  }
}
