import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';
import type { Config } from '../config.js';
import type { AppError } from '../errors.js';

/** Pino's options as Fastify takes them. */
export type LoggerOptions = Exclude<FastifyServerOptions['logger'], boolean | undefined>;

/**
 * Parameter names whose values never reach a log line, matched anywhere in the name so that
 * `password_confirmation`, `access_token` and PHP-style `user[password]` are caught too.
 */
const SECRET_NAME = /password|token|secret|authorization|captcha_?code/i;

/** Keys whose values are masked wherever they sit in a logged object. */
const SECRET_KEYS = new Set([
  'password',
  'password_confirmation',
  'passwordConfirmation',
  'token',
  'access_token',
  'accessToken',
  'authorization',
  'cookie',
  'captcha_code',
  'captchaCode',
  // GraphQL variables carry passwords and captcha codes: never log them whole.
  'variables',
]);

const CENSOR = '[redacted]';
/** Deeper than this a logged value is masked whole: nothing we log nests so far. */
const MAX_LOGGED_DEPTH = 8;

const isPlainObject = (value: object): value is Record<string, unknown> => {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
};

/** Whether a logged value holds a secret key (or nests too deep to tell) anywhere redaction looks. */
function holdsSecret(value: unknown, depth: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (depth >= MAX_LOGGED_DEPTH) return true;
  if (Array.isArray(value)) return value.some((item) => holdsSecret(item, depth + 1));
  if (!isPlainObject(value)) return false;
  for (const key in value) {
    if (SECRET_KEYS.has(key) || holdsSecret(value[key], depth + 1)) return true;
  }
  return false;
}

function redactedCopy(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_LOGGED_DEPTH) return CENSOR;
  if (Array.isArray(value)) return value.map((item) => redactedCopy(item, depth + 1));
  if (!isPlainObject(value)) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    copy[key] = SECRET_KEYS.has(key) ? CENSOR : redactedCopy(item, depth + 1);
  }
  return copy;
}

/**
 * The logged object with the value of every secret key masked, at any depth: a copy when there
 * is one, the object itself (no copy) when there is none, as on a request's line. Instances
 * (errors, the request) are left to their serializers, which copy only safe fields. It runs
 * only for lines that are written: pino's own `redact` with wildcard paths runs whenever
 * Fastify makes a request's child logger, on every request.
 */
export function redactSecrets(value: unknown): unknown {
  return holdsSecret(value, 0) ? redactedCopy(value, 0) : value;
}

/** One `name=value&…` run of parameters with the values of secret names masked. */
function redactParams(params: string): string {
  const parsed = new URLSearchParams(params);
  for (const key of new Set(parsed.keys())) {
    if (SECRET_NAME.test(key)) parsed.set(key, CENSOR);
  }
  return parsed.toString();
}

/**
 * The URL with secret parameter values masked: legacy clients send passwords in the query string.
 * Fastify's router takes the query from the first `?` or `#` (a raw request line may carry a
 * fragment) and keeps any later one inside a value, so every run after a `?` or `#` is masked.
 */
export function redactUrl(url: string): string {
  return url.replace(/([?#])([^?#]*)/g, (_, mark: string, params: string) => mark + redactParams(params));
}

function prettyLogs(config: Config): boolean {
  return config.logPretty ?? (config.env === 'development' && process.stdout.isTTY === true);
}

/**
 * Pino's JSON lines, each request's carrying its id (`reqId`). Only method, redacted URL and
 * client address of a request are logged: never its headers or body.
 */
export function loggerOptions(config: Config): LoggerOptions {
  return {
    level: config.logLevel,
    formatters: { log: (object) => redactSecrets(object) as Record<string, unknown> },
    serializers: {
      req: (req: { method: string; url: string; ip?: string }) => ({
        method: req.method,
        url: redactUrl(req.url),
        remoteAddress: req.ip,
      }),
    },
    ...(prettyLogs(config) && {
      transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } },
    }),
  };
}

/** A failure that is the server's (an outage, a bug): logged with its cause, which never holds a secret. */
export function logUnexpected(log: FastifyBaseLogger, failure: AppError, message: string): void {
  log.error({ err: failure.details.cause ?? failure, code: failure.graphqlCode }, message);
}
