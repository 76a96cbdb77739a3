import type { Command } from 'commander';
import type { AdminUserView, UserAdminService } from '../../admin/user-admin.service.js';
import type { Config } from '../../config.js';
import { UserStatus } from '../../db/entities/user.entity.js';
import { integerOption } from '../options.js';
import { readPages } from '../pages.js';
import { isoOrNull, print } from '../print.js';
import { CLI_ACTOR, withServices } from '../services.js';

const STATUS_NAMES: Record<number, string> = {
  [UserStatus.Enabled]: 'enabled',
  [UserStatus.Inactive]: 'inactive',
  [UserStatus.Disabled]: 'disabled',
};

function asJson(user: AdminUserView) {
  return { ...user, createdAt: isoOrNull(user.createdAt), lastSignInAt: isoOrNull(user.lastSignInAt) };
}

function asLine(user: AdminUserView): string {
  const lastSignIn = user.lastSignInAt ? `last sign-in ${user.lastSignInAt.toISOString()}` : 'never signed in';
  const sessions = `${user.sessionCount} session${user.sessionCount === 1 ? '' : 's'}`;
  return [user.id, user.username, user.name, STATUS_NAMES[user.status], user.role, sessions, lastSignIn].join('\t');
}

interface ListOptions {
  search?: string;
  status?: number;
  role?: string;
  limit: number;
  json?: boolean;
}

/** Up to `limit` users, read a page at a time. */
function listUsers(admin: UserAdminService, { limit, json, ...filter }: ListOptions): Promise<AdminUserView[]> {
  return readPages(limit, (first, after) => admin.list({ ...filter, first, after }, CLI_ACTOR));
}

/** `storegate users list|disable|enable|logout|reset-password`: the admin operations, acted by the CLI. */
export function usersCommand(program: Command, config: () => Config): void {
  const users = program
    .command('users')
    .description('find users, disable or enable them, sign them out, reset passwords');
  const withAdmin = <T>(run: (admin: UserAdminService) => Promise<T>) =>
    withServices(config(), ({ userAdmin }) => run(userAdmin));
  /** A command on one user named by username. */
  const onUser = (
    name: string,
    description: string,
    run: (admin: UserAdminService, user: AdminUserView) => Promise<string>,
  ) =>
    users
      .command(name)
      .description(description)
      .argument('<USERNAME>')
      .action((username: string) =>
        withAdmin(async (admin) => {
          const user = await admin.findByUsername(username);
          console.log(await run(admin, user));
        }),
      );

  users
    .command('list')
    .description('list users in id order, one a line (or JSON)')
    .option('--search <S>', 'a prefix of the username or the name')
    .option('--status <N>', '1 enabled, 0 inactive, -1 disabled', integerOption)
    .option('--role <R>', 'user or admin')
    .option('--limit <N>', 'at most this many', integerOption, 100)
    .option('--json', 'print a JSON array of objects')
    .action((opts: ListOptions) =>
      withAdmin(async (admin) => print(await listUsers(admin, opts), opts.json, asJson, asLine)),
    );
  onUser('disable', 'disable a user and sign them out of every session', async (admin, user) => {
    await admin.setStatus(String(user.id), UserStatus.Disabled, CLI_ACTOR);
    return `Disabled ${user.username}; ${user.sessionCount} session(s) signed out.`;
  });
  onUser('enable', 'let a disabled or inactive user sign in again', async (admin, user) => {
    await admin.setStatus(String(user.id), UserStatus.Enabled, CLI_ACTOR);
    return `Enabled ${user.username}.`;
  });
  onUser('logout', 'sign a user out of every session', async (admin, user) => {
    const revoked = await admin.revokeSessions(String(user.id), CLI_ACTOR);
    return `Signed ${user.username} out of ${revoked} session(s).`;
  });
  onUser('reset-password', 'issue a one-time password reset code (voids the one before)', async (admin, user) => {
    const { code, expiresAt } = await admin.issuePasswordReset(String(user.id), CLI_ACTOR);
    return `Reset code for ${user.username}: ${code}\nValid until ${expiresAt.toISOString()}. It is shown only this once.`;
  });
}
