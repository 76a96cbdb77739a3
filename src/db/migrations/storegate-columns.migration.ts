import { ProbingMigration } from './probing-migration.js';

/**
 * What storegate adds to the legacy tables, each step only when missing (MySQL 8 has no
 * `ADD COLUMN IF NOT EXISTS`): `token_version` and `role` on users, a nullable creator and an
 * index on the code of invitation_codes. No legacy column or row is dropped or rewritten.
 */
export class StoregateColumnsMigration extends ProbingMigration {
  override async up(): Promise<void> {
    if (!(await this.hasColumn('users', 'token_version'))) {
      this.addSql('ALTER TABLE users ADD COLUMN token_version INT NOT NULL DEFAULT 0');
    }
    if (!(await this.hasColumn('users', 'role'))) {
      this.addSql("ALTER TABLE users ADD COLUMN role VARCHAR(16) NOT NULL DEFAULT 'user'");
    }
    if (!(await this.isNullable('invitation_codes', 'user_id'))) {
      this.addSql('ALTER TABLE invitation_codes MODIFY user_id BIGINT UNSIGNED NULL');
    }
    if (!(await this.hasIndex('invitation_codes', 'invitation_codes_code_index'))) {
      this.addSql('CREATE INDEX invitation_codes_code_index ON invitation_codes (code)');
    }
  }
}
