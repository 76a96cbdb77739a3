import { Migration } from '@mikro-orm/migrations';

/**
 * storegate's own tables: sessions, the audit log and pending password reset codes. The legacy
 * service reads none of them, and nothing of its tables changes: rolling back leaves them unused.
 */
export class SessionsAuditMigration extends Migration {
  override up(): void {
    this.addSql(
      'CREATE TABLE IF NOT EXISTS sessions (id VARCHAR(22) NOT NULL PRIMARY KEY, user_id BIGINT UNSIGNED NOT NULL, ' +
        'created_at DATETIME(3) NOT NULL, last_used_at DATETIME(3) NOT NULL, expires_at DATETIME NOT NULL, ' +
        'ip VARCHAR(45) NOT NULL, user_agent VARCHAR(255) NULL, last_ip VARCHAR(45) NOT NULL, ' +
        'last_user_agent VARCHAR(255) NULL, current_jti VARCHAR(32) NOT NULL, previous_jti VARCHAR(32) NULL, ' +
        'rotated_at DATETIME NULL, revoked_at DATETIME NULL, revoked_reason VARCHAR(32) NULL, ' +
        'INDEX sessions_user_id_created_at_index (user_id, created_at), ' +
        'INDEX sessions_expires_at_revoked_at_index (expires_at, revoked_at)) ' +
        'DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci',
    );
    this.addSql(
      'CREATE TABLE IF NOT EXISTS auth_events (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, ' +
        'at DATETIME(3) NOT NULL, type VARCHAR(32) NOT NULL, user_id BIGINT UNSIGNED NULL, username VARCHAR(64) NULL, ' +
        'session_id VARCHAR(22) NULL, ip VARCHAR(45) NULL, user_agent VARCHAR(255) NULL, detail JSON NULL, ' +
        'INDEX auth_events_user_id_id_index (user_id, id), INDEX auth_events_type_id_index (type, id), ' +
        'INDEX auth_events_at_index (at)) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci',
    );
    this.addSql(
      'CREATE TABLE IF NOT EXISTS password_reset_codes (user_id BIGINT UNSIGNED NOT NULL PRIMARY KEY, ' +
        'code_hash CHAR(64) NOT NULL, expires_at DATETIME NOT NULL, created_at DATETIME NOT NULL) ' +
        'DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci',
    );
  }
}
