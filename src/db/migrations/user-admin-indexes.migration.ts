import { ProbingMigration } from './probing-migration.js';

/** What finding users needs: an index on the name (searched by prefix), and on the status and the role (filtered). */
const USER_ADMIN_INDEXES = {
  users_name_index: 'name',
  users_status_index: 'status',
  users_role_index: 'role',
} as const;

/** Indexes only: no column or row of the legacy table changes. */
export class UserAdminIndexesMigration extends ProbingMigration {
  override async up(): Promise<void> {
    for (const [index, column] of Object.entries(USER_ADMIN_INDEXES)) {
      if (!(await this.hasIndex('users', index))) this.addSql(`CREATE INDEX ${index} ON users (${column})`);
    }
  }
}
