import 'dotenv/config';
import 'reflect-metadata';
import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';
import { text as readStream } from 'node:stream/consumers';
import { DriverException, type MikroORM } from '@mikro-orm/core';
import { Command } from 'commander';
import { AdminService } from './auth/admin.service.js';
import { InvitationService } from './auth/invitation.service.js';
import { PasswordHasher } from './auth/password-hasher.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { type InvitationCode, InvitationStatus } from './db/entities/invitation-code.entity.js';
import { createOrm, migrate } from './db/orm.js';
import { serverZoneWarning } from './db/session-time-zone.js';
import { AppError, loggableCause, toAppError } from './errors.js';

/** Opens the configured database for one command and closes it afterwards. */
async function withDatabase<T>(run: (orm: MikroORM, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const orm = await createOrm(config.db);
  try {
    // The embedded SQLite file builds its own schema, as the server does.
    if (config.db.kind === 'sqlite') await migrate(orm);
    return await run(orm, config);
  } finally {
    await orm.close();
  }
}

/** An AdminService whose password pool lives only as long as the command. */
async function withAdmins<T>(run: (admins: AdminService) => Promise<T>): Promise<T> {
  return withDatabase(async (orm, config) => {
    const hasher = new PasswordHasher(config.passwords.cost, 1);
    try {
      return await run(new AdminService(orm, hasher, config.passwords.minLength));
    } finally {
      await hasher.close();
    }
  });
}

function invitationJson(code: InvitationCode) {
  return {
    code: code.code,
    status: code.status,
    usageLimit: code.usageLimit,
    usageTimes: code.usageTimes,
    validUntil: code.validUntil?.toISOString() ?? null,
    creatorId: code.userId,
    createdAt: code.createdAt?.toISOString() ?? null,
  };
}

function invitationLine(code: InvitationCode): string {
  const state = code.status === InvitationStatus.Usable ? 'usable' : 'disabled';
  const until = code.validUntil ? `until ${code.validUntil.toISOString()}` : 'no expiry';
  return `${code.code}\t${code.usageTimes}/${code.usageLimit} used\t${state}\t${until}`;
}

/** The password comes on standard input: piped, or typed at a prompt that does not echo it. */
async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) return (await readStream(process.stdin)).replace(/\r?\n$/, '');
  const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
  const prompt = createInterface({ input: process.stdin, output: silent, terminal: true });
  process.stderr.write('Password: ');
  try {
    return await prompt.question('');
  } finally {
    prompt.close();
    process.stderr.write('\n');
  }
}

const integer = (value: string): number => {
  if (!/^-?\d+$/.test(value)) throw new AppError('INVALID_INPUT', {}, `"${value}" is not an integer.`);
  return Number(value);
};

function createCli(): Command {
  const program = new Command('storegate')
    .description('storegate administration, with the same configuration (environment, .env) as the server')
    .showHelpAfterError();

  program
    .command('migrate')
    .description('create or update the database schema')
    .action(() =>
      withDatabase(async (orm, config) => {
        const zoneWarning = config.db.kind === 'mysql' ? await serverZoneWarning(orm, config.db) : undefined;
        if (zoneWarning) console.error(zoneWarning);
        const applied = await migrate(orm);
        if (config.db.kind === 'sqlite') console.log(`SQLite schema at ${config.db.path} is up to date.`);
        else console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Schema is up to date.');
      }),
    );

  const invitations = program.command('invitations').description('manage invitation codes');
  invitations
    .command('create')
    .description('create invitation codes and print them, one a line')
    .option('--count <K>', 'how many codes', integer, 1)
    .option('--uses <N>', 'registrations each code admits', integer, 1)
    .option('--expires-in <duration>', 'lifetime such as 7d, 12h or 30m (default: never)')
    .option('--json', 'print a JSON array of objects')
    .action((opts: { count: number; uses: number; expiresIn?: string; json?: boolean }) =>
      withDatabase(async (orm) => {
        const codes = await new InvitationService(orm).create(opts);
        console.log(
          opts.json ? JSON.stringify(codes.map(invitationJson), null, 2) : codes.map((c) => c.code).join('\n'),
        );
      }),
    );
  invitations
    .command('list')
    .description('list every invitation code')
    .option('--json', 'print a JSON array of objects')
    .action((opts: { json?: boolean }) =>
      withDatabase(async (orm) => {
        const codes = await new InvitationService(orm).list();
        if (opts.json) console.log(JSON.stringify(codes.map(invitationJson), null, 2));
        else if (codes.length) console.log(codes.map(invitationLine).join('\n'));
      }),
    );
  invitations
    .command('revoke')
    .description('disable an invitation code')
    .argument('<CODE>')
    .action((code: string) =>
      withDatabase(async (orm) => {
        await new InvitationService(orm).revoke(code);
        console.log(`Revoked ${code}.`);
      }),
    );

  const admin = program.command('admin').description('manage administrators');
  admin
    .command('create')
    .description('create an administrator; the password is read from standard input')
    .requiredOption('--username <U>')
    .requiredOption('--name <N>')
    .action((opts: { username: string; name: string }) =>
      withAdmins(async (admins) => {
        const user = await admins.createAdmin({ ...opts, password: await readPassword() });
        console.log(`Created administrator ${user.username} (id ${user.id}).`);
      }),
    );
  admin
    .command('grant')
    .description('give an existing user the admin role')
    .argument('<USERNAME>')
    .action((username: string) =>
      withAdmins(async (admins) => {
        const user = await admins.grant(username);
        console.log(`${user.username} is now an administrator.`);
      }),
    );
  return program;
}

function describeFailure(err: unknown): string {
  if (err instanceof ConfigError) return err.message;
  if (err instanceof AppError) {
    const fields = Object.values(err.details.fieldErrors ?? {}).flat();
    return fields.length > 1 ? `${err.message}\n${fields.map((m) => `  - ${m}`).join('\n')}` : err.message;
  }
  if (err instanceof Error && !(err instanceof DriverException)) return `storegate: ${err.message}`;
  return `storegate: ${JSON.stringify(loggableCause(toAppError(err)))}`;
}

createCli()
  .parseAsync()
  .catch((err: unknown) => {
    console.error(describeFailure(err));
    process.exitCode = 1;
  });
