import { DriverException } from '@mikro-orm/core';
/** The legacy business codes (SPEC §5): what REST answers in `code`, GraphQL in `extensions.legacyCode`. */
export const BUSINESS_CODES = {
  10001: '参数有误',
  10003: '数据有误',
  20001: '操作成功',
  40001: '禁止访问',
  40003: '权限不足',
  40004: '查询为空',
  40005: '请求过期',
  50001: '操作失败',
} as const;

export type BusinessCode = keyof typeof BUSINESS_CODES;

/** Every expected failure: its GraphQL code, business code and messages (zh for REST, en for GraphQL). */
const ERRORS = {
  INVALID_INPUT: { graphql: 'BAD_USER_INPUT', legacy: 10001, zh: '参数有误', en: 'Invalid input.' },
  CAPTCHA_EXPIRED: {
    graphql: 'CAPTCHA_INVALID',
    legacy: 10003,
    zh: '验证码无效',
    en: 'The captcha is unknown, expired or already used.',
  },
  CAPTCHA_WRONG: { graphql: 'CAPTCHA_INVALID', legacy: 10003, zh: '验证码错误', en: 'The captcha code is wrong.' },
  INVITATION_INVALID: {
    graphql: 'INVITATION_INVALID',
    legacy: 10003,
    zh: '邀请码无效',
    en: 'The invitation code is unknown, disabled, expired or used up.',
  },
  USERNAME_TAKEN: { graphql: 'USERNAME_TAKEN', legacy: 40001, zh: '用户已存在', en: 'The username is already taken.' },
  INVALID_CREDENTIALS: {
    graphql: 'INVALID_CREDENTIALS',
    legacy: 10003,
    zh: '用户名或密码有误',
    en: 'The username or password is wrong.',
  },
  ACCOUNT_DISABLED: { graphql: 'ACCOUNT_DISABLED', legacy: 40001, zh: '账号已禁用', en: 'The account is disabled.' },
  REFRESH_EXPIRED: {
    graphql: 'UNAUTHENTICATED',
    legacy: 40005,
    zh: '请求过期',
    en: 'The token can no longer be refreshed: its refresh window has closed or it was revoked.',
  },
  UNAUTHENTICATED: {
    graphql: 'UNAUTHENTICATED',
    legacy: 40005,
    zh: '请求过期',
    en: 'A valid access token is required.',
  },
  FORBIDDEN: { graphql: 'FORBIDDEN', legacy: 40003, zh: '权限不足', en: 'This operation needs the admin role.' },
  NOT_FOUND: { graphql: 'NOT_FOUND', legacy: 40004, zh: '查询为空', en: 'Nothing was found.' },
  TOO_MANY_REQUESTS: {
    graphql: 'TOO_MANY_REQUESTS',
    legacy: 40001,
    zh: '请求过于频繁',
    en: 'Too many attempts: try again later.',
  },
  SERVICE_UNAVAILABLE: {
    graphql: 'SERVICE_UNAVAILABLE',
    legacy: 50001,
    zh: '操作失败',
    en: 'A backing service is unavailable: try again shortly.',
  },
  INTERNAL: { graphql: 'INTERNAL_SERVER_ERROR', legacy: 50001, zh: '操作失败', en: 'Internal server error.' },
} as const satisfies Record<string, { graphql: string; legacy: BusinessCode; zh: string; en: string }>;

export type ErrorKind = keyof typeof ERRORS;
export type FieldErrors = Record<string, string[]>;

export interface AppErrorDetails {
  /** Per-field messages of a validation failure (Laravel's English wording). */
  fieldErrors?: FieldErrors;
  /** Seconds until a throttled client may try again. */
  retryAfter?: number;
  /** The throttle's limit, for the REST `X-RateLimit-Limit` header. */
  limit?: number;
  /** What failed, for the log only (never sent to the client). */
  cause?: unknown;
}

/** The one error type services throw for expected failures; each transport maps it in one place. */
export class AppError extends Error {
  readonly graphqlCode: string;
  readonly legacyCode: BusinessCode;
  readonly zh: string;

  constructor(
    readonly kind: ErrorKind,
    readonly details: AppErrorDetails = {},
    message?: string,
  ) {
    const entry = ERRORS[kind];
    super(message ?? entry.en, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'AppError';
    this.graphqlCode = entry.graphql;
    this.legacyCode = entry.legacy;
    this.zh = entry.zh;
  }

  static invalid(fieldErrors: FieldErrors): AppError {
    const first = Object.values(fieldErrors)[0]?.[0];
    return new AppError('INVALID_INPUT', { fieldErrors }, first);
  }
}

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

const UNAVAILABLE_MESSAGES = [
  /Connection is closed/i,
  /Stream isn't writeable/i,
  /enableOfflineQueue/i,
  /Reached the max retries per request/i,
  // ioredis' commandTimeout, and rate-limiter-flexible refusing to queue behind a lost connection.
  /Command timed out/i,
  /Redis connection is not ready/i,
  /Knex: Timeout acquiring a connection/i,
  /connect ETIMEDOUT/i,
  /Connection lost/i,
  /ECONNREFUSED/,
];

function isUnavailable(err: unknown, depth = 0): boolean {
  if (!(err instanceof Error) || depth > 4) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
  if (err.name === 'ConnectionException' || err.name === 'MaxRetriesPerRequestError') return true;
  if (UNAVAILABLE_MESSAGES.some((re) => re.test(err.message))) return true;
  if (err instanceof AggregateError && err.errors.some((e) => isUnavailable(e, depth + 1))) return true;
  return (
    isUnavailable((err as { cause?: unknown }).cause, depth + 1) ||
    isUnavailable((err as { previous?: unknown }).previous, depth + 1)
  );
}

/** Classifies anything thrown into an AppError: a dependency outage is SERVICE_UNAVAILABLE, the rest INTERNAL. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  return new AppError(isUnavailable(err) ? 'SERVICE_UNAVAILABLE' : 'INTERNAL', { cause: err });
}

/**
 * What of a failure may be logged. A database error's message, SQL and stack carry the values it
 * was bound to (a password hash, say), so of those only the kind is kept.
 */
export function loggableCause(failure: AppError): unknown {
  const cause = failure.details.cause ?? failure;
  if (!(cause instanceof DriverException)) return cause;
  const { name, code, errno, sqlState } = cause;
  return { type: name, code, errno, sqlState };
}
