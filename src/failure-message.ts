import { DriverException } from '@mikro-orm/core';
import { ConfigError } from './config.js';
import { AppError } from './errors.js';

/** The kind of an outage or a bug, as a hint: ` (ECONNREFUSED)`. */
function causeOf(err: AppError): string {
  const cause = err.details.cause as { code?: unknown; type?: unknown; name?: unknown } | undefined;
  const kind = cause?.code ?? cause?.type ?? cause?.name;
  return typeof kind === 'string' ? ` (${kind})` : '';
}

/** What a person at a terminal needs to read of a failure: the message, never a stack or a bound value. */
export function describeFailure(err: unknown): string {
  if (err instanceof ConfigError) return err.message;
  if (err instanceof AppError) {
    const fields = Object.values(err.details.fieldErrors ?? {}).flat();
    const message = err.unexpected ? `storegate: ${err.message}${causeOf(err)}` : err.message;
    return fields.length > 1 ? `${message}\n${fields.map((m) => `  - ${m}`).join('\n')}` : message;
  }
  if (err instanceof DriverException) return `storegate: the database refused the command (${err.name}).`;
  return `storegate: ${err instanceof Error ? err.message : String(err)}`;
}
