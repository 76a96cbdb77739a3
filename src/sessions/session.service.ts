import type { AuditLog } from '../audit/audit-log.js';
import { type ClientContext, originOf } from '../auth/client.js';
import { type Limited, limited, type ThrottleService } from '../auth/throttle.service.js';
import type { IssuedToken, TokenClaims, TokenService, TokenSession } from '../auth/token.service.js';
import type { RevocationReason, Session } from '../db/entities/session.entity.js';
import { type UserRecord, UserStatus } from '../db/entities/user.entity.js';
import type { SessionRepository } from '../db/repositories/session.repository.js';
import type { UserRepository } from '../db/repositories/user.repository.js';
import { AppError } from '../errors.js';
import type { RevocableToken, Revocation, RevocationList } from './revocation-list.js';

/** A user signed in: the account and its new token. */
export interface SignedIn {
  user: UserRecord;
  token: IssuedToken;
}

export interface Authenticated {
  user: UserRecord;
  claims: TokenClaims;
  session: TokenSession;
}

/** A session as its user sees it. */
export interface SessionView {
  id: string;
  current: boolean;
  createdAt: Date;
  lastUsedAt: Date;
  expiresAt: Date;
  ip: string;
  userAgent: string | null;
}

export interface SessionSettings {
  /** Seconds a token traded by a refresh keeps authenticating (JWT_BLACKLIST_GRACE_PERIOD). */
  graceSeconds: number;
  /** Seconds within which a traded token presented again is a second tab, not a thief. */
  reuseIntervalSeconds: number;
}

export interface SessionDependencies {
  users: UserRepository;
  sessions: SessionRepository;
  tokens: TokenService;
  revocations: RevocationList;
  throttle: ThrottleService;
  audit: AuditLog;
  settings: SessionSettings;
}

const SESSION_ID = /^[A-Za-z0-9_-]{1,22}$/;
const now = (): number => Math.floor(Date.now() / 1000);
const seconds = (date: Date): number => Math.floor(date.getTime() / 1000);
const dateOf = (unixSeconds: number): Date => new Date(unixSeconds * 1000);

/**
 * Sessions: one per sign-in on a device, alive while its chain of tokens can be refreshed. Every
 * protected operation checks the token, its session and its user here.
 */
export class SessionService {
  constructor(private readonly deps: SessionDependencies) {}

  /** Opens a session for a user who has just signed in, with its first token. */
  async open(user: UserRecord, client: ClientContext): Promise<SignedIn> {
    const session = this.deps.tokens.newSession();
    const token = this.deps.tokens.issue(user, client.url, session);
    const row = { id: session.id, userId: user.id, expiresAt: dateOf(session.expiresAt), currentJti: token.claims.jti };
    await this.deps.sessions.insert(row, originOf(client));
    return { user, token };
  }

  /**
   * The user behind a valid token of a live session, unrevoked, at the user's current token
   * version. `tradedToo`: a token a refresh already traded still counts (a logout from a tab
   * that missed the refresh must end the session all the same).
   */
  async authenticate(client: ClientContext, { tradedToo = false } = {}): Promise<Limited<Authenticated>> {
    return this.throttled(client, async () => {
      const claims = this.deps.tokens.decode(this.presentedToken(client));
      const session = this.deps.tokens.sessionOf(claims);
      const [user, revocation] = await Promise.all([
        this.subjectOf(claims),
        this.deps.revocations.check(this.revocable(claims, session)),
      ]);
      if (revocation.sessionRevoked || !(tradedToo || this.withinGrace(revocation))) {
        throw new AppError('UNAUTHENTICATED');
      }
      return { user, claims, session };
    });
  }

  async me(client: ClientContext): Promise<Limited<UserRecord>> {
    const { value, rateLimit } = await this.authenticate(client);
    return { value: value.user, rateLimit };
  }

  /**
   * Revokes the presented token's session, so no token of it works again: not one a refresh
   * racing the logout issued, nor one issued for the token before it (which still logs out).
   */
  async logout(client: ClientContext): Promise<Limited<void>> {
    const { value: caller, rateLimit } = await this.authenticate(client, { tradedToo: true });
    return limited(rateLimit, async () => {
      await this.end(caller, 'logout', client);
      this.record('logout', caller, client);
    });
  }

  /** Revokes every token and session of the user at once. */
  async logoutAll(client: ClientContext): Promise<Limited<void>> {
    const { value: caller, rateLimit } = await this.authenticate(client);
    return limited(rateLimit, async () => {
      await this.deps.users.bumpTokenVersion(caller.user.id);
      const revoked = await this.revokeAllOf(caller.user.id, 'logout_all');
      this.record('logout_all', caller, client, { sessions: revoked.length });
    });
  }

