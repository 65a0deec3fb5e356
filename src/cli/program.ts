// The `posgate` command: start the gateway, migrate, print the demo credentials, and set up
// merchants, terminals and keys against the database directly (as the admin API does over HTTP).
import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { Mode } from '../app/ports/persistence.js';
import { inTransaction } from '../app/unit-of-work.js';
import { ensureDemoMerchant, type DemoCredentials } from '../app/use-cases/bootstrap.js';
import { credentialIssuers } from '../dialects/dialect.js';
import { DIALECTS } from '../dialects/registry.js';
import { createApiKey, createMerchant, createTerminal, DEFAULT_STORE_NAME, revokeApiKeyOnce } from '../app/use-cases/merchants.js';
import { loadConfig, type Config } from '../config/config.js';
import { start } from '../main.js';
import { describeStorage } from '../storage/open.js';
import { renderIssuedKey, renderMerchant, renderStore, renderTerminal } from '../dialects/native/render.js';
import { registerLists } from './lists.js';
import { baseUrlOf, withApp } from './open-app.js';
import { registerCredentialSets } from './credential-sets.js';
import { registerVerify } from './verify.js';
import { registerUsers } from './users.js';
import { registerDisplayTokens } from './display-tokens.js';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: NodeJS.ProcessEnv;
  /** The whole of standard input, where a command reads it (`users create --password-stdin`); the process's own when absent. */
  readStdin?(): Promise<string>;
}

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
};

/** The provider dialects' credential sets, printed after the native one. */
const OTHER_DIALECTS = DIALECTS.map((dialect) => dialect.name).filter((name) => name !== 'native');

