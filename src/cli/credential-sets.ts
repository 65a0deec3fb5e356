// `posgate credentials issue|revoke`: a dialect's credential set for any merchant, as the admin API
// issues and revokes them over HTTP (POST/DELETE /admin/v1/merchants/{id}/credentials/{dialect}).
import type { Command } from 'commander';
import { inTransaction } from '../app/unit-of-work.js';
import { issueCredentialSet, revokeDialectCredential } from '../app/use-cases/dialect-credentials.js';
import type { Config } from '../config/config.js';
import { credentialDialect, credentialOptions } from '../dialects/dialect.js';
import { DIALECTS } from '../dialects/registry.js';
import type { CliIo } from './program.js';
import { baseUrlOf, withApp } from './open-app.js';

function parseOptions(text: string | undefined): unknown {
  if (text === undefined) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`--options must be a JSON object, e.g. '{"livemode":true}'.`);
  }
}

export function registerCredentialSets(credentials: Command, io: CliIo, config: () => Config): void {
  const withDialects = DIALECTS.filter((d) => d.credentials).map((d) => d.name).join(', ');
  credentials
    .command('issue')
    .description(`issue a merchant's credential set for one dialect (${withDialects}) and print it once`)
    .requiredOption('--merchant <merchantId>', 'the merchant (mer_...)')
    .requiredOption('--dialect <name>', `the dialect: ${withDialects}`)
    .option('--options <json>', "the dialect's own options as JSON, as the admin API's body takes them")
    .option('--json', 'print the set as JSON, in the shape of `posgate credentials --json`')
    .action(async (opts: { merchant: string; dialect: string; options?: string; json?: boolean }) => {
      const cfg = config();
      const dialect = credentialDialect(DIALECTS, opts.dialect);
      const options = credentialOptions(dialect.credentials, parseOptions(opts.options));
      const set = await withApp(cfg, ({ app }) => inTransaction(app, (unit) => issueCredentialSet(unit, dialect.name, opts.merchant, options, (on) => dialect.credentials.issue(on, opts.merchant, options))));
      const out = { baseUrl: baseUrlOf(cfg), [dialect.name]: set };
      if (opts.json) return io.stdout(JSON.stringify(out, null, 2) + '\n');
      io.stdout(`${dialect.name} set for merchant ${opts.merchant} (shown once: its secrets are kept hashed or sealed)\n` +
        Object.entries(set as Record<string, unknown>).map(([k, v]) => `  ${k}  ${String(v)}`).join('\n') + '\n' +
        `Revoke it with: posgate credentials revoke --merchant ${opts.merchant} --dialect ${dialect.name}\n`);
    });

  credentials
    .command('revoke')
    .description("revoke a merchant's credential set for one dialect: it stops working at once (its terminal key too)")
    .requiredOption('--merchant <merchantId>', 'the merchant (mer_...)')
    .requiredOption('--dialect <name>', `the dialect: ${withDialects}`)
    .option('--json', 'print the result as JSON')
    .action(async (opts: { merchant: string; dialect: string; json?: boolean }) => {
      const dialect = credentialDialect(DIALECTS, opts.dialect);
      await withApp(config(), ({ app }) => inTransaction(app, (unit) => revokeDialectCredential(unit, dialect.name, opts.merchant)));
      if (opts.json) return io.stdout(JSON.stringify({ merchantId: opts.merchant, dialect: dialect.name, revoked: true }, null, 2) + '\n');
      io.stdout(`Revoked the ${dialect.name} set of merchant ${opts.merchant}; a new one may be issued with: posgate credentials issue --merchant ${opts.merchant} --dialect ${dialect.name}\n`);
    });
}