  /**
   * Trades a token, even an expired one, for the next of its session while the refresh window is
   * open. Exactly one of concurrent refreshes of a token wins; a token traded before and
   * presented again after the reuse interval revokes its session: the thief's copy and the
   * victim's both stop working.
   */
  async refresh(client: ClientContext): Promise<Limited<SignedIn>> {
    const { tokens, sessions, revocations } = this.deps;
    const { value: found, rateLimit } = await this.throttled(client, async () => {
      const claims = tokens.decode(this.presentedToken(client), { allowExpired: true });
      if (!tokens.canRefresh(claims)) throw new AppError('REFRESH_EXPIRED');
      const session = tokens.sessionOf(claims);
      const [user, revocation] = await Promise.all([
        this.subjectOf(claims),
        revocations.check(this.revocable(claims, session)),
      ]);
      if (revocation.sessionRevoked) throw new AppError('REFRESH_EXPIRED');
      return { user, claims, session, revocation };
    });
    return limited(rateLimit, async () => {
      const { user, claims, session } = found;
      const next = tokens.issue(user, client.url, session);
      // Traded in the store before the table: should the store fail, the table still holds the
      // token current, and a retry refreshes it instead of passing for a reuse.
      await revocations.markTraded(this.revocable(claims, session), now());
      const won = claims.sid
        ? await sessions.rotate(
            { sessionId: session.id, userId: user.id, fromJti: claims.jti, toJti: next.claims.jti },
            originOf(client),
          )
        : await sessions.insert(
            {
              id: session.id,
              userId: user.id,
              expiresAt: dateOf(session.expiresAt),
              currentJti: next.claims.jti,
              previousJti: claims.jti,
            },
            originOf(client),
          );
      if (!won) return this.refuseTraded(found, client);
      return { user, token: next };
    });
  }

  /** The caller's live sessions, newest first. */
  async list(client: ClientContext): Promise<Limited<SessionView[]>> {
    const { value: caller, rateLimit } = await this.authenticate(client);
    return limited(rateLimit, async () =>
      (await this.deps.sessions.listLive(caller.user.id)).map((session) => view(session, caller.session.id)),
    );
  }

  /** Revokes one of the caller's own sessions; any other id is NOT_FOUND. */
  async revoke(client: ClientContext, sessionId: unknown): Promise<Limited<void>> {
    const { value: caller, rateLimit } = await this.authenticate(client);
    return limited(rateLimit, async () => {
      if (typeof sessionId !== 'string' || !SESSION_ID.test(sessionId)) {
        throw AppError.invalid({ id: ['The id is not a session id.'] });
      }
      const session = await this.deps.sessions.find(sessionId);
      const own = session && session.userId === caller.user.id && !session.revokedAt && session.expiresAt > new Date();
      const notFound = () => new AppError('NOT_FOUND', {}, 'No live session of yours has this id.');
      if (!own) throw notFound();
      // The store first: a revocation in the table alone would never reach it (a retry finds it revoked).
      await this.deps.revocations.revokeSession(sessionId, session.expiresAt);
      if (!(await this.deps.sessions.revoke(sessionId, 'revoked'))) throw notFound();
      this.record('session_revoked', caller, client, { reason: 'revoked', by: caller.session.id }, sessionId);
    });
  }

  /** Revokes every session of the caller but the current one; how many. */
  async revokeOthers(client: ClientContext): Promise<Limited<number>> {
    const { value: caller, rateLimit } = await this.authenticate(client);
    return limited(rateLimit, async () => {
      const revoked = await this.revokeAllOf(caller.user.id, 'revoked', caller.session.id);
      for (const sessionId of revoked) {
        this.record('session_revoked', caller, client, { reason: 'revoked', by: caller.session.id }, sessionId);
      }
      return revoked.length;
    });
  }

  /**
   * After a password change: every other session revoked, and a token of the current session
   * at the user's new token version in exchange for the presented one.
   */
  async keepOnly(caller: Authenticated, client: ClientContext, reason: RevocationReason): Promise<SignedIn> {
    await this.revokeAllOf(caller.user.id, reason, caller.session.id);
    const user = await this.deps.users.findRecord(caller.user.id);
    if (!user) throw new AppError('UNAUTHENTICATED');
    const next = this.deps.tokens.issue(user, client.url, caller.session);
    // The store before the table, as a refresh does.
    await this.deps.revocations.markTraded(this.revocable(caller.claims, caller.session), now());
    const rotation = {
      sessionId: caller.session.id,
      userId: user.id,
      fromJti: caller.claims.jti,
      toJti: next.claims.jti,
    };
    if (!(await this.deps.sessions.rotate(rotation, originOf(client)))) {
      await this.deps.sessions.insert(
        {
          id: caller.session.id,
          userId: user.id,
          expiresAt: dateOf(caller.session.expiresAt),
          currentJti: next.claims.jti,
        },
        originOf(client),
      );
    }
    return { user, token: next };
  }

