import { z } from 'zod';
import { type Actor, type AuditLog, actorContext, MAX_PAGE } from '../audit/audit-log.js';
import type { PasswordService, ResetCode } from '../auth/password.service.js';
import { integer, messages, text, validate } from '../auth/validation.js';
import { AUTH_EVENT_TYPES, type AuthEvent } from '../db/entities/auth-event.entity.js';
import { type Role, type UserRecord, UserStatus } from '../db/entities/user.entity.js';
import type { SessionRepository } from '../db/repositories/session.repository.js';
import type { AccountChange, UserFilter, UserRepository } from '../db/repositories/user.repository.js';
import { AppError } from '../errors.js';
import type { SessionService } from '../sessions/session.service.js';
import { cursorCodec, type Page, pageOf } from './cursor.js';

/** A user as an admin sees them. */
export interface AdminUserView {
  id: number;
  username: string;
  name: string;
  status: UserStatus;
  role: Role;
  createdAt: Date | null;
  /** Live sessions. */
  sessionCount: number;
  lastSignInAt: Date | null;
}

export interface AdminDependencies {
  users: UserRepository;
  sessionRows: SessionRepository;
  sessions: SessionService;
  passwords: PasswordService;
  audit: AuditLog;
}

const STATUSES = [UserStatus.Enabled, UserStatus.Inactive, UserStatus.Disabled] as const;
const ROLES = ['user', 'admin'] as const;
const DEFAULT_PAGE = 20;

const userId = (field: string) =>
  z
    .string({ required_error: messages.required(field), invalid_type_error: messages.string(field) })
    .regex(/^[1-9]\d{0,15}$/, `The ${field} is not a user id.`)
    .transform(Number)
    .refine(Number.isSafeInteger, `The ${field} is not a user id.`);
const status = z
  .number({ invalid_type_error: messages.integer('status') })
  .refine((v): v is UserStatus => (STATUSES as readonly number[]).includes(v), 'The status must be 1, 0 or -1.');
const role = z.enum(ROLES, { errorMap: () => ({ message: 'The role must be user or admin.' }) });
const page = {
  first: integer('first', 1, MAX_PAGE).default(DEFAULT_PAGE),
  after: z.string({ invalid_type_error: messages.string('after') }).optional(),
};
const listShape = {
  search: text('search', { max: 64 }).optional(),
  status: status.optional(),
  role: role.optional(),
  ...page,
};
const eventsShape = {
  userId: userId('userId').optional(),
  type: z.enum(AUTH_EVENT_TYPES, { errorMap: () => ({ message: 'The type is not an audit event type.' }) }).optional(),
  since: z.date({ invalid_type_error: messages.format('since') }).optional(),
  ...page,
};

const userCursors = cursorCodec('users');
const eventCursors = cursorCodec('auditEvents');

/**
 * What the store's staff do to users: find them, disable or enable them, change their role,
 * sign them out, issue password reset codes, and read the audit log. The same rules hold for an
 * admin over GraphQL and an operator at the CLI, and each change is audited with its actor.
 */
export class UserAdminService {
  constructor(private readonly deps: AdminDependencies) {}

  /** A page of users in id order: a username or name prefix, a status, a role. */
  async list(input: Record<string, unknown>, actor: Actor): Promise<Page<AdminUserView>> {
    const { first, after, ...filter } = validate(listShape, input);
    const rows = await this.deps.users.page(filter satisfies UserFilter, userCursors.decode(after, filter), first + 1);
    this.viewed(actor, 'users', { ...filter, first, after: after ?? null });
    const found = pageOf(
      rows,
      first,
      (user) => user.id,
      (id) => userCursors.encode(id, filter),
    );
    const view = await this.viewer(found.edges.map((edge) => edge.node));
    return { ...found, edges: found.edges.map(({ cursor, node }) => ({ cursor, node: view(node) })) };
  }

  async get(id: unknown, actor: Actor): Promise<AdminUserView> {
    const user = await this.userOf(id);
    this.viewed(actor, 'user', { userId: user.id });
    return this.view(user);
  }

  /** The user of a username, as the CLI names users; NOT_FOUND when none. */
  async findByUsername(username: unknown): Promise<AdminUserView> {
    const fields = validate({ username: text('username') }, { username });
    const user = await this.deps.users.findByUsername(fields.username);
    if (!user) throw new AppError('NOT_FOUND', {}, `No user "${fields.username}".`);
    return this.view(user);
  }

