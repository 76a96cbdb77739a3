import 'reflect-metadata';
import { Command } from 'commander';
import { type Config, loadConfig } from '../config.js';
import { loadEnvFile } from '../env-file.js';
import { describeFailure } from '../failure-message.js';
import { adminCommand } from './commands/admin.js';
import { auditCommand } from './commands/audit.js';
import { invitationsCommand } from './commands/invitations.js';
import { migrateCommand } from './commands/migrate.js';
import { usersCommand } from './commands/users.js';

/** The storegate command, with the server's configuration (environment and `.env`) read once, when a command runs. */
export function createCli(): Command {
  let config: Config | undefined;
  const configOnce = () => {
    config ??= loadConfig();
    return config;
  };
  const program = new Command('storegate')
    .description('storegate administration, with the same configuration (environment, .env) as the server')
    .showHelpAfterError();
  migrateCommand(program, configOnce);
  invitationsCommand(program, configOnce);
  adminCommand(program, configOnce);
  usersCommand(program, configOnce);
  auditCommand(program, configOnce);
  return program;
}

/** Runs the command line; resolves with the exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  loadEnvFile();
  try {
    await createCli().parseAsync([...argv]);
    return 0;
  } catch (err) {
    console.error(describeFailure(err));
    return 1;
  }
}
