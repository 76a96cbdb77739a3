import bcrypt from 'bcryptjs';
import { PASSWORD } from './accounts.js';
import type { TestDatabase } from './database.js';

/** A bcrypt hash as the legacy service wrote them (`$2y$`), at the given cost. */
export const legacyHash = (password: string, cost: number): string =>
  bcrypt.hashSync(password, cost).replace(/^\$2.\$/, '$2y$');

/** Inserts a user row as the legacy service would have (password PASSWORD unless a hash is given); returns its id. */
export async function insertUser(
  db: TestDatabase,
  username: string,
  { passwordHash = legacyHash(PASSWORD, 4), status = 1 } = {},
): Promise<number> {
  await db.query(
    'INSERT INTO users (name, username, password, invitation_code, status, created_at, updated_at) ' +
      "VALUES (?, ?, ?, 'TEST', ?, NOW(), NOW())",
    [username, username, passwordHash, status],
  );
  const [row] = await db.query<{ id: number }>('SELECT id FROM users WHERE username = ?', [username]);
  return Number(row!.id);
}
