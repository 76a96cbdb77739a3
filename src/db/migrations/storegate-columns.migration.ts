import { Migration } from '@mikro-orm/migrations';

/**
 * What storegate adds to the legacy tables, each step only when missing (MySQL 8 has no
 * `ADD COLUMN IF NOT EXISTS`): `token_version` and `role` on users, a nullable creator and an
 * index on the code of invitation_codes. No legacy column or row is dropped or rewritten.
 */
export class StoregateColumnsMigration extends Migration {
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

  private async column(table: string, column: string): Promise<{ IS_NULLABLE: string } | undefined> {
    const rows = await this.execute(
      'SELECT IS_NULLABLE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ?',
      [table, column],
    );
    return rows[0] as { IS_NULLABLE: string } | undefined;
  }

  private async hasColumn(table: string, column: string): Promise<boolean> {
    return (await this.column(table, column)) !== undefined;
  }

  private async isNullable(table: string, column: string): Promise<boolean> {
    return (await this.column(table, column))?.IS_NULLABLE === 'YES';
  }

  private async hasIndex(table: string, index: string): Promise<boolean> {
    const rows = await this.execute(
      'SELECT 1 FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND INDEX_NAME = ?',
      [table, index],
    );
    return rows.length > 0;
  }
}
