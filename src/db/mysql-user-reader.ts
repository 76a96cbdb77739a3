import mysql, { type PoolConnection, type RowDataPacket } from 'mysql2';
import { AppError } from '../errors.js';
import type { UserRecord } from './entities/user.entity.js';
import { databaseFailure } from './outage.js';
import { offsetMs, plainTimestamp } from './timestamp-text.js';

export interface MysqlReaderSettings {
  url: string;
  /** The offset the timestamp columns' text is read in (DB_TIMEZONE). */
  timezone: string;
  /** The session `time_zone` set on every connection, or null to keep the server's. */
  sessionTimeZone: string | null;
  poolMax: number;
  /** Each of: connecting, waiting for a pooled connection, answering the query. */
  failFastMs: number;
}

const RECORD_SQL =
  'SELECT id, name, username, email, email_verified_at, phone, invitation_code, status, token_version, role, ' +
  'created_at, updated_at FROM users WHERE id = ?';

/** The row as an array in RECORD_SQL's column order: no object per row on the hottest path. */
type RecordRow = [
  id: number,
  name: string,
  username: string,
  email: string | null,
  emailVerifiedAt: string | null,
  phone: string | null,
  invitationCode: string,
  status: number,
  tokenVersion: number,
  role: UserRecord['role'],
  createdAt: string | null,
  updatedAt: string | null,
];

/**
 * The user behind a token, read on every authenticated request, on a mysql2 pool of its own
 * with a prepared statement, rows as arrays and the timestamps as text: no query builder, entity
 * or date parsing on the hottest path. Everything it uses is mysql2's public API.
 */
export class MysqlUserReader {
  private readonly pool: mysql.Pool;
  private readonly offset: string;
  private readonly offsetMs: number;

  constructor(private readonly settings: MysqlReaderSettings) {
    this.pool = mysql.createPool({
      uri: settings.url,
      connectionLimit: settings.poolMax,
      maxIdle: settings.poolMax,
      connectTimeout: settings.failFastMs,
      dateStrings: true,
      rowsAsArray: true,
    });
    const { sessionTimeZone } = settings;
    if (sessionTimeZone !== null) {
      this.pool.on('connection', (connection) => connection.query('SET time_zone = ?', [sessionTimeZone]));
    }
    this.offset = settings.timezone;
    this.offsetMs = offsetMs(settings.timezone);
  }

  /**
   * One timer for the whole read, waiting for a pooled connection included: SERVICE_UNAVAILABLE
   * once it takes longer than failing fast allows. A query that timed out leaves its connection
   * waiting for an answer, so that connection is destroyed and the pool makes a new one.
   */
  findRecord(id: number): Promise<UserRecord | null> {
    return new Promise((resolve, reject) => {
      let connection: PoolConnection | null = null;
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        connection?.destroy();
        const waited = connection ? 'MySQL did not answer in time' : 'no pooled MySQL connection in time';
        reject(new AppError('SERVICE_UNAVAILABLE', { cause: waited }));
      }, this.settings.failFastMs);
      const fail = (err: unknown) => {
        clearTimeout(timer);
        settled = true;
        reject(databaseFailure(err));
      };
      this.pool.getConnection((err, pooled) => {
        if (settled) return pooled?.release();
        if (err) return fail(err);
        connection = pooled;
        pooled.execute<RecordRow[] & RowDataPacket[]>(RECORD_SQL, [id], (err, rows) => {
          if (settled) return;
          pooled.release();
          if (err) return fail(err);
          clearTimeout(timer);
          settled = true;
          const row = rows[0];
          resolve(row ? this.record(row) : null);
        });
      });
    });
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.pool.end(() => resolve()));
  }

  private date(text: string | null): Date | null {
    if (text === null) return null;
    const instant = plainTimestamp(text, this.offsetMs);
    if (instant !== null) return new Date(instant);
    const date = new Date(`${text.replace(' ', 'T')}${this.offset}`);
    return Number.isNaN(date.getTime()) ? null : date;
  }

  private record([
    id,
    name,
    username,
    email,
    emailVerifiedAt,
    phone,
    invitationCode,
    status,
    tokenVersion,
    role,
    createdAt,
    updatedAt,
  ]: RecordRow): UserRecord {
    return {
      id,
      name,
      username,
      email,
      emailVerifiedAt: this.date(emailVerifiedAt),
      phone,
      invitationCode,
      status,
      tokenVersion,
      role,
      createdAt: this.date(createdAt),
      updatedAt: this.date(updatedAt),
    };
  }
}
