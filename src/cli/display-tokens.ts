// `posgate display-tokens create|list|revoke`: the credentials of customer displays, against the
// database directly. A token shows one terminal's display and nothing else.
import { Option, type Command } from 'commander';
import type { DisplayToken } from '../app/ports/dashboard.js';
import type { Mode } from '../app/ports/persistence.js';
import { inTransaction } from '../app/unit-of-work.js';
import { createDisplayToken, listDisplayTokens, revokeDisplayToken } from '../app/use-cases/display-tokens.js';
import type { Config } from '../config/config.js';
import { baseUrlOf, withApp } from './open-app.js';

interface Io {
  stdout(text: string): void;
}

const render = (token: DisplayToken) => ({
  id: token.id, merchantId: token.merchantId, terminalId: token.terminalId, mode: token.livemode ? 'live' : 'test', last4: token.last4,
  createdAt: new Date(token.createdAt).toISOString(), revokedAt: token.revokedAt === null ? null : new Date(token.revokedAt).toISOString(),
});

export function registerDisplayTokens(program: Command, io: Io, config: () => Config): void {
  const json = (value: unknown) => io.stdout(JSON.stringify(value, null, 2) + '\n');
  const tokens = program.command('display-tokens').description("customer displays' tokens: each shows one terminal's display and nothing else");

  tokens
    .command('create')
    .description("make a token for a terminal's display and print its address once (only its hash is kept)")
    .requiredOption('--merchant <merchantId>', 'the merchant (mer_...)')
    .requiredOption('--terminal <terminalId>', 'the terminal (term_...)')
    .addOption(new Option('--mode <mode>', 'test or live').choices(['test', 'live']).default('test'))
    .option('--json', 'print the token and the display address as JSON')
    .action(async (opts: { merchant: string; terminal: string; mode: Mode; json?: boolean }) => {
      const cfg = config();
      const issued = await withApp(cfg, ({ app }) => inTransaction(app, (unit) => createDisplayToken(unit, { merchantId: opts.merchant, terminalId: opts.terminal, mode: opts.mode })));
      const displayUrl = `${baseUrlOf(cfg)}/display/${issued.token.terminalId}?token=${issued.secret}`;
      if (opts.json) return json({ ...render(issued.token), token: issued.secret, displayUrl });
      io.stdout(`Display token ${issued.token.id} for terminal ${issued.token.terminalId}\nAddress: ${displayUrl}\nShown once: only its hash is kept. Revoke it with: posgate display-tokens revoke ${issued.token.id}\n`);
    });

  tokens
    .command('list')
    .description("a merchant's display tokens")
    .requiredOption('--merchant <merchantId>', 'the merchant (mer_...)')
    .option('--json', 'print them as JSON')
    .action(async (opts: { merchant: string; json?: boolean }) => {
      const found = await withApp(config(), ({ app }) => listDisplayTokens(app, opts.merchant));
      if (opts.json) return json(found.map(render));
      for (const t of found) io.stdout(`${t.id}  ${t.terminalId}  ${t.livemode ? 'live' : 'test'}  …${t.last4}${t.revokedAt === null ? '' : '  (revoked)'}\n`);
      if (found.length === 0) io.stdout('No display tokens.\n');
    });

  tokens
    .command('revoke')
    .description('revoke a display token: the display using it stops at once')
    .argument('<tokenId>', 'the token id (dsp_...)')
    .action(async (id: string) => {
      const token = await withApp(config(), ({ app }) => inTransaction(app, (unit) => revokeDisplayToken(unit, null, id)));
      io.stdout(`Revoked display token ${token.id} (terminal ${token.terminalId}).\n`);
    });
}
