import type { Command } from 'commander';
import { invitationState } from '../../auth/invitation.service.js';
import type { Config } from '../../config.js';
import type { InvitationCode } from '../../db/entities/invitation-code.entity.js';
import { integerOption } from '../options.js';
import { isoOrNull, print } from '../print.js';
import { CLI_ACTOR, withServices } from '../services.js';

function asJson(code: InvitationCode) {
  return {
    code: code.code,
    state: invitationState(code),
    status: code.status,
    usageLimit: code.usageLimit,
    usageTimes: code.usageTimes,
    validUntil: isoOrNull(code.validUntil),
    creatorId: code.userId,
    createdAt: isoOrNull(code.createdAt),
  };
}

function asLine(code: InvitationCode): string {
  const until = code.validUntil ? `until ${code.validUntil.toISOString()}` : 'no expiry';
  return `${code.code}\t${code.usageTimes}/${code.usageLimit} used\t${invitationState(code)}\t${until}`;
}

/** `storegate invitations create|list|revoke`. */
export function invitationsCommand(program: Command, config: () => Config): void {
  const invitations = program.command('invitations').description('manage invitation codes');
  invitations
    .command('create')
    .description('create invitation codes and print them, one a line')
    .option('--count <K>', 'how many codes', integerOption, 1)
    .option('--uses <N>', 'registrations each code admits', integerOption, 1)
    .option('--expires-in <duration>', 'lifetime such as 7d, 12h or 30m (default: never)')
    .option('--json', 'print a JSON array of objects')
    .action((opts: { count: number; uses: number; expiresIn?: string; json?: boolean }) =>
      withServices(config(), async ({ invitations }) => {
        const codes = await invitations.create(opts, CLI_ACTOR);
        print(codes, opts.json, asJson, (c) => c.code);
      }),
    );
  invitations
    .command('list')
    .description('list every invitation code: usable, used up, expired or revoked')
    .option('--json', 'print a JSON array of objects')
    .action((opts: { json?: boolean }) =>
      withServices(config(), async ({ invitations }) => print(await invitations.list(), opts.json, asJson, asLine)),
    );
  invitations
    .command('revoke')
    .description('disable an invitation code')
    .argument('<CODE>')
    .action((code: string) =>
      withServices(config(), async ({ invitations }) => {
        await invitations.revoke(code, CLI_ACTOR);
        console.log(`Revoked ${code}.`);
      }),
    );
}
