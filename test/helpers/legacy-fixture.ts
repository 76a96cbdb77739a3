import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TestDatabase } from './database.js';

type Row = Record<string, string | number | null>;

export interface LegacyUser extends Row {
  id: number;
  username: string;
  password: string;
  status: number;
}

export interface LegacyFixture {
  legacy_tables_sql: string[];
  users: Array<LegacyUser & { password_plain: string }>;
  invitation_codes: Row[];
  jwt: {
    secret: string;
    long_lived_token_for_user_1: string;
    long_lived_token_claims: { iat: number; exp: number; jti: string; sub: string; prv: string };
  };
}

/** A copy of the legacy service's fixtures (shared/fixtures/legacy.json), kept with the tests. */
export const LEGACY_FIXTURE_PATH = fileURLToPath(new URL('../fixtures/legacy.json', import.meta.url));

let cached: LegacyFixture | undefined;

/** The legacy service's tables, hashes and tokens, shared by the whole project beside the repo. */
export function legacyFixture(): LegacyFixture {
  if (cached) return cached;
  cached = JSON.parse(readFileSync(LEGACY_FIXTURE_PATH, 'utf8')) as LegacyFixture;
  return cached;
}

/** Inserts the fixture's users and invitation codes with their legacy column values, ids included. */
export async function insertLegacyRows(db: TestDatabase): Promise<void> {
  const { users, invitation_codes } = legacyFixture();
  for (const { password_plain: _plain, ...user } of users) await db.query('INSERT INTO users SET ?', [user]);
  for (const code of invitation_codes) await db.query('INSERT INTO invitation_codes SET ?', [code]);
}
