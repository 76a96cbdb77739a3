import type { EntityManager, MikroORM } from '@mikro-orm/core';
import { User, type UserRecord } from './entities/user.entity.js';

const escapeLike = (value: string): string => value.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Finds a user by username regardless of letter case: a LIKE without wildcards is
 * case-insensitive on MySQL's default collation and on SQLite, and still uses the unique index.
 */
export function findUserByUsername(
  em: EntityManager,
  username: string,
  { withPassword = false } = {},
): Promise<User | null> {
  return em.findOne(
    User,
    { username: { $like: escapeLike(username) } },
    withPassword ? { populate: ['password'] } : {},
  );
}

const RECORD_COLUMNS =
  'id, name, username, email, email_verified_at, phone, invitation_code, status, token_version, role, created_at, updated_at';

/**
 * The user behind a token, read on every authenticated request: one plain query mapped by the
 * ORM's own result mapper (dates in DB_TIMEZONE, column names to properties). A managed entity
 * (fork, identity map, hydration) cost about twice as much CPU per request, and nothing here
 * needs to write.
 */
export async function findUserRecord(orm: MikroORM, id: number): Promise<UserRecord | null> {
  const row = await orm.em
    .getConnection()
    .execute(`SELECT ${RECORD_COLUMNS} FROM users WHERE id = ?`, [id], 'get');
  return row ? (orm.em.getComparator().mapResult<User>(User.name, row) as UserRecord) : null;
}
