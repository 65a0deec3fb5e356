// What the CLI creates, it can list: `merchants list`, `stores list|create`, `terminals list`,
// `keys list` (each with --json). Registered from program.ts beside the create commands.
import type { Command } from 'commander';
import type { App } from '../app/context.js';
import type { Merchant, Page } from '../app/ports/persistence.js';
import { inTransaction } from '../app/unit-of-work.js';
import { createStore, listApiKeys, listMerchants, listStores } from '../app/use-cases/merchants.js';
import type { Config } from '../config/config.js';
import { renderIssuedKey, renderMerchant, renderStore, renderTerminal } from '../dialects/native/render.js';
import { baseUrlOf, withApp } from './open-app.js';

interface Io {
  stdout(text: string): void;
}

const PAGE = 100;

/** Every item of a paged list, page after page. */
async function all<T extends { id: string }>(page: (afterId: string | undefined) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  for (let afterId: string | undefined; ; ) {
    const next = await page(afterId);
    items.push(...next.items);
    if (!next.hasMore || next.items.length === 0) return items;
    afterId = next.items.at(-1)!.id;
  }
}

const merchantsOf = (app: App, only?: string): Promise<Merchant[]> =>
  all((afterId) => listMerchants(app, { limit: PAGE, afterId })).then((list) => (only === undefined ? list : list.filter((m) => m.id === only)));

/** Aligned columns, a header first; "(none)" for an empty list. */
function columns(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  if (rows.length === 0) return '(none)\n';
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  return [header, ...rows].map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd()).join('\n') + '\n';
}

/** The subcommand group `name`, made if program.ts has not made it already. */
function group(program: Command, name: string, description: string): Command {
  return program.commands.find((command) => command.name() === name) ?? program.command(name).description(description);
}

export function registerLists(program: Command, io: Io, config: () => Config): void {
  const json = (value: unknown) => io.stdout(JSON.stringify(value, null, 2) + '\n');

  group(program, 'merchants', 'merchants (each gets a default store)')
    .command('list')
    .description('list every merchant')
    .option('--json', 'print them as JSON')
    .action(async (opts: { json?: boolean }) => {
      const merchants = await withApp(config(), ({ app }) => merchantsOf(app));
      if (opts.json) return json({ data: merchants.map(renderMerchant) });
      io.stdout(columns(['ID', 'NAME', 'CREATED'], merchants.map((m) => [m.id, m.name, new Date(m.createdAt).toISOString()])));
    });

  const stores = group(program, 'stores', "a merchant's stores (its terminals belong to one)");
  stores
    .command('list')
    .description('list the stores of every merchant, or of one')
    .option('--merchant <merchantId>', 'only this merchant (mer_...)')
    .option('--json', 'print them as JSON')
    .action(async (opts: { merchant?: string; json?: boolean }) => {
      const list = await withApp(config(), async ({ app }) => {
        const merchants = opts.merchant ? [{ id: opts.merchant }] : await merchantsOf(app);
        return (await Promise.all(merchants.map((m) => listStores(app, m.id)))).flat();
      });
      if (opts.json) return json({ data: list.map(renderStore) });
      io.stdout(columns(['ID', 'MERCHANT', 'NAME'], list.map((s) => [s.id, s.merchantId, s.name])));
    });
  stores
    .command('create')
    .description('create a store for a merchant')
    .requiredOption('--merchant <merchantId>', 'the merchant (mer_...)')
    .requiredOption('--name <name>', "the store's name")
    .option('--json', 'print the store as JSON')
    .action(async (opts: { merchant: string; name: string; json?: boolean }) => {
      if (opts.name.trim() === '' || opts.name.length > 200) throw new Error('--name must be 1 to 200 characters.');
      const store = await withApp(config(), ({ app }) => inTransaction(app, (unit) => createStore(unit, opts.merchant, { name: opts.name })));
      if (opts.json) return json(renderStore(store));
      io.stdout(`Store ${store.id}  ${store.name}  (merchant ${store.merchantId})\nNext: posgate terminals create --store ${store.id} --name <terminal id>\n`);
    });

  group(program, 'terminals', 'terminals (tills) of a store')
    .command('list')
    .description('list the terminals of every merchant, or of one')
    .option('--merchant <merchantId>', 'only this merchant (mer_...)')
    .option('--store <storeId>', 'only this store (sto_...)')
    .option('--json', 'print them as JSON')
    .action(async (opts: { merchant?: string; store?: string; json?: boolean }) => {
      const cfg = config();
      const list = await withApp(cfg, async ({ app }) => {
        const merchants = await merchantsOf(app, opts.merchant);
        if (opts.merchant && merchants.length === 0) throw new Error(`No merchant ${opts.merchant}.`);
        const terminals = await Promise.all(merchants.map((m) => all((afterId) => app.db.read.listTerminals(m.id, { limit: PAGE, afterId }))));
        return terminals.flat().filter((t) => opts.store === undefined || t.storeId === opts.store);
      });
      if (opts.json) return json({ data: list.map((t) => renderTerminal(t, baseUrlOf(cfg))) });
      io.stdout(columns(['ID', 'NAME', 'STORE', 'MERCHANT'], list.map((t) => [t.id, t.name, t.storeId, t.merchantId])));
    });

  group(program, 'keys', 'API keys: merchant secret keys (sk_) and terminal keys (tk_)')
    .command('list')
    .description('list API keys (never the keys themselves: their last four characters), revoked ones too')
    .option('--merchant <merchantId>', 'only this merchant (mer_...)')
    .option('--json', 'print them as JSON')
    .action(async (opts: { merchant?: string; json?: boolean }) => {
      const keys = await withApp(config(), ({ app }) => listApiKeys(app, opts.merchant));
      if (opts.json) return json({ data: keys.map((key) => renderIssuedKey({ key, secret: '' })) });
      io.stdout(
        columns(
          ['ID', 'KIND', 'MODE', 'ENDS', 'MERCHANT', 'TERMINAL', 'STATUS'],
          keys.map((k) => [k.id, k.kind, k.mode, `…${k.last4}`, k.merchantId, k.terminalId ?? '-', k.revokedAt === null ? 'active' : `revoked ${new Date(k.revokedAt).toISOString()}`]),
        ),
      );
    });
}