  /**
   * Revokes every live session of a user (a reset, an admin): the ids revoked. In the store first,
   * then in the table: when the store fails, nothing is revoked and a retry finds them all again.
   */
  async revokeAllOf(userId: number, reason: RevocationReason, except?: string): Promise<string[]> {
    const live = await this.deps.sessions.liveOf(userId, except);
    if (live.length === 0) return [];
    await this.deps.revocations.revokeSessions(live);
    await this.deps.sessions.revokeMany(
      live.map((session) => session.id),
      reason,
    );
    return live.map((session) => session.id);
  }

  /** Ends the caller's session: revoked in the table (recorded there for a legacy token's first time) and in the store. */
  private async end(caller: Authenticated, reason: RevocationReason, client: ClientContext): Promise<void> {
    const { sessions, revocations } = this.deps;
    const { session, claims, user } = caller;
    // The store first, as in revoke.
    await revocations.revokeSession(session.id, dateOf(session.expiresAt), this.deps.tokens.liveUntil(claims));
    if (!(await sessions.revoke(session.id, reason)) && !claims.sid) {
      const row = { id: session.id, userId: user.id, expiresAt: dateOf(session.expiresAt), currentJti: claims.jti };
      // A refresh of the same legacy token may open the session meanwhile: then revoke it.
      if (!(await sessions.insert({ ...row, revokedReason: reason }, originOf(client)))) {
        await sessions.revoke(session.id, reason);
      }
    }
  }

  /** A refresh that lost: a second tab within the reuse interval is refused; anything else is reuse. */
  private async refuseTraded(
    { user, claims, session, revocation }: Authenticated & { revocation: Revocation },
    client: ClientContext,
  ): Promise<never> {
    const row = await this.deps.sessions.find(session.id);
    if (!row || row.revokedAt || row.currentJti === claims.jti) throw new AppError('REFRESH_EXPIRED');
    const tradedAt =
      revocation.tradedAt ?? (row.previousJti === claims.jti && row.rotatedAt ? seconds(row.rotatedAt) : null);
    if (tradedAt !== null && now() - tradedAt <= this.deps.settings.reuseIntervalSeconds) {
      throw new AppError('REFRESH_EXPIRED');
    }
    await this.deps.revocations.revokeSession(session.id, row.expiresAt);
    if (await this.deps.sessions.revoke(session.id, 'refresh_reuse')) {
      this.record('refresh_reuse_detected', { user, claims, session }, client, {
        tradedSecondsAgo: tradedAt === null ? null : now() - tradedAt,
      });
    }
    throw new AppError('REFRESH_EXPIRED');
  }

  private withinGrace({ tradedAt }: Revocation): boolean {
    return tradedAt === null || now() < tradedAt + this.deps.settings.graceSeconds;
  }

  private revocable(claims: TokenClaims, session: TokenSession): RevocableToken {
    return {
      sessionId: session.id,
      sessionExpiresAt: session.expiresAt,
      jti: claims.jti,
      liveUntil: this.deps.tokens.liveUntil(claims),
    };
  }

  private presentedToken(client: ClientContext): string {
    if (!client.token) throw new AppError('UNAUTHENTICATED');
    return client.token;
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
    client: ClientContext,
    check: () => Promise<T>,
  ): Promise<Limited<T>> {
    let found: T;
    try {
      found = await check();
    } catch (err) {
      throw AppError.from(err).withRateLimit(await this.deps.throttle.hitAccess({ ip: client.ip }));
    }
    return { value: found, rateLimit: await this.deps.throttle.hitAccess({ userId: found.user.id }) };
  }

  private record(
    type: 'logout' | 'logout_all' | 'session_revoked' | 'refresh_reuse_detected',
    caller: Authenticated,
    client: ClientContext,
    detail?: Record<string, unknown>,
    sessionId = caller.session.id,
  ): void {
    this.deps.audit.record(type, { userId: caller.user.id, sessionId, ...originOf(client), detail });
  }
}

function view(session: Session, currentId: string): SessionView {
  const { id, createdAt, lastUsedAt, expiresAt, ip, userAgent } = session;
  return { id, current: id === currentId, createdAt, lastUsedAt, expiresAt, ip, userAgent };
}
