import type { FastifyServerOptions } from 'fastify';
import type { Config } from '../config.js';

/** Pino's options as Fastify takes them. */
export type LoggerOptions = Exclude<FastifyServerOptions['logger'], boolean | undefined>;

/**
 * Parameter names whose values never reach a log line, matched anywhere in the name so that
 * `password_confirmation`, `access_token` and PHP-style `user[password]` are caught too.
 */
const SECRET_NAME = /password|token|secret|authorization|captcha_?code/i;

/** Keys redacted wherever they sit in a logged object, up to three levels deep. */
const SECRET_KEYS = [
  'password',
  'password_confirmation',
  'passwordConfirmation',
  'token',
  'access_token',
  'accessToken',
  'authorization',
  'captcha_code',
  'captchaCode',
  // GraphQL variables carry passwords and captcha codes: never log them whole.
  'variables',
];

const REDACT_PATHS = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);

/** The URL with secret parameter values masked: legacy clients send passwords in the query string. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  for (const key of new Set(params.keys())) {
    if (SECRET_NAME.test(key)) params.set(key, '[redacted]');
  }
  return `${url.slice(0, q)}?${params.toString()}`;
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
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', ...REDACT_PATHS], censor: '[redacted]' },
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
