import type { EntityManager, MikroORM } from '@mikro-orm/core';
import { MySqlConnection } from '@mikro-orm/mysql';
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

/** The part of a pooled mysql2 connection a plain query needs. */
interface PooledConnection {
  query(options: { sql: string }, values: unknown[], done: (err: Error | null, rows?: unknown[]) => void): void;
}

/**
 * One row on one of the ORM's pooled MySQL connections, so the pool's acquire timeout and the
 * connections' query timeout still apply: the ORM's `execute` and knex's query builder around
 * the same query cost about a tenth of the server's CPU per authenticated request.
 */
async function mysqlRow(connection: MySqlConnection, sql: string, values: unknown[]): Promise<unknown> {
  await connection.ensureConnection();
  const { client } = connection.getKnex();
  const pooled: PooledConnection = await client.acquireConnection();
  try {
    return await new Promise((resolve, reject) =>
      pooled.query({ sql }, values, (err, rows) => (err ? reject(err) : resolve(rows?.[0]))),
    );
  } finally {
    client.releaseConnection(pooled);
  }
}

/**
 * The user behind a token, read on every authenticated request: one plain query mapped by the
 * ORM's own result mapper (dates in DB_TIMEZONE, column names to properties). A managed entity
 * (fork, identity map, hydration) cost about twice as much CPU per request, and nothing here
 * needs to write.
 */
export async function findUserRecord(orm: MikroORM, id: number): Promise<UserRecord | null> {
  const sql = `SELECT ${RECORD_COLUMNS} FROM users WHERE id = ?`;
  const connection = orm.em.getConnection();
  const row =
    connection instanceof MySqlConnection
      ? await mysqlRow(connection, sql, [id])
      : await connection.execute(sql, [id], 'get');
  return row ? (orm.em.getComparator().mapResult<User>(User.name, row as object) as UserRecord) : null;
}
