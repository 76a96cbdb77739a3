import { DriverException } from '@mikro-orm/core';
import { AppError } from '../errors.js';

/** Error codes of mysql2, knex and libsql that mean the database cannot be used right now. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_ACCESS_DENIED_ERROR',
  'ER_BAD_DB_ERROR',
  'SQLITE_BUSY',
]);

/** The failures knex and mysql2 report by message alone. */
const UNAVAILABLE_MESSAGES = [/Knex: Timeout acquiring a connection/i, /connect ETIMEDOUT/i, /Connection lost/i];

function isOutage(err: unknown, depth = 0): boolean {
  if (!(err instanceof Error) || depth > 4) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
  if (err.name === 'ConnectionException' || err.name === 'KnexTimeoutError') return true;
  if (UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(err.message))) return true;
  return isOutage(err.cause, depth + 1) || isOutage((err as { previous?: unknown }).previous, depth + 1);
}

/**
 * What of a failure may be logged. A database error's message, SQL and stack carry the values
 * bound to the query (a password hash, say), so of those only the kind is kept.
 */
function loggable(err: unknown): unknown {
  if (!(err instanceof DriverException)) return err;
  const { name, code, errno, sqlState } = err;
  return { type: name, code, errno, sqlState };
}

/** A database failure as the AppError the transports answer: SERVICE_UNAVAILABLE for an outage. */
export function databaseFailure(err: unknown): AppError {
  if (err instanceof AppError) return err;
  return new AppError(isOutage(err) ? 'SERVICE_UNAVAILABLE' : 'INTERNAL', { cause: loggable(err) });
}

/** Runs database work, turning whatever it throws into an AppError. */
export async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw databaseFailure(err);
  }
}
