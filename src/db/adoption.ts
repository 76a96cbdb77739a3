import type { MikroORM } from '@mikro-orm/core';

class AdoptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdoptionError';
  }
}

/**
 * Before storegate touches a database that already holds a legacy `users` table: usernames
 * that differ only in letter case (possible under a case-sensitive collation) would make
 * logins ambiguous, so adoption stops, names them, and changes nothing.
 */
export async function assertAdoptable(orm: MikroORM): Promise<void> {
  const connection = orm.em.getConnection();
  const [table] = await connection.execute<{ n: number }[]>(
    "SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'users'",
  );
  if (!table || Number(table.n) === 0) return;
  const collisions: { usernames: string }[] = await connection.execute(
    "SELECT LOWER(username) AS folded, GROUP_CONCAT(CONCAT(id, ':', username) ORDER BY id SEPARATOR ', ') AS usernames " +
      'FROM users GROUP BY LOWER(username) HAVING COUNT(*) > 1 ORDER BY folded LIMIT 50',
  );
  if (collisions.length === 0) return;
  const lines = collisions.map((c) => `  - ${c.usernames}`).join('\n');
  throw new AdoptionError(
    `Cannot adopt this database: these users (id:username) differ only by letter case, and storegate ` +
      `treats usernames case-insensitively as MySQL's default collation does. Rename or merge them, ` +
      `then run the migration again. Nothing was changed.\n${lines}`,
  );
}
