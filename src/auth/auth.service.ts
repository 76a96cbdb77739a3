import { type MikroORM, raw, UniqueConstraintViolationException } from '@mikro-orm/core';
import { User, type UserRecord, UserStatus } from '../db/entities/user.entity.js';
import { findUserByUsername, findUserRecord } from '../db/user.queries.js';
import { AppError } from '../errors.js';
import type { Captcha, CaptchaService } from './captcha.service.js';
import { InvitationService } from './invitation.service.js';
import type { PasswordHasher } from './password-hasher.js';
import type { RateLimitInfo, ThrottleService } from './throttle.service.js';
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
  /** Filled in by the throttles, for the REST `X-RateLimit-*` headers. */
  rateLimit?: RateLimitInfo;
}

export interface Session {
  user: UserRecord;
  token: IssuedToken;
}

export interface Authenticated {
  user: UserRecord;
  claims: TokenClaims;
}

export interface AuthDependencies {
  orm: MikroORM;
  hasher: PasswordHasher;
  tokens: TokenService;
  captchas: CaptchaService;
  throttle: ThrottleService;
  passwordMinLength: number;
}

/** Captcha, registration, login, tokens and the current user: every rule both transports share. */
export class AuthService {
  private readonly validateRegistration;

  constructor(private readonly deps: AuthDependencies) {
    this.validateRegistration = registrationRules(deps.passwordMinLength);
  }

  async requestCaptcha(username: unknown, ctx: ClientContext): Promise<Captcha> {
    ctx.rateLimit = (await this.deps.throttle.hitSign(`ip:${ctx.ip}`)) ?? undefined;
    // Recorded as sent but never required: legacy clients send anything here.
    const recorded = typeof username === 'string' || typeof username === 'number' ? String(username) : null;
    return this.deps.captchas.issue(recorded?.slice(0, 255) ?? null);
  }

  async register(input: Record<string, unknown>, ctx: ClientContext): Promise<Session> {
    ctx.rateLimit = (await this.deps.throttle.hitSign(`ip:${ctx.ip}`)) ?? undefined;
    const fields = this.validateRegistration(input);
    await this.deps.captchas.consume(fields.captchaKey, fields.captchaCode);

    const em = this.deps.orm.em.fork();
    if (await findUserByUsername(em, fields.username)) throw new AppError('USERNAME_TAKEN');
    const hash = await this.deps.hasher.hash(fields.password);
    try {
      const user = await em.transactional(async (tx) => {
        await InvitationService.takeUse(tx, fields.invitationCode);
        return tx.create(User, {
          name: fields.name,
          username: fields.username,
          password: hash,
          invitationCode: fields.invitationCode,
        });
      });
      return { user, token: this.deps.tokens.issue(user.id, user.tokenVersion, ctx.url) };
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) throw new AppError('USERNAME_TAKEN', { cause: err });
      throw err;
    }
  }

  /**
   * One answer for an unknown user and a wrong password, in about the same time. The failed-login
   * lock counts per account (its stored username, so other spellings that the collation matches
   * share it) and client IP.
   */
  async login(input: Record<string, unknown>, ctx: ClientContext): Promise<Session> {
    await this.throttleAccess(`ip:${ctx.ip}`, ctx);
    const { username, password } = validate(loginShape, input);
    const { throttle, hasher } = this.deps;

    const em = this.deps.orm.em.fork();
    const user = await findUserByUsername(em, username, { withPassword: true });
    const attempt = await throttle.loginAttempt(user?.username ?? username, ctx.ip);
    const valid = user ? await hasher.verify(password, user.password) : await hasher.verifyNothing(password);
    if (!user || !valid) {
      await attempt.failed();
      throw new AppError('INVALID_CREDENTIALS');
    }
    await attempt.succeeded();
    if (user.status !== UserStatus.Enabled) throw new AppError('ACCOUNT_DISABLED');
    if (hasher.needsRehash(user.password)) {
      user.password = await hasher.hash(password);
      await em.flush();
    }
    return { user, token: this.deps.tokens.issue(user.id, user.tokenVersion, ctx.url) };
  }

  /** The user behind a valid, unrevoked token of the current version. */
  async authenticate(ctx: ClientContext): Promise<Authenticated> {
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

  async me(ctx: ClientContext): Promise<UserRecord> {
    return (await this.authenticate(ctx)).user;
  }

  async logout(ctx: ClientContext): Promise<void> {
    const { claims } = await this.authenticate(ctx);
    await this.deps.tokens.revoke(claims);
  }

  /** Revokes every token of the user at once by moving its token version on. */
  async logoutAll(ctx: ClientContext): Promise<void> {
    const { user } = await this.authenticate(ctx);
    await this.deps.orm.em.fork().nativeUpdate(User, { id: user.id }, { tokenVersion: raw('token_version + 1') });
  }

  /**
   * Trades a token, even an expired one, for a new one while its chain's refresh window is open.
   * The old token is revoked atomically, so of concurrent refreshes exactly one succeeds.
   */
  async refresh(ctx: ClientContext): Promise<Session> {
    const { tokens } = this.deps;
    const { user, claims } = await this.throttled(ctx, async () => {
      const claims = tokens.decode(this.presentedToken(ctx), { allowExpired: true });
      if (!tokens.canRefresh(claims)) throw new AppError('REFRESH_EXPIRED');
      return { user: await this.subjectOf(claims), claims };
    });
    if (!(await tokens.revokeForRefresh(claims))) throw new AppError('REFRESH_EXPIRED');
    return { user, token: tokens.issue(user.id, user.tokenVersion, ctx.url, claims.iat) };
  }

  private presentedToken(ctx: ClientContext): string {
    if (!ctx.token) throw new AppError('UNAUTHENTICATED');
    return ctx.token;
  }

  private async subjectOf(claims: TokenClaims): Promise<UserRecord> {
    const user = await findUserRecord(this.deps.orm, Number(claims.sub));
    if (!user || user.status !== UserStatus.Enabled || user.tokenVersion !== (claims.ver ?? 0)) {
      throw new AppError('UNAUTHENTICATED');
    }
    return user;
  }

  /** The access limit counts per user once the token is known, per client IP before that. */
  private async throttled<T extends { user: UserRecord }>(ctx: ClientContext, check: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await check();
    } catch (err) {
      await this.throttleAccess(`ip:${ctx.ip}`, ctx);
      throw err;
    }
    await this.throttleAccess(`user:${result.user.id}`, ctx);
    return result;
  }

  private async throttleAccess(key: string, ctx: ClientContext): Promise<void> {
    ctx.rateLimit = (await this.deps.throttle.hitAccess(key)) ?? undefined;
  }
}
