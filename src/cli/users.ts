// `posgate users create|list|disable`: the dashboard's users, against the database directly.
// A password is generated and printed once, or read from stdin (--password-stdin) so that it
// never sits in the shell's history or the process list.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { USER_ROLES, type User, type UserRole } from '../app/ports/dashboard.js';
import { inTransaction } from '../app/unit-of-work.js';
import { createUser, disableUser, listUsers, newPassword } from '../app/use-cases/users.js';
import type { Config } from '../config/config.js';
import { withApp } from './open-app.js';

interface Io {
  stdout(text: string): void;
  /** The whole of standard input (tests hand it in). */
  readStdin?(): Promise<string>;
}

async function processStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

const render = (user: User) => ({
  id: user.id, merchantId: user.merchantId, email: user.email, role: user.role,
  createdAt: new Date(user.createdAt).toISOString(), disabledAt: user.disabledAt === null ? null : new Date(user.disabledAt).toISOString(),
});

function parseMerchant(value: string): string {
  if (!/^mer_[0-9A-Za-z]{1,60}$/.test(value)) throw new InvalidArgumentError('It must be a merchant id (mer_...).');
  return value;
}

export function registerUsers(program: Command, io: Io, config: () => Config): void {
  const json = (value: unknown) => io.stdout(JSON.stringify(value, null, 2) + '\n');
  const users = program.command('users').description("the dashboard's users (each belongs to one merchant, with a role)");

  users
    .command('create')
    .description('create a user and print its password once (only its scrypt hash is kept)')
    .requiredOption('--merchant <merchantId>', 'the merchant (mer_...)', parseMerchant)
    .requiredOption('--email <email>', 'what the user signs in with')
    .addOption(new Option('--role <role>', 'owner: all, keys and users included; staff: operations; viewer: read only').choices(USER_ROLES).makeOptionMandatory())
    .option('--password-stdin', 'read the password from standard input (12 to 200 characters; a final line break is dropped) instead of generating one')
    .option('--json', 'print the user and its password as JSON')
    .action(async (opts: { merchant: string; email: string; role: UserRole; passwordStdin?: boolean; json?: boolean }) => {
      const password = await newPassword(opts.passwordStdin ? (await (io.readStdin ?? processStdin)()).replace(/\r?\n$/, '') : undefined);
      const created = await withApp(config(), ({ app }) => inTransaction(app, (unit) => createUser(unit, { merchantId: opts.merchant, email: opts.email, role: opts.role, password })));
      if (opts.json) return json({ user: render(created.user), ...(opts.passwordStdin ? {} : { password: created.password }) });
      io.stdout(`User ${created.user.id} ${created.user.email} (${created.user.role}) of merchant ${created.user.merchantId}\n`);
      if (!opts.passwordStdin) io.stdout(`Password: ${created.password}\nShown once: only its hash is kept.\n`);
    });

  users
    .command('list')
    .description("list a merchant's users")
    .requiredOption('--merchant <merchantId>', 'the merchant (mer_...)', parseMerchant)
    .option('--json', 'print the users as JSON')
    .action(async (opts: { merchant: string; json?: boolean }) => {
      const found = await withApp(config(), ({ app }) => listUsers(app, opts.merchant));
      if (opts.json) return json(found.map(render));
      for (const user of found) io.stdout(`${user.id}  ${user.email}  ${user.role}${user.disabledAt === null ? '' : '  (disabled)'}\n`);
      if (found.length === 0) io.stdout('No users.\n');
    });

  users
    .command('disable')
    .description('disable a user: it cannot sign in any more and its sessions end at once')
    .argument('<user>', 'the user id (usr_...) or email')
    .option('--json', 'print the user as JSON')
    .action(async (user: string, opts: { json?: boolean }) => {
      const disabled = await withApp(config(), ({ app }) => inTransaction(app, (unit) => disableUser(unit, null, user)));
      if (opts.json) return json(render(disabled));
      io.stdout(`Disabled ${disabled.id} ${disabled.email}.\n`);
    });
}
