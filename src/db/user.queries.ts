import type { EntityManager } from '@mikro-orm/core';
import { User } from './entities/user.entity.js';

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
