import type { FastifyServerOptions } from 'fastify';
import type { Config } from '../config.js';

/** Query and body parameters whose values never reach a log line. */
const SECRET_PARAMS = /^(password|password_confirmation|passwordConfirmation|token|access_token|captcha_code|captchaCode)$/i;

/** The URL with secret parameter values masked: legacy clients send passwords in the query string. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  for (const key of new Set(params.keys())) {
    if (SECRET_PARAMS.test(key)) params.set(key, '[redacted]');
  }
  return `${url.slice(0, q)}?${params.toString()}`;
}

export function loggerOptions(config: Config): FastifyServerOptions['logger'] {
  return {
    level: config.logLevel,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'headers.authorization',
        '*.password',
        '*.password_confirmation',
        '*.passwordConfirmation',
        '*.token',
        '*.access_token',
        '*.accessToken',
        '*.captcha_code',
        '*.captchaCode',
      ],
      censor: '[redacted]',
    },
    serializers: {
      req: (req: { method: string; url: string; ip?: string; id?: string }) => ({
        method: req.method,
        url: redactUrl(req.url),
        remoteAddress: req.ip,
      }),
    },
  };
}
