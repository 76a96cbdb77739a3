import mysql, { type PoolConnection, type RowDataPacket } from 'mysql2';
import { AppError } from '../errors.js';
import type { UserRecord } from './entities/user.entity.js';
import { databaseFailure } from './outage.js';

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

interface RecordRow extends RowDataPacket {
  id: number;
  name: string;
  username: string;
  email: string | null;
  email_verified_at: string | null;
  phone: string | null;
  invitation_code: string;
  status: number;
  token_version: number;
  role: UserRecord['role'];
  created_at: string | null;
  updated_at: string | null;
}

/**
 * The user behind a token, read on every authenticated request, on a mysql2 pool of its own
 * with a prepared statement and the timestamps as text: no query builder, entity or date
 * parsing on the hottest path. Everything it uses is mysql2's public API.
 */
export class MysqlUserReader {
  private readonly pool: mysql.Pool;
  private readonly offset: string;

  constructor(private readonly settings: MysqlReaderSettings) {
    this.pool = mysql.createPool({
      uri: settings.url,
      connectionLimit: settings.poolMax,
      maxIdle: settings.poolMax,
      connectTimeout: settings.failFastMs,
      dateStrings: true,
    });
    const { sessionTimeZone } = settings;
    if (sessionTimeZone !== null) {
      this.pool.on('connection', (connection) => connection.query('SET time_zone = ?', [sessionTimeZone]));
    }
    this.offset = settings.timezone;
  }

  async findRecord(id: number): Promise<UserRecord | null> {
    const connection = await this.connection();
    const rows = await new Promise<RecordRow[]>((resolve, reject) => {
      connection.execute<RecordRow[]>({ sql: RECORD_SQL, timeout: this.settings.failFastMs }, [id], (err, result) => {
        // A query that timed out leaves its connection waiting for an answer: replace the connection.
        if (err?.code === 'PROTOCOL_SEQUENCE_TIMEOUT') connection.destroy();
        else connection.release();
        if (err) reject(databaseFailure(err));
        else resolve(result);
      });
    });
    const row = rows[0];
    return row ? this.record(row) : null;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.pool.end(() => resolve()));
  }

  /** A pooled connection, or SERVICE_UNAVAILABLE once waiting for one takes longer than failing fast allows. */
  private connection(): Promise<PoolConnection> {
    return new Promise((resolve, reject) => {
      let waiting = true;
      const timer = setTimeout(() => {
        waiting = false;
        reject(new AppError('SERVICE_UNAVAILABLE', { cause: 'no pooled MySQL connection in time' }));
      }, this.settings.failFastMs);
      this.pool.getConnection((err, connection) => {
        clearTimeout(timer);
        if (!waiting) connection?.release();
        else if (err) reject(databaseFailure(err));
        else resolve(connection);
      });
    });
  }

  private date(text: string | null): Date | null {
    if (text === null) return null;
    const date = new Date(`${text.replace(' ', 'T')}${this.offset}`);
    return Number.isNaN(date.getTime()) ? null : date;
  }

  private record(row: RecordRow): UserRecord {
    return {
      id: row.id,
      name: row.name,
      username: row.username,
      email: row.email,
      emailVerifiedAt: this.date(row.email_verified_at),
      phone: row.phone,
      invitationCode: row.invitation_code,
      status: row.status,
      tokenVersion: row.token_version,
      role: row.role,
      createdAt: this.date(row.created_at),
      updatedAt: this.date(row.updated_at),
    };
  }
}
