import { AppError } from '../errors.js';

/** What ioredis and rate-limiter-flexible say while Redis cannot be used. */
const UNAVAILABLE = [
  /Connection is closed/i,
  /Stream isn't writeable/i,
  /enableOfflineQueue/i,
  /Reached the max retries per request/i,
  /Command timed out/i,
  /Redis connection is not ready/i,
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EHOSTUNREACH/,
  // A failover in progress: a master turned replica, a replica still loading, a cluster reshaping.
  /^(READONLY|LOADING|MASTERDOWN|CLUSTERDOWN|TRYAGAIN)\b/,
];

function isOutage(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (err.name === 'MaxRetriesPerRequestError') return true;
  return UNAVAILABLE.some((pattern) => pattern.test(err.message) || (typeof code === 'string' && pattern.test(code)));
}

/**
 * The error as it may be logged: ioredis attaches the failed command with its arguments (a
 * captcha's code, a revocation's key), so only the command's name is kept.
 */
function loggable(err: unknown): unknown {
  if (!(err instanceof Error)) return { type: typeof err };
  const { name, message, code, command } = err as Error & { code?: unknown; command?: { name?: unknown } };
  return { type: name, message, code, command: command?.name };
}

/** A Redis failure as the AppError the transports answer: SERVICE_UNAVAILABLE for an outage. */
export function redisFailure(err: unknown): AppError {
  if (err instanceof AppError) return err;
  return new AppError(isOutage(err) ? 'SERVICE_UNAVAILABLE' : 'INTERNAL', { cause: loggable(err) });
}
