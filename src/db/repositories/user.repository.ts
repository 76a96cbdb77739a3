import {
  DeadlockException,
  type EntityManager,
  LockMode,
  type MikroORM,
  raw,
  UniqueConstraintViolationException,
} from '@mikro-orm/core';
import { AppError } from '../../errors.js';
import { type Role, User, type UserRecord, UserStatus } from '../entities/user.entity.js';
import { guarded } from '../outage.js';
import { InvitationRepository } from './invitation.repository.js';

export interface NewUser {
  name: string;
  username: string;
  /** The bcrypt hash. */
  password: string;
}

export interface UserFilter {
  /** A prefix of the username or of the name, as typed (no wildcards). */
  search?: string;
  status?: UserStatus;
  role?: Role;
}

export interface AccountChange {
  status?: UserStatus;
  role?: Role;
}

/** What changing an account did: the user before and after, or why nothing changed. */
export type AccountChangeOutcome = { before: UserRecord; after: UserRecord } | 'not_found' | 'last_admin';

/**
 * `column LIKE 'prefix%'` with the prefix's own `%`, `_` and `!` matching themselves: `!` is the
 * escape character on MySQL and SQLite alike (a backslash is one on MySQL only).
 */
const startsWith = (column: 'name' | 'username', prefix: string) => ({
  [raw((alias: string) => `${alias}.${column} like ? escape '!'`, [`${prefix.replace(/[!%_]/g, (c) => `!${c}`)}%`])]:
    [],
});

/** Admins who stay admins: enabled, with the role. */
const activeAdmins = { role: 'admin' as Role, status: UserStatus.Enabled };
const removesAnAdmin = (user: UserRecord, change: AccountChange): boolean =>
  user.role === 'admin' &&
  user.status === UserStatus.Enabled &&
  (change.role === 'user' || (change.status !== undefined && change.status !== UserStatus.Enabled));
const DEADLOCK_RETRIES = 3;

/** Reads the user of a token by id: the hottest query there is, so each database has its own way. */
export interface UserRecordReader {
  findRecord(id: number): Promise<UserRecord | null>;
  close(): Promise<void>;
}

const escapeLike = (value: string): string => value.replace(/[\\%_]/g, (c) => `\\${c}`);
/**
 * A username regardless of letter case: a LIKE without wildcards is case-insensitive on MySQL's
 * default collation and on SQLite, and still uses the unique index.
 */
const byUsername = (username: string) => ({ username: { $like: escapeLike(username) } });

/** A user record as the entity manager reads it, for the embedded SQLite database. */
export function ormUserReader(orm: MikroORM): UserRecordReader {
  return {
    findRecord: (id) => guarded(() => orm.em.fork().findOne(User, { id })),
    close: async () => undefined,
  };
}

/** The `users` table. */
export class UserRepository {
  constructor(
    private readonly orm: MikroORM,
    private readonly reader: UserRecordReader,
  ) {}

  findRecord(id: number): Promise<UserRecord | null> {
    return this.reader.findRecord(id);
  }

  /** The account a typed username finds, with its password hash. */
  findWithPassword(username: string): Promise<User | null> {
    return guarded(() => this.orm.em.fork().findOne(User, byUsername(username), { populate: ['password'] }));
  }

  exists(username: string): Promise<boolean> {
    return guarded(async () => (await this.orm.em.fork().count(User, byUsername(username))) > 0);
  }

  /**
   * Inserts a user who registered with an invitation code, taking one use of the code in the
   * same transaction: INVITATION_INVALID when it has none left, USERNAME_TAKEN when another
   * registration took the name first.
   */
  register(user: NewUser, invitationCode: string): Promise<UserRecord> {
    return this.insert(async (em) => {
      if (!(await InvitationRepository.takeUse(em, invitationCode))) throw new AppError('INVITATION_INVALID');
      return em.create(User, { ...user, invitationCode });
    });
  }

  /** Inserts an administrator, who needs no invitation. */
  createAdmin(user: NewUser): Promise<UserRecord> {
    return this.insert(async (em) => em.create(User, { ...user, invitationCode: '', role: 'admin' }));
  }

  /** The account of a username (letter case aside). */
  findByUsername(username: string): Promise<UserRecord | null> {
    return guarded(() => this.orm.em.fork().findOne(User, byUsername(username)));
  }

