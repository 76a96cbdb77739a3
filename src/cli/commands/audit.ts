import type { Command } from 'commander';
import ms from 'ms';
import type { Config } from '../../config.js';
import type { AuthEvent } from '../../db/entities/auth-event.entity.js';
import { AppError } from '../../errors.js';
import { integerOption } from '../options.js';
import { readPages } from '../pages.js';
import { print } from '../print.js';
import { CLI_ACTOR, withServices } from '../services.js';

function asJson(event: AuthEvent) {
  return { ...event, at: event.at.toISOString() };
}

function asLine(event: AuthEvent): string {
  const who = event.userId === null ? (event.username ?? '-') : `user ${event.userId}`;
  const detail = event.detail ? JSON.stringify(event.detail) : '';
  return [event.at.toISOString(), event.type, who, event.ip ?? '-', detail].join('\t');
}

/** `--since 7d`: that long ago. */
function sinceOption(value: string): Date {
  let duration: number | undefined;
  try {
    duration = ms(value as ms.StringValue);
  } catch {
    duration = undefined;
  }
  if (duration === undefined || !(duration > 0)) {
    throw new AppError('INVALID_INPUT', {}, `"${value}" is not a duration such as 7d, 12h or 30m.`);
  }
  return new Date(Date.now() - duration);
}

interface ListOptions {
  user?: string;
  type?: string;
  since?: Date;
  limit: number;
  json?: boolean;
}

/** `storegate audit list|prune`. */
export function auditCommand(program: Command, config: () => Config): void {
  const audit = program.command('audit').description('read and prune the audit log');
  audit
    .command('list')
    .description('list audit events, newest first, one a line (or JSON)')
    .option('--user <USERNAME>', "only this user's events")
    .option('--type <T>', 'only events of this type (login_failed, user_status_changed, …)')
    .option('--since <duration>', 'only events this recent, such as 7d, 12h or 30m', sinceOption)
    .option('--limit <N>', 'at most this many', integerOption, 100)
    .option('--json', 'print a JSON array of objects')
    .action((opts: ListOptions) =>
      withServices(config(), async ({ userAdmin }) => {
        const userId = opts.user === undefined ? undefined : String((await userAdmin.findByUsername(opts.user)).id);
        const events = await readPages(opts.limit, (first, after) =>
          userAdmin.events({ userId, type: opts.type, since: opts.since, first, after }, CLI_ACTOR),
        );
        print(events, opts.json, asJson, asLine);
      }),
    );
  audit
    .command('prune')
    .description('delete events older than AUDIT_RETENTION_DAYS, in small batches')
    .action(() =>
      withServices(config(), async ({ audit: log }) => {
        const deleted = await log.prune();
        console.log(`Deleted ${deleted} audit event(s) older than ${config().audit.retentionDays} days.`);
      }),
    );
}