  /** Disabling (−1) or deactivating (0) signs the user out everywhere at once; enabling lets them sign in again. */
  async setStatus(id: unknown, value: unknown, actor: Actor): Promise<AdminUserView> {
    const fields = validate({ id: userId('id'), status }, { id, status: value });
    const { before, after } = await this.change(fields.id, { status: fields.status }, actor);
    if (after.status !== UserStatus.Enabled) await this.deps.sessions.revokeAllOf(after.id, 'user_disabled');
    this.deps.audit.record(
      'user_status_changed',
      actorContext(actor, { from: before.status, to: after.status }, after.id),
    );
    return this.view(after);
  }

  async setRole(id: unknown, value: unknown, actor: Actor): Promise<AdminUserView> {
    const fields = validate({ id: userId('id'), role }, { id, role: value });
    const { before, after } = await this.change(fields.id, { role: fields.role }, actor);
    this.deps.audit.record('user_role_changed', actorContext(actor, { from: before.role, to: after.role }, after.id));
    return this.view(after);
  }

  /** Signs a user out everywhere: every session revoked, and the token version moved on for tokens without one. */
  async revokeSessions(id: unknown, actor: Actor): Promise<number> {
    const user = await this.userOf(id);
    await this.deps.users.bumpTokenVersion(user.id);
    const revoked = await this.deps.sessions.revokeAllOf(user.id, 'admin');
    this.deps.audit.record('session_revoked', actorContext(actor, { reason: 'admin', sessions: revoked }, user.id));
    return revoked.length;
  }

  /** A one-time reset code for the user, voiding the one before; shown to the admin once. */
  async issuePasswordReset(id: unknown, actor: Actor): Promise<ResetCode> {
    const user = await this.userOf(id);
    return this.deps.passwords.issueReset(user.id, actor);
  }

  /** A page of the audit log, newest first: a user's events, a type, since a time. */
  async events(input: Record<string, unknown>, actor: Actor): Promise<Page<AuthEvent>> {
    const { first, after, ...filter } = validate(eventsShape, input);
    const binding = { ...filter, since: filter.since?.toISOString() };
    const beforeId = eventCursors.decode(after, binding);
    const rows = await this.deps.audit.find({ ...filter, ...(beforeId && { beforeId }) }, first + 1);
    this.viewed(actor, 'auditEvents', { ...binding, first, after: after ?? null });
    return pageOf(
      rows,
      first,
      (event) => event.id,
      (eventId) => eventCursors.encode(eventId, binding),
    );
  }

  /** Staff reading users or the log is audited too: who looked at what (the filter, never a secret). */
  private viewed(actor: Actor, operation: string, detail: Record<string, unknown>): void {
    this.deps.audit.record('admin_viewed', actorContext(actor, { operation, ...detail }));
  }

  private async view(user: UserRecord): Promise<AdminUserView> {
    return (await this.viewer([user]))(user);
  }

  private async userOf(id: unknown): Promise<UserRecord> {
    const fields = validate({ id: userId('id') }, { id });
    const user = await this.deps.users.findRecord(fields.id);
    if (!user) throw new AppError('NOT_FOUND', {}, `No user has the id ${fields.id}.`);
    return user;
  }

  /** An admin may not lock themselves out, and the last enabled admin stays one, whoever asks. */
  private async change(id: number, change: AccountChange, actor: Actor) {
    const removesSelf =
      actor.userId === id && (change.role === 'user' || (change.status ?? UserStatus.Enabled) !== UserStatus.Enabled);
    if (removesSelf) throw new AppError('FORBIDDEN', {}, 'You cannot disable or demote yourself.');
    const outcome = await this.deps.users.changeAccount(id, change);
    if (outcome === 'not_found') throw new AppError('NOT_FOUND', {}, `No user has the id ${id}.`);
    if (outcome === 'last_admin') {
      throw new AppError('FORBIDDEN', {}, 'This is the last enabled admin: make another admin first.');
    }
    return outcome;
  }

  /** Reads the session figures of some users at once: then views any of them. */
  private async viewer(users: readonly UserRecord[]): Promise<(user: UserRecord) => AdminUserView> {
    const stats = await this.deps.sessionRows.statsOf(users.map((user) => user.id));
    return (user) => {
      const { live, lastSignInAt } = stats.get(user.id) ?? { live: 0, lastSignInAt: null };
      const { id, username, name, status: state, role: userRole, createdAt } = user;
      return { id, username, name, status: state, role: userRole, createdAt, sessionCount: live, lastSignInAt };
    };
  }
}
