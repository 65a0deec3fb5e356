// The CLI lists what it creates (merchants, stores, terminals, keys; --json), names the database it
// used, refuses a read where there is no database (and creates none), and calls revoking a
// revoked key an error. Run in-process (in-process-cli.ts) against a real data dir; cli.test.ts
// spawns the command itself.
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runPosgate } from './in-process-cli.js';
import { baseEnv, type Run } from './spawn-cli.js';

const posgate = (dataDir: string, ...args: string[]): Promise<Run> => runPosgate(args, baseEnv(dataDir));

function ok(run: Run): string {
  expect(run.stderr, 'stderr of a successful command').toBe('');
  expect(run.code).toBe(0);
  return run.stdout;
}

function failed(run: Run): string {
  expect(run.code).not.toBe(0);
  expect(run.stdout).toBe('');
  const lines = run.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0] as string;
}

describe('posgate CLI: lists and the data dir', { timeout: 180_000 }, () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'posgate-cli-lists-'));
    ok(await posgate(dataDir, 'migrate'));
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  test('a read command where there is no database says where it looked and creates nothing', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'posgate-cli-nodb-'));
    const elsewhere = join(empty, 'data');
    try {
      const runs = await Promise.all([['credentials', '--json'], ['merchants', 'list'], ['keys', 'list', '--json'], ['terminals', 'list'], ['stores', 'list'], ['verify']].map((args) => posgate(elsewhere, ...args)));
      for (const run of runs) {
        const line = failed(run);
        expect(line).toContain(`data dir ${elsewhere}`);
        expect(line).toMatch(/No posgate database here/);
      }
      expect(existsSync(elsewhere)).toBe(false); // no data dir, no database, no secret key made
      expect(readdirSync(empty)).toEqual([]);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  test('a command that acts on existing objects refuses where there is no database too, and makes none (nor a secret key)', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'posgate-cli-nodb-write-'));
    const elsewhere = join(empty, 'data');
    try {
      const commands = [
        ['keys', 'revoke', 'key_x'],
        ['keys', 'create', '--merchant', 'mer_x'],
        ['terminals', 'create', '--store', 'sto_x', '--name', 'till 1'],
        ['stores', 'create', '--merchant', 'mer_x', '--name', 'Second'],
        ['merchants', 'create', '--name', 'Kiosk Co'],
        ['users', 'create', '--merchant', 'mer_x', '--email', 'a@example.com', '--role', 'staff', '--password-stdin'],
        ['users', 'disable', 'usr_x'],
        ['credentials', 'issue', '--merchant', 'mer_x', '--dialect', 'kpay'],
        ['credentials', 'revoke', '--merchant', 'mer_x', '--dialect', 'kpay'],
        ['display-tokens', 'create', '--merchant', 'mer_x', '--terminal', 'term_x'],
        ['display-tokens', 'revoke', 'dtok_x'],
      ];
      for (const args of commands) {
        const line = failed(await runPosgate(args, baseEnv(elsewhere), 'a long enough password\n'));
        expect(line, args.join(' ')).toBe(`posgate: No posgate database here (sqlite, data dir ${elsewhere}); nothing was created. Run this where the server runs, or set DATA_DIR to the data dir the server uses (its banner prints it); \`posgate migrate\` makes a new one.`);
      }
      expect(readdirSync(empty)).toEqual([]);
      // and so `credentials` still finds no database to print a made-up demo merchant from
      expect(failed(await posgate(elsewhere, 'credentials'))).toMatch(/No posgate database here/);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  test('merchants create → list (readable names the data dir; --json is JSON alone)', async () => {
    const made = JSON.parse(ok(await posgate(dataDir, 'merchants', 'create', '--name', 'Kiosk Co', '--json'))) as { merchant: { id: string }; store: { id: string } };
    const readable = ok(await posgate(dataDir, 'merchants', 'list'));
    expect(readable.split('\n')[0]).toBe(`Using sqlite, data dir ${dataDir}`);
    expect(readable).toContain(made.merchant.id);
    expect(readable).toContain('Kiosk Co');
    const listed = JSON.parse(ok(await posgate(dataDir, 'merchants', 'list', '--json'))) as { data: { id: string; object: string; name: string }[] };
    expect(listed.data).toContainEqual(expect.objectContaining({ id: made.merchant.id, object: 'merchant', name: 'Kiosk Co' }));
  });

  test('stores create → stores list → terminals create → terminals list, by merchant and store', async () => {
    const { merchant } = JSON.parse(ok(await posgate(dataDir, 'merchants', 'create', '--name', 'Two Stores Ltd', '--json'))) as { merchant: { id: string }; store: { id: string } };
    const second = JSON.parse(ok(await posgate(dataDir, 'stores', 'create', '--merchant', merchant.id, '--name', 'Harbour', '--json'))) as { id: string; merchantId: string; name: string };
    expect(second).toMatchObject({ object: 'store', merchantId: merchant.id, name: 'Harbour' });
    const stores = JSON.parse(ok(await posgate(dataDir, 'stores', 'list', '--merchant', merchant.id, '--json'))) as { data: { id: string; name: string }[] };
    expect(stores.data.map((s) => s.name).sort()).toEqual(['Harbour', 'Main store']);

    const terminal = JSON.parse(ok(await posgate(dataDir, 'terminals', 'create', '--store', second.id, '--name', 'till-h1', '--json'))) as { id: string };
    const byStore = JSON.parse(ok(await posgate(dataDir, 'terminals', 'list', '--store', second.id, '--json'))) as { data: { id: string; storeId: string; name: string }[] };
    expect(byStore.data).toEqual([expect.objectContaining({ id: terminal.id, storeId: second.id, name: 'till-h1' })]);
    const readable = ok(await posgate(dataDir, 'terminals', 'list', '--merchant', merchant.id));
    expect(readable).toContain(terminal.id);
    expect(failed(await posgate(dataDir, 'stores', 'create', '--merchant', 'mer_nope', '--name', 'x'))).toBe('posgate: No merchant mer_nope.');
  });

  test('keys list shows each key once, never the key itself; revoking it twice is an error the second time', async () => {
    const { merchant } = JSON.parse(ok(await posgate(dataDir, 'merchants', 'create', '--name', 'Keyed', '--json'))) as { merchant: { id: string } };
    const issued = JSON.parse(ok(await posgate(dataDir, 'keys', 'create', '--merchant', merchant.id, '--json'))) as { id: string; secretKey: string };
    const listed = ok(await posgate(dataDir, 'keys', 'list', '--merchant', merchant.id, '--json'));
    expect(listed).not.toContain(issued.secretKey);
    const keys = (JSON.parse(listed) as { data: { id: string; last4: string; revokedAt: string | null; secretKey?: string }[] }).data;
    expect(keys).toEqual([expect.objectContaining({ id: issued.id, last4: issued.secretKey.slice(-4), revokedAt: null })]);
    expect(keys[0]?.secretKey).toBeUndefined();

    expect(ok(await posgate(dataDir, 'keys', 'revoke', issued.id))).toContain(`Revoked key ${issued.id}`);
    expect(failed(await posgate(dataDir, 'keys', 'revoke', issued.id))).toMatch(new RegExp(`^posgate: Key ${issued.id} was already revoked at \\d{4}-`));
    const after = ok(await posgate(dataDir, 'keys', 'list', '--merchant', merchant.id));
    expect(after).toMatch(new RegExp(`${issued.id}.*revoked \\d{4}-`));
  });
});
