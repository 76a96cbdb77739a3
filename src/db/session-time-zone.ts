import type { MikroORM } from '@mikro-orm/core';
import type { Config } from '../config.js';
import type { AfterCreate } from './query-timeout.js';

type MySqlDb = Extract<Config['db'], { kind: 'mysql' }>;

/**
 * A pool `afterCreate` hook: `first` (the query timeout, say), then `SET time_zone` on the new
 * connection before the pool hands it out. A connection the SET fails on is destroyed and the
 * error fails the acquire. Without a zone, `first` alone. The legacy columns are TIMESTAMPs,
 * which MySQL converts through the session zone; MikroORM's `timezone` only tells mysql2 how to
 * read and write their text.
 */
export function withSessionTimeZone(zone: string | null, first?: AfterCreate): AfterCreate | undefined {
  if (zone === null) return first;
  const setZone: AfterCreate = (connection, done) =>
    connection.query({ sql: 'SET time_zone = ?' }, [zone], (err) => {
      if (!err) return done(null, connection);
      connection.destroy();
      done(err as Error, connection);
    });
  if (!first) return setZone;
  return (connection, done) => first(connection, (err, ready) => (err ? done(err, ready) : setZone(ready, done)));
}

function offsetMinutes(zone: string): number {
  const [, sign, hours, minutes] = /^([+-])(\d{2}):(\d{2})$/.exec(zone) ?? [];
  return (sign === '-' ? -1 : 1) * (Number(hours) * 60 + Number(minutes));
}

/** A winter and a summer instant: a default zone with daylight saving differs from any offset in one. */
const WINTER = '2020-01-15 12:00:00';
const SUMMER = '2020-07-15 12:00:00';

/**
 * One line for `storegate migrate` when the server's default zone (`@@GLOBAL.time_zone`, and
 * `@@system_time_zone` when that is SYSTEM) is not the session zone storegate uses, naming both:
 * clients that keep the server's default (a Laravel connection without `timezone`) then read
 * and write the TIMESTAMP columns at another offset than storegate. Undefined when they agree.
 */
export async function serverZoneWarning(orm: MikroORM, db: MySqlDb): Promise<string | undefined> {
  const session = db.sessionTimezone;
  if (session === null) return undefined;
  const offsetAt = (probe: string) =>
    `TIMESTAMPDIFF(MINUTE, '${probe}', CONVERT_TZ('${probe}', '+00:00', @@GLOBAL.time_zone))`;
  const [row] = await orm.em
    .getConnection()
    .execute<Array<{ global_zone: string; system_zone: string; winter: unknown; summer: unknown }>>(
      `SELECT @@GLOBAL.time_zone AS global_zone, @@system_time_zone AS system_zone, ${offsetAt(WINTER)} AS winter, ${offsetAt(SUMMER)} AS summer`,
    );
  if (!row) return undefined;
  const wanted = offsetMinutes(session);
  const agrees = [row.winter, row.summer].every((offset) => offset !== null && Number(offset) === wanted);
  if (agrees) return undefined;
  const server = row.global_zone === 'SYSTEM' ? `SYSTEM (${row.system_zone})` : row.global_zone;
  return (
    `storegate: warning: the server's default time zone ${server} differs from storegate's session time zone ` +
    `${session} (DB_SESSION_TIMEZONE); clients on the server's default see TIMESTAMP columns shifted: ` +
    'if the legacy service set no connection time zone, set DB_SESSION_TIMEZONE=server.'
  );
}
