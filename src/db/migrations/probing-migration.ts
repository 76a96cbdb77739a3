import { Migration } from '@mikro-orm/migrations';

/** A migration that looks before it changes a legacy table: MySQL 8 has no `ADD … IF NOT EXISTS` for columns and indexes. */
export abstract class ProbingMigration extends Migration {
  protected async column(table: string, column: string): Promise<{ IS_NULLABLE: string } | undefined> {
    const rows = await this.execute(
      'SELECT IS_NULLABLE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ?',
      [table, column],
    );
    return rows[0] as { IS_NULLABLE: string } | undefined;
  }

  protected async hasColumn(table: string, column: string): Promise<boolean> {
    return (await this.column(table, column)) !== undefined;
  }

  protected async isNullable(table: string, column: string): Promise<boolean> {
    return (await this.column(table, column))?.IS_NULLABLE === 'YES';
  }

  protected async hasIndex(table: string, index: string): Promise<boolean> {
    const rows = await this.execute(
      'SELECT 1 FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND INDEX_NAME = ?',
      [table, index],
    );
    return rows.length > 0;
  }
}
