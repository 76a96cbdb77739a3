import { Migration } from '@mikro-orm/migrations';

/**
 * The legacy service's two tables, exactly as its Laravel migrations made them. `IF NOT EXISTS`
 * lets storegate adopt a legacy database in place: existing tables and rows are left untouched.
 */
export class LegacyTablesMigration extends Migration {
  override up(): void {
    this.addSql(
      'CREATE TABLE IF NOT EXISTS users (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, ' +
        'name VARCHAR(255) NOT NULL, username VARCHAR(255) NOT NULL, email VARCHAR(255) NULL, ' +
        'email_verified_at TIMESTAMP NULL, phone VARCHAR(255) NULL, password VARCHAR(255) NOT NULL, ' +
        'remember_token VARCHAR(100) NULL, invitation_code VARCHAR(255) NOT NULL, status INT NOT NULL DEFAULT 1, ' +
        'created_at TIMESTAMP NULL, updated_at TIMESTAMP NULL, ' +
        'UNIQUE KEY users_username_unique (username), UNIQUE KEY users_email_unique (email), ' +
        'UNIQUE KEY users_phone_unique (phone)) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci',
    );
    this.addSql(
      'CREATE TABLE IF NOT EXISTS invitation_codes (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, ' +
        'code VARCHAR(255) NOT NULL, status INT NOT NULL DEFAULT 1, user_id BIGINT UNSIGNED NOT NULL, ' +
        'usage_limit INT NOT NULL DEFAULT 999, usage_times INT UNSIGNED NOT NULL DEFAULT 0, ' +
        'valid_until TIMESTAMP NULL, created_at TIMESTAMP NULL, updated_at TIMESTAMP NULL, ' +
        'INDEX invitation_codes_user_id_index (user_id)) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci',
    );
  }
}
