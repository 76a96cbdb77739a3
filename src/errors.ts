/** The legacy business codes: what REST answers in `code`, GraphQL in `extensions.legacyCode`. */
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

interface ErrorEntry {
  /** `extensions.code` of GraphQL. */
  graphql: string;
  legacy: BusinessCode;
  /** The HTTP status REST answers with: 200 for a business error, as the legacy service did. */
  status: number;
  /** The legacy `msg` (REST). */
  zh: string;
  /** The message of GraphQL and the logs. */
  en: string;
}

/** Every failure storegate answers, with its codes, its REST status and its messages. */
const ERRORS = {
  INVALID_INPUT: { graphql: 'BAD_USER_INPUT', legacy: 10001, status: 200, zh: '参数有误', en: 'Invalid input.' },
  MALFORMED_BODY: {
    graphql: 'BAD_USER_INPUT',
    legacy: 10001,
    status: 400,
    zh: '参数有误',
    en: 'The request body could not be parsed.',
  },
  PAYLOAD_TOO_LARGE: {
    graphql: 'PAYLOAD_TOO_LARGE',
    legacy: 10001,
    status: 413,
    zh: '参数有误',
    en: 'The request body is too large.',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    graphql: 'BAD_USER_INPUT',
    legacy: 10001,
    status: 415,
    zh: '参数有误',
    en: 'The request body has an unsupported content type.',
  },
  ROUTE_NOT_FOUND: { graphql: 'NOT_FOUND', legacy: 40004, status: 404, zh: '查询为空', en: 'No such route.' },
  CAPTCHA_EXPIRED: {
    graphql: 'CAPTCHA_INVALID',
    legacy: 10003,
    status: 200,
    zh: '验证码无效',
    en: 'The captcha is unknown, expired or already used.',
  },
  CAPTCHA_WRONG: {
    graphql: 'CAPTCHA_INVALID',
    legacy: 10003,
    status: 200,
    zh: '验证码错误',
    en: 'The captcha code is wrong.',
  },
  INVITATION_INVALID: {
    graphql: 'INVITATION_INVALID',
    legacy: 10003,
    status: 200,
    zh: '邀请码无效',
    en: 'The invitation code is unknown, disabled, expired or used up.',
  },
  USERNAME_TAKEN: {
    graphql: 'USERNAME_TAKEN',
    legacy: 40001,
    status: 200,
    zh: '用户已存在',
    en: 'The username is already taken.',
  },
  INVALID_CREDENTIALS: {
    graphql: 'INVALID_CREDENTIALS',
    legacy: 10003,
    status: 200,
    zh: '用户名或密码有误',
    en: 'The username or password is wrong.',
  },
  ACCOUNT_DISABLED: {
    graphql: 'ACCOUNT_DISABLED',
    legacy: 40001,
    status: 200,
    zh: '账号已禁用',
    en: 'The account is disabled.',
  },
  REFRESH_EXPIRED: {
    graphql: 'UNAUTHENTICATED',
    legacy: 40005,
    status: 401,
    zh: '请求过期',
    en: 'The token can no longer be refreshed: its refresh window has closed or it was revoked.',
  },
  UNAUTHENTICATED: {
    graphql: 'UNAUTHENTICATED',
    legacy: 40005,
    status: 401,
    zh: '请求过期',
    en: 'A valid access token is required.',
  },
  RESET_CODE_INVALID: {
    graphql: 'RESET_CODE_INVALID',
    legacy: 10003,
    status: 200,
    zh: '重置码无效',
    en: 'The username or the reset code is wrong, or the code was used or has expired.',
  },
  FORBIDDEN: {
    graphql: 'FORBIDDEN',
    legacy: 40003,
    status: 200,
    zh: '权限不足',
    en: 'This operation needs the admin role.',
  },
  NOT_FOUND: { graphql: 'NOT_FOUND', legacy: 40004, status: 200, zh: '查询为空', en: 'Nothing was found.' },
  TOO_MANY_REQUESTS: {
    graphql: 'TOO_MANY_REQUESTS',
    legacy: 40001,
    status: 429,
    zh: '请求过于频繁',
    en: 'Too many attempts: try again later.',
  },
  SERVICE_UNAVAILABLE: {
    graphql: 'SERVICE_UNAVAILABLE',
    legacy: 50001,
    status: 503,
    zh: '操作失败',
    en: 'A backing service is unavailable: try again shortly.',
  },
  INTERNAL: {
    graphql: 'INTERNAL_SERVER_ERROR',
    legacy: 50001,
    status: 500,
    zh: '操作失败',
    en: 'Internal server error.',
  },
} as const satisfies Record<string, ErrorEntry>;

export type ErrorKind = keyof typeof ERRORS;
export type FieldErrors = Record<string, string[]>;

/** What a throttle left for the client, for the REST `X-RateLimit-*` headers. */
export interface RateLimitInfo {
  limit: number;
  remaining: number;
}

export interface AppErrorDetails {
  /** Per-field messages of a validation failure (Laravel's English wording). */
  fieldErrors?: FieldErrors;
  /** Seconds until a throttled client may try again. */
  retryAfter?: number;
  /** The throttle counted before the failure, if any. */
  rateLimit?: RateLimitInfo;
  /** What failed, for the log only (never sent to the client, never holding a secret). */
  cause?: unknown;
}

/** The one error type of storegate; each transport maps it to its answer in one place. */
export class AppError extends Error {
  readonly graphqlCode: string;
  readonly legacyCode: BusinessCode;
  readonly status: number;
  readonly zh: string;

  constructor(
    readonly kind: ErrorKind,
    readonly details: AppErrorDetails = {},
    message?: string,
  ) {
    const entry: ErrorEntry = ERRORS[kind];
    super(message ?? entry.en);
    this.name = 'AppError';
    this.graphqlCode = entry.graphql;
    this.legacyCode = entry.legacy;
    this.status = entry.status;
    this.zh = entry.zh;
  }

  /** Whether the failure is the server's (an outage or a bug) rather than the request's. */
  get unexpected(): boolean {
    return this.status >= 500;
  }

  static invalid(fieldErrors: FieldErrors): AppError {
    const first = Object.values(fieldErrors)[0]?.[0];
    return new AppError('INVALID_INPUT', { fieldErrors }, first);
  }

  /** Anything thrown, as an AppError: adapters map their own outages, so the rest is a bug. */
  static from(err: unknown): AppError {
    return err instanceof AppError ? err : new AppError('INTERNAL', { cause: err });
  }

  /** The same failure, noting the throttle counted before it (unless a throttle refused it). */
  withRateLimit(rateLimit: RateLimitInfo | null): AppError {
    if (!rateLimit || this.details.rateLimit) return this;
    return new AppError(this.kind, { ...this.details, rateLimit }, this.message);
  }
}