  /**
   * A page of users in id order after `afterId`. A search is a prefix of the username or of
   * the name, each served by its index: the union of two bounded index range scans, never the
   * whole table, whatever the prefix holds (its `%` and `_` match themselves).
   */
  page({ search, status, role }: UserFilter, afterId: number, limit: number): Promise<UserRecord[]> {
    return guarded(async () => {
      const em = this.orm.em.fork();
      const where = { id: { $gt: afterId }, ...(status !== undefined && { status }), ...(role && { role }) };
      const options = { orderBy: { id: 'asc' as const }, limit };
      if (search === undefined) return em.find(User, where, options);
      const [byName, byUser] = await Promise.all([
        em.find(User, { ...where, ...startsWith('name', search) }, options),
        em.find(User, { ...where, ...startsWith('username', search) }, options),
      ]);
      const merged = new Map([...byName, ...byUser].map((user) => [user.id, user]));
      return [...merged.values()].sort((a, b) => a.id - b.id).slice(0, limit);
    });
  }

  /**
   * Changes an account's status or role in one transaction. A change that would leave no
   * enabled admin is refused: the other admins' rows are locked first, so two admins demoting
   * each other at once cannot both succeed. Leaving the enabled state moves the token version
   * on, so every token of the user stops at once, legacy ones included.
   */
  changeAccount(id: number, change: AccountChange): Promise<AccountChangeOutcome> {
    return guarded(() =>
      this.withDeadlockRetry(() => this.orm.em.fork().transactional((em) => applyChange(em, id, change))),
    );
  }

  /** Gives a user a role; null when no user has the name. */
  setRoleByUsername(username: string, role: Role): Promise<UserRecord | null> {
    return guarded(async () => {
      const em = this.orm.em.fork();
      const user = await em.findOne(User, byUsername(username));
      if (!user) return null;
      user.role = role;
      await em.flush();
      return user;
    });
  }

  async updatePasswordHash(id: number, password: string): Promise<void> {
    await guarded(() => this.orm.em.fork().nativeUpdate(User, { id }, { password, updatedAt: new Date() }));
  }

  /** A new password, and the token version moved on: every token issued so far stops working at once. */
  async setPassword(id: number, password: string): Promise<void> {
    await guarded(() =>
      this.orm.em
        .fork()
        .nativeUpdate(User, { id }, { password, tokenVersion: raw('token_version + 1'), updatedAt: new Date() }),
    );
  }

  /** Moves the user's token version on, so every token issued so far stops working at once. */
  async bumpTokenVersion(id: number): Promise<void> {
    await guarded(() => this.orm.em.fork().nativeUpdate(User, { id }, { tokenVersion: raw('token_version + 1') }));
  }

  /** The highest bcrypt cost among the stored hashes (legacy ones may differ from today's). */
  highestHashCost(): Promise<number | null> {
    return guarded(async () => {
      const [row] = await this.orm.em
        .getConnection()
        .execute<{ cost: string | null }[]>(
          "SELECT MAX(SUBSTR(password, 5, 2)) AS cost FROM users WHERE password LIKE '$2%'",
        );
      const cost = Number(row?.cost);
      return Number.isInteger(cost) && cost > 0 ? cost : null;
    });
  }

  /** InnoDB breaks a lock cycle by failing one transaction; run again, it sees the other's outcome. */
  private async withDeadlockRetry<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (err) {
        if (!(err instanceof DeadlockException) || attempt >= DEADLOCK_RETRIES) throw err;
      }
    }
  }

  private insert(build: (em: EntityManager) => Promise<User>): Promise<UserRecord> {
    return guarded(async () => {
      try {
        return await this.orm.em.fork().transactional(build);
      } catch (err) {
        if (err instanceof UniqueConstraintViolationException) throw new AppError('USERNAME_TAKEN');
        throw err;
      }
    });
  }
}

async function applyChange(em: EntityManager, id: number, change: AccountChange): Promise<AccountChangeOutcome> {
  const user = await em.findOne(User, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (!user) return 'not_found';
  const before: UserRecord = { ...user };
  if (removesAnAdmin(user, change)) {
    const others = await em.find(
      User,
      { ...activeAdmins, id: { $ne: id } },
      { fields: ['id'], orderBy: { id: 'asc' }, lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    if (others.length === 0) return 'last_admin';
  }
  const leavesEnabled =
    change.status !== undefined && change.status !== UserStatus.Enabled && user.status === UserStatus.Enabled;
  if (change.status !== undefined) user.status = change.status;
  if (change.role) user.role = change.role;
  if (leavesEnabled) user.tokenVersion += 1;
  user.updatedAt = new Date();
  await em.flush();
  return { before, after: { ...user } };
}
