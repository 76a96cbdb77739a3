import { type UserRecord, UserStatus } from '../db/entities/user.entity.js';
import type { UserRepository } from '../db/repositories/user.repository.js';
import { AppError, type RateLimitInfo } from '../errors.js';
import type { Captcha, CaptchaService } from './captcha.service.js';
import type { PasswordHasher } from './password-hasher.js';
import type { Limited, ThrottleService } from './throttle.service.js';
import type { IssuedToken, TokenClaims, TokenService } from './token.service.js';
import { loginShape, registrationRules } from './user.rules.js';
import { validate } from './validation.js';

/** Who is asking: both transports build one per request. */
export interface ClientContext {
  ip: string;
  /** The request's URL, written into `iss` as jwt-auth did. */
  url: string;
  /** The access token presented, if any. */
  token?: string;
}

/** A user signed in: the account and its new token. */
export interface SignedIn {
  user: UserRecord;
  token: IssuedToken;
}

export interface Authenticated {
  user: UserRecord;
  claims: TokenClaims;
}

export interface AuthDependencies {
  users: UserRepository;
  hasher: PasswordHasher;
  tokens: TokenService;
  captchas: CaptchaService;
  throttle: ThrottleService;
  passwordMinLength: number;
}

/** Runs an operation after its throttle, so that both its result and its failure tell what the throttle left. */
async function limited<T>(rateLimit: RateLimitInfo | null, run: () => Promise<T>): Promise<Limited<T>> {
  try {
    return { value: await run(), rateLimit };
  } catch (err) {
    throw AppError.from(err).withRateLimit(rateLimit);
  }
}

/** Captcha, registration, login, tokens and the current user: every rule both transports share. */
export class AuthService {
  private readonly validateRegistration;

  constructor(private readonly deps: AuthDependencies) {
    this.validateRegistration = registrationRules(deps.passwordMinLength);
  }

  async requestCaptcha(ctx: ClientContext): Promise<Limited<Captcha>> {
    return limited(await this.deps.throttle.hitSign(ctx.ip), () => this.deps.captchas.issue());
  }

  async register(input: Record<string, unknown>, ctx: ClientContext): Promise<Limited<SignedIn>> {
    const { users, hasher, captchas, tokens } = this.deps;
    return limited(await this.deps.throttle.hitSign(ctx.ip), async () => {
      const { invitationCode, captchaKey, captchaCode, password, ...fields } = this.validateRegistration(input);
      await captchas.consume(captchaKey, captchaCode);
      if (await users.exists(fields.username)) throw new AppError('USERNAME_TAKEN');
      const user = await users.register({ ...fields, password: await hasher.hash(password) }, invitationCode);
      return { user, token: tokens.issue(user.id, user.tokenVersion, ctx.url) };
    });
  }

  /**
   * One answer for an unknown user and a wrong password, in the same time, under the
   * failed-login lock of the typed username and the client.
   */
  async login(input: Record<string, unknown>, ctx: ClientContext): Promise<Limited<SignedIn>> {
    const { users, hasher, throttle, tokens } = this.deps;
    return limited(await throttle.hitAccess({ ip: ctx.ip }), async () => {
      const { username, password } = validate(loginShape, input);
      const attempt = await throttle.loginAttempt(username, ctx.ip);
      const user = await users.findWithPassword(username);
      const valid = await hasher.check(password, user?.password ?? null);
      await attempt.settle(valid);
      if (!user || !valid) throw new AppError('INVALID_CREDENTIALS');
      if (user.status !== UserStatus.Enabled) throw new AppError('ACCOUNT_DISABLED');
      if (hasher.needsRehash(user.password)) await users.updatePasswordHash(user.id, await hasher.hash(password));
      return { user, token: tokens.issue(user.id, user.tokenVersion, ctx.url) };
    });
  }

  /** The user behind a valid, unrevoked token of the current version. */
  async authenticate(ctx: ClientContext): Promise<Limited<Authenticated>> {
    return this.throttled(ctx, async () => {
      const claims = this.deps.tokens.decode(this.presentedToken(ctx));
      const [user] = await Promise.all([this.subjectOf(claims), this.deps.tokens.assertNotRevoked(claims)]);
      return { user, claims };
    });
  }

  /** Admin operations: the user must hold one of the roles (any role when none is named). */
  requireRole(user: UserRecord, roles: readonly string[]): void {
    if (roles.length > 0 && !roles.includes(user.role)) throw new AppError('FORBIDDEN');
  }

  async me(ctx: ClientContext): Promise<Limited<UserRecord>> {
    const { value, rateLimit } = await this.authenticate(ctx);
    return { value: value.user, rateLimit };
  }

  async logout(ctx: ClientContext): Promise<Limited<void>> {
    const { value, rateLimit } = await this.authenticate(ctx);
    return limited(rateLimit, () => this.deps.tokens.revoke(value.claims));
  }

  /** Revokes every token of the user at once by moving its token version on. */
  async logoutAll(ctx: ClientContext): Promise<Limited<void>> {
    const { value, rateLimit } = await this.authenticate(ctx);
    return limited(rateLimit, () => this.deps.users.bumpTokenVersion(value.user.id));
  }

  /**
   * Trades a token, even an expired one, for a new one while its chain's refresh window is open.
   * The old token is revoked atomically, so of concurrent refreshes exactly one succeeds.
   */
  async refresh(ctx: ClientContext): Promise<Limited<SignedIn>> {
    const { tokens } = this.deps;
    const { value, rateLimit } = await this.throttled(ctx, async () => {
      const claims = tokens.decode(this.presentedToken(ctx), { allowExpired: true });
      if (!tokens.canRefresh(claims)) throw new AppError('REFRESH_EXPIRED');
      return { user: await this.subjectOf(claims), claims };
    });
    return limited(rateLimit, async () => {
      if (!(await tokens.revokeForRefresh(value.claims))) throw new AppError('REFRESH_EXPIRED');
      return {
        user: value.user,
        token: tokens.issue(value.user.id, value.user.tokenVersion, ctx.url, value.claims.iat),
      };
    });
  }

  private presentedToken(ctx: ClientContext): string {
    if (!ctx.token) throw new AppError('UNAUTHENTICATED');
    return ctx.token;
  }

  private async subjectOf(claims: TokenClaims): Promise<UserRecord> {
    const user = await this.deps.users.findRecord(Number(claims.sub));
    if (!user || user.status !== UserStatus.Enabled || user.tokenVersion !== (claims.ver ?? 0)) {
      throw new AppError('UNAUTHENTICATED');
    }
    return user;
  }

  /** The access limit counts per user once the token is known, per client before that. */
  private async throttled<T extends { user: UserRecord }>(
    ctx: ClientContext,
    check: () => Promise<T>,
  ): Promise<Limited<T>> {
    let found: T;
    try {
      found = await check();
    } catch (err) {
      throw AppError.from(err).withRateLimit(await this.deps.throttle.hitAccess({ ip: ctx.ip }));
    }
    return { value: found, rateLimit: await this.deps.throttle.hitAccess({ userId: found.user.id }) };
  }
}
