import type { AuditLog } from '../audit/audit-log.js';
import { UserStatus } from '../db/entities/user.entity.js';
import type { UserRepository } from '../db/repositories/user.repository.js';
import { AppError } from '../errors.js';
import type { SessionService, SignedIn } from '../sessions/session.service.js';
import type { Captcha, CaptchaService } from './captcha.service.js';
import { type ClientContext, originOf } from './client.js';
import type { PasswordHasher } from './password-hasher.js';
import { type Limited, limited, type ThrottleService } from './throttle.service.js';
import { loginShape, registrationRules } from './user.rules.js';
import { validate } from './validation.js';

export interface AuthDependencies {
  users: UserRepository;
  hasher: PasswordHasher;
  sessions: SessionService;
  captchas: CaptchaService;
  throttle: ThrottleService;
  audit: AuditLog;
  passwordMinLength: number;
}

/** Captcha, registration and login: how a user comes to have a session. */
export class AuthService {
  private readonly validateRegistration;

  constructor(private readonly deps: AuthDependencies) {
    this.validateRegistration = registrationRules(deps.passwordMinLength);
  }

  async requestCaptcha(client: ClientContext): Promise<Limited<Captcha>> {
    return limited(await this.deps.throttle.hitSign(client.ip), () => this.deps.captchas.issue());
  }

  async register(input: Record<string, unknown>, client: ClientContext): Promise<Limited<SignedIn>> {
    const { users, hasher, captchas, sessions, audit } = this.deps;
    return limited(await this.deps.throttle.hitSign(client.ip), async () => {
      const { invitationCode, captchaKey, captchaCode, password, ...fields } = this.validateRegistration(input);
      await captchas.consume(captchaKey, captchaCode);
      if (await users.exists(fields.username)) throw new AppError('USERNAME_TAKEN');
      const user = await users.register({ ...fields, password: await hasher.hash(password) }, invitationCode);
      const signedIn = await sessions.open(user, client);
      audit.record('registered', { userId: user.id, sessionId: signedIn.token.claims.sid, ...originOf(client) });
      return signedIn;
    });
  }

  /**
   * One answer for an unknown user and a wrong password, in the same time, under the
   * failed-login lock of the typed username and the client.
   */
  async login(input: Record<string, unknown>, client: ClientContext): Promise<Limited<SignedIn>> {
    const { users, hasher, throttle, sessions, audit } = this.deps;
    return limited(await throttle.hitAccess({ ip: client.ip }), async () => {
      const { username, password } = validate(loginShape, input);
      const failed = (reason: string, userId: number | null = null) =>
        audit.record('login_failed', { userId, username, ...originOf(client), detail: { reason } });
      const attempt = await this.locked(throttle.loginAttempt(username, client.ip), username, client);
      const user = await users.findWithPassword(username);
      const valid = await hasher.check(password, user?.password ?? null);
      await this.locked(attempt.settle(valid), username, client, user?.id ?? null);
      if (!user || !valid) {
        failed('invalid_credentials', user?.id);
        throw new AppError('INVALID_CREDENTIALS');
      }
      if (user.status !== UserStatus.Enabled) {
        failed('account_disabled', user.id);
        throw new AppError('ACCOUNT_DISABLED');
      }
      if (hasher.needsRehash(user.password)) await users.updatePasswordHash(user.id, await hasher.hash(password));
      const signedIn = await sessions.open(user, client);
      audit.record('login_succeeded', { userId: user.id, sessionId: signedIn.token.claims.sid, ...originOf(client) });
      return signedIn;
    });
  }

  /** A step of the failed-login lock, audited when the lock refuses the attempt. */
  private async locked<T>(step: Promise<T>, username: string, client: ClientContext, userId: number | null = null) {
    try {
      return await step;
    } catch (err) {
      if (err instanceof AppError && err.kind === 'TOO_MANY_REQUESTS') {
        this.deps.audit.record('login_locked', { userId, username, ...originOf(client) });
      }
      throw err;
    }
  }
}