function version(): string {
  try {
    // two levels up from both src/cli and dist/cli
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** A name as the admin API accepts it: 1 to 200 characters, not blank. */
function parseName(value: string): string {
  if (value.trim().length === 0) throw new InvalidArgumentError('It must not be empty.');
  if (value.length > 200) throw new InvalidArgumentError('It must be at most 200 characters.');
  return value;
}

/** One line, whatever the error: no stack trace, no multi-line driver messages. */
export function errorLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `posgate: ${message.replace(/\s*\n\s*/g, ' ').trim() || 'unknown error'}\n`;
}

/** Exactly the shape of `posgate credentials --json` in specs/dialects.md (Conventions). */
export function credentialsJson(baseUrl: string, credentials: DemoCredentials): Record<string, unknown> {
  const { secretKey, terminalKey, terminalId, webhookSecret } = credentials.native;
  const displayUrl = credentials.displayToken ? `${baseUrl}/display/${terminalId}?token=${credentials.displayToken}` : undefined;
  const out: Record<string, unknown> = { baseUrl, native: { secretKey, terminalKey, terminalId, webhookSecret, ...(displayUrl ? { displayUrl } : {}) } };
  // null: a set of the merchant's issued with options of its own, not printed (followDemoSet)
  for (const dialect of OTHER_DIALECTS) if (credentials[dialect] !== undefined && credentials[dialect] !== null) out[dialect] = credentials[dialect];
  if (credentials.dashboard) out.dashboard = { url: `${baseUrl}/dashboard`, ...credentials.dashboard };
  return out;
}

const table = (rows: ReadonlyArray<readonly [string, string]>, indent = '') => {
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${indent}${label.padEnd(width)}  ${value}`).join('\n') + '\n';
};

export function createProgram(outer: CliIo = processIo): Command {
  const config = (): Config => loadConfig(outer.env);
  // A command's output starts by saying which database it acted on (a CLI run from another
  // directory would otherwise act on another data dir unnoticed): set before the action runs,
  // written with its first output, so a failure stays one line on stderr and JSON stays pure.
  let using: string | null = null;
  const io: CliIo = {
    ...outer,
    stdout(text) {
      if (using) outer.stdout(using);
      using = null;
      outer.stdout(text);
    },
  };
  const json = (value: unknown) => io.stdout(JSON.stringify(value, null, 2) + '\n');

  const program = new Command('posgate')
    .description('Self-hostable gateway for point-of-sale payment requests.')
    .version(version(), '-v, --version')
    .showSuggestionAfterError(true)
    // a command's options are its own: `credentials --json` and `credentials issue --json` differ
    .enablePositionalOptions()
    .configureOutput({
      writeOut: (text) => io.stdout(text),
      writeErr: (text) => io.stderr(text),
      // commander's own errors (unknown command or option, missing option) on one line, like ours
      outputError: (text, write) => write(`posgate: ${text.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ').trim()}\n`),
    })
    .addHelpText('after', '\nConfiguration comes from the environment (PORT, HOST, DATA_DIR, PUBLIC_URL, ...), as for the server.')
    // commander's errors, help and version end the run with an exit code (runCli returns it)
    // rather than call process.exit, so that the program can run inside another process
    .exitOverride();

  // start, migrate and verify name the database themselves (verify's lines are read by scripts); JSON output stays pure
  program.hook('preAction', (_program, command) => {
    const name = command.name();
    if (['start', 'migrate', 'verify'].includes(name) || (command.opts() as { json?: boolean }).json) return;
    using = `Using ${describeStorage(config())}\n`;
  });

  program
    .command('start')
    .description('start the gateway (HTTP server and background work) and print where everything is')
    .action(async () => {
      await start(config());
    });

  program
    .command('migrate')
    .description('bring the configured database up to date with this version, then exit')
    .action(async () => {
      const cfg = config();
      // opening the App checks the secret key on an existing database, migrates, then checks it again
      await withApp(cfg, async () => undefined, { create: true });
      io.stdout(`Database migrated (${describeStorage(cfg)}): the schema is up to date, and the secret key opens it.\n`);
    });

  const credentials = program
    .command('credentials')
    .description("print the demo merchant's credentials (test mode; an existing database without a demo merchant gets one); issue or revoke a merchant's set")
    .enablePositionalOptions()
    .option('--json', 'print the credential sets as JSON (the shape the conformance tests read)')
    .action(async (opts: { json?: boolean }) => {
      const cfg = config();
      if (!cfg.demo) throw new Error('No demo merchant: POSGATE_DEMO is false (the default with DATABASE_URL). Set POSGATE_DEMO=true for one, or make a merchant with posgate merchants create.');
      const credentials = await withApp(cfg, async ({ app }) => (await ensureDemoMerchant(app, credentialIssuers(DIALECTS))).credentials);
      const out = credentialsJson(baseUrlOf(cfg), credentials);
      if (opts.json) return json(out);
      const { native } = credentials;
      io.stdout(
        `Demo merchant ${credentials.merchantId} (test mode)\n` +
          table([
            ['Base URL', baseUrlOf(cfg)],
            ['Secret key', native.secretKey],
            ['Terminal key', native.terminalKey],
            ['Terminal', native.terminalId],
            ['Webhook secret', native.webhookSecret],
            ...((out.native as { displayUrl?: string }).displayUrl ? [['Display', (out.native as { displayUrl: string }).displayUrl] as const] : []),
          ], '  '),
      );
      for (const dialect of OTHER_DIALECTS) {
        const set = out[dialect];
        if (set && typeof set === 'object') io.stdout(`${dialect}\n` + table(Object.entries(set).map(([k, v]) => [k, String(v)] as const), '  '));
      }
      if (out.dashboard) io.stdout('dashboard\n' + table(Object.entries(out.dashboard).map(([k, v]) => [k, String(v)] as const), '  '));
    });

  registerCredentialSets(credentials, io, config);
  registerVerify(program, io, config);
  registerUsers(program, io, config);
  registerDisplayTokens(program, io, config);

  const merchants = program.command('merchants').description('merchants (each gets a default store)');
  merchants
    .command('create')
    .description(`create a merchant and its default store ("${DEFAULT_STORE_NAME}")`)
    .requiredOption('--name <name>', "the merchant's name", parseName)
    .option('--json', 'print the merchant and store as JSON')
    .action(async (opts: { name: string; json?: boolean }) => {
      const { merchant, store } = await withApp(config(), ({ app }) =>
        inTransaction(app, (unit) => createMerchant(unit, { name: opts.name })),
      );
      if (opts.json) {
        return json({
          merchant: renderMerchant(merchant),
          store: renderStore(store),
        });
      }
      io.stdout(
        table([
          ['Merchant', `${merchant.id}  ${merchant.name}`],
          ['Store', `${store.id}  ${store.name}`],
        ]) + `Next: posgate terminals create --store ${store.id} --name <terminal id>\n`,
      );
    });

  const terminals = program.command('terminals').description('terminals (tills) of a store');
  terminals
    .command('create')
    .description('create a terminal in a store')
    .requiredOption('--store <storeId>', 'the store (sto_...)')
    .requiredOption('--name <name>', "the merchant's own terminal id, unique within the merchant", parseName)
    .option('--json', 'print the terminal as JSON')
    .action(async (opts: { store: string; name: string; json?: boolean }) => {
      const cfg = config();
      const terminal = await withApp(cfg, ({ app }) =>
        inTransaction(app, (unit) => createTerminal(unit, opts.store, { name: opts.name })),
      );
      if (opts.json) return json(renderTerminal(terminal, baseUrlOf(cfg)));
      io.stdout(
        table([
          ['Terminal', `${terminal.id}  ${terminal.name}`],
          ['Store', terminal.storeId],
          ['Merchant', terminal.merchantId],
        ]) + `Next: posgate keys create --merchant ${terminal.merchantId} --terminal ${terminal.id}\n`,
      );
    });

  const keys = program.command('keys').description('API keys: merchant secret keys (sk_) and terminal keys (tk_)');
  keys
    .command('create')
    .description('create a key and print it once (only its hash is kept)')
    .requiredOption('--merchant <merchantId>', 'the merchant (mer_...)')
    .option('--terminal <terminalId>', "a terminal key for this terminal of the merchant (term_...); without it, a merchant secret key")
    .addOption(new Option('--mode <mode>', 'test or live').choices(['test', 'live']).default('test'))
    .option('--json', 'print the key as JSON')
    .action(async (opts: { merchant: string; terminal?: string; mode: Mode; json?: boolean }) => {
      const issued = await withApp(config(), ({ app }) =>
        inTransaction(app, (unit) => createApiKey(unit, { merchantId: opts.merchant, terminalId: opts.terminal ?? null, mode: opts.mode })),
      );
      if (opts.json) return json(renderIssuedKey(issued));
      const { key, secret } = issued;
      io.stdout(
        table([
          ['Key id', key.id],
          [key.kind === 'terminal' ? 'Terminal key' : 'Secret key', secret],
          ['Mode', key.mode],
          ...(key.terminalId ? [['Terminal', key.terminalId] as const] : []),
          ...(issued.webhookSecret ? [[`Webhook secret (${key.mode})`, issued.webhookSecret] as const] : []),
        ]) + 'Shown once: only its hash is kept. Revoke it with: posgate keys revoke ' + key.id + '\n',
      );
    });

  keys
    .command('revoke')
    .description('revoke a key: it stops working at once')
    .argument('<keyId>', 'the key id (key_...)')
    .option('--json', 'print the revoked key as JSON')
    .action(async (keyId: string, opts: { json?: boolean }) => {
      const key = await withApp(config(), ({ app }) => inTransaction(app, (unit) => revokeApiKeyOnce(unit, keyId)));
      if (opts.json) return json(renderIssuedKey({ key, secret: '' }));
      io.stdout(`Revoked key ${key.id} (${key.kind === 'terminal' ? 'terminal' : 'secret'} key …${key.last4}, merchant ${key.merchantId}).\n`);
    });

  registerLists(program, io, config);
  return program;
}

/** Parses `argv` and runs the command; any failure is one line on stderr and a non-zero exit code. */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  try {
    await createProgram(io).parseAsync([...argv]);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode; // commander has printed what it had to say
    io.stderr(errorLine(error));
    return 1;
  }
}
