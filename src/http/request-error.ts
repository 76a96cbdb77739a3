import { AppError, type ErrorKind } from '../errors.js';

const BY_STATUS: Record<number, ErrorKind> = { 413: 'PAYLOAD_TOO_LARGE', 415: 'UNSUPPORTED_MEDIA_TYPE' };

/**
 * Anything thrown while answering, as an AppError. Fastify's own verdicts on a request (an
 * unparseable, oversized or unsupported body) carry a 4xx status and keep their message.
 */
export function answerError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (error instanceof Error && typeof status === 'number' && status >= 400 && status < 500) {
    return new AppError(BY_STATUS[status] ?? 'MALFORMED_BODY', {}, error.message);
  }
  return AppError.from(error);
}
