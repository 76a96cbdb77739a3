import { type EntityManager, type MikroORM, raw, UniqueConstraintViolationException } from '@mikro-orm/core';
import { AppError } from '../../errors.js';
import { type Role, User, type UserRecord } from '../entities/user.entity.js';
import { guarded } from '../outage.js';
import { InvitationRepository } from './invitation.repository.js';

export interface NewUser {
  name: string;
  username: string;
  /** The bcrypt hash. */
  password: string;
}

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
