import type { Command } from 'commander';
import type { Config } from '../../config.js';
import { readNewPassword } from '../password-input.js';
import { withServices } from '../services.js';

/** `storegate admin create|grant`. */
export function adminCommand(program: Command, config: () => Config): void {
  const admin = program.command('admin').description('manage administrators');
  admin
    .command('create')
    .description('create an administrator; the password is the first line of standard input (a second must repeat it)')
    .requiredOption('--username <U>')
    .requiredOption('--name <N>')
    .action(async (opts: { username: string; name: string }) => {
      const password = await readNewPassword();
      await withServices(config(), async ({ admin: admins }) => {
        const user = await admins.createAdmin({ ...opts, password });
        console.log(`Created administrator ${user.username} (id ${user.id}).`);
      });
    });
  admin
    .command('grant')
    .description('give an existing user the admin role')
    .argument('<USERNAME>')
    .action((username: string) =>
      withServices(config(), async ({ admin: admins }) => {
        const user = await admins.grant(username);
        console.log(`${user.username} is now an administrator.`);
      }),
    );
}
