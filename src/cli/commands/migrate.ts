import type { Command } from 'commander';
import type { Config } from '../../config.js';
import { createOrm, migrate } from '../../db/orm.js';
import { serverZoneWarning } from '../../db/session-time-zone.js';

/** `storegate migrate`: schema work only, so it needs neither the store nor the services. */
export function migrateCommand(program: Command, config: () => Config): void {
  program
    .command('migrate')
    .description('create or update the database schema')
    .action(async () => {
      const { db } = config();
      const orm = await createOrm(db);
      try {
        const zoneWarning = db.kind === 'mysql' ? await serverZoneWarning(orm, db) : undefined;
        if (zoneWarning) console.error(zoneWarning);
        const applied = await migrate(orm);
        if (db.kind === 'sqlite') console.log(`SQLite schema at ${db.path} is up to date.`);
        else console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Schema is up to date.');
      } finally {
        await orm.close();
      }
    });
}
