// The posgate command against a temporary DATA_DIR; the keys it prints are checked against a gateway
// on the same database. Most commands run in-process (in-process-cli.ts: the same program, without a
// process start each); migrate, the errors and start run as real child processes (node --import tsx
// src/cli/main.ts), for the exit codes and output of the process itself.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { DIALECTS } from '../../src/dialects/registry.js';
import { createGateway, type Gateway } from '../../src/main.js';
import { createLogger } from '../../src/observability/logger.js';
import { runPosgate } from './in-process-cli.js';
import { baseEnv, ROOT, spawnPosgate, type Run } from './spawn-cli.js';

const SPEC_ORDER = ['native', 'kpay', 'kowri', 'centrapay', 'cliq', 'mobilepay'];


function posgate(dataDir: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return runPosgate(args, { ...baseEnv(dataDir), ...env });
}

function spawned(dataDir: string, args: string[]): Promise<Run> {
  return spawnPosgate(args, baseEnv(dataDir));
}

function ok(run: Run): string {
  expect(run.stderr, `stderr of a successful command`).toBe('');
  expect(run.code).toBe(0);
  return run.stdout;
}

/** A failed command: non-zero exit, nothing on stdout, exactly one `posgate: …` line on stderr. */
function failedLine(run: Run): string {
  expect(run.code).not.toBe(0);
  expect(run.code).not.toBeNull();
  expect(run.stdout).toBe('');
  const lines = run.stderr.split('\n').filter((line) => line.length > 0);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^posgate: \S/);
  return lines[0] as string;
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('posgate CLI', () => {
  let dataDir: string;
  let gateway: Gateway | null = null;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'posgate-cli-'));
  });

  afterAll(async () => {
    await gateway?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** A gateway on the CLI's database, made after the CLI has written to it. */
  async function server(): Promise<{ gateway: Gateway; url: string }> {
    if (!gateway) {
      gateway = await createGateway(loadConfig({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' }), { logger: createLogger('silent'), background: false });
      await gateway.listen();
    }
    return { gateway, url: gateway.url };
  }

  test('migrate creates the database and prints one line', async () => {
    const out = ok(await spawned(dataDir, ['migrate']));
    expect(out.trimEnd().split('\n')).toHaveLength(1);
    expect(out).toContain('sqlite');
    expect(existsSync(join(dataDir, 'posgate.sqlite'))).toBe(true);
  });

  test('credentials --json prints exactly the documented shape, the same set every time, and its keys authenticate', async () => {
    const creds = JSON.parse(ok(await posgate(dataDir, ['credentials', '--json'], { HOST: '127.0.0.1', PORT: '8123' }))) as {
      baseUrl: string;
      native: { secretKey: string; terminalKey: string; terminalId: string; webhookSecret: string };
      mobilepay: { bioCode: string; accessToken: string; terminalId: string; posId: string; storeId: string };
      centrapay: { apiKey: string; merchantId: string; configId: string; terminalId: string };
    };
    // every registered dialect with a set, in the order specs/dialects.md gives (Conventions)
    const served = DIALECTS.filter((d) => d.credentials).map((d) => d.name);
    expect(Object.keys(creds)).toEqual(['baseUrl', ...served, 'dashboard']);
    expect(served).toEqual(SPEC_ORDER.filter((name) => served.includes(name)));
    expect(Object.keys(creds.centrapay).sort()).toEqual(['apiKey', 'configId', 'merchantId', 'terminalId']);
    expect(creds.centrapay).toMatchObject({ terminalId: 'till-1', apiKey: expect.stringMatching(/^tk_test_/) });
    expect(Object.keys(creds.mobilepay).sort()).toEqual(['accessToken', 'bioCode', 'posId', 'storeId', 'terminalId']);
    expect(creds.mobilepay.terminalId).toBe('till-1');
    expect(creds.mobilepay.posId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(creds.baseUrl).toBe('http://127.0.0.1:8123');
    expect(Object.keys(creds.native).sort()).toEqual(['displayUrl', 'secretKey', 'terminalId', 'terminalKey', 'webhookSecret']);
    expect((creds.native as any).displayUrl).toMatch(/^http:\/\/127\.0\.0\.1:8123\/display\/term_[0-9A-Za-z]+\?token=dt_test_/);
    expect(creds.native.secretKey).toMatch(/^sk_test_[0-9A-Za-z]{40,}$/);
    expect(creds.native.terminalKey).toMatch(/^tk_test_[0-9A-Za-z]{40,}$/);
    expect(creds.native.terminalId).toMatch(/^term_/);
    expect(creds.native.webhookSecret).toMatch(/^whsec_/);

    // a second run (readable form, PUBLIC_URL wins for the base URL) shows the same set, not a new one
    const readable = ok(await posgate(dataDir, ['credentials'], { PUBLIC_URL: 'https://pay.example.com' }));
    expect(readable).toContain('https://pay.example.com');
    // the display address is the same token under the base URL of each run
    for (const [name, value] of Object.entries(creds.native)) expect(readable).toContain(name === 'displayUrl' ? value.replace('http://127.0.0.1:8123', 'https://pay.example.com') : value);
    expect(readable.trimStart().startsWith('{')).toBe(false);

    // the gateway on the same database sees the same demo merchant, and the printed keys work
    const { gateway: gw, url } = await server();
    const { displayUrl, ...keys } = creds.native as typeof creds.native & { displayUrl: string };
    expect(gw.demo.native).toEqual(keys);
    expect(displayUrl).toContain(`?token=${gw.demo.displayToken}`);
    expect((await fetch(displayUrl.replace('http://127.0.0.1:8123', url))).status).toBe(200);
    const list = await fetch(`${url}/v1/payment-requests`, { headers: bearer(creds.native.secretKey) });
    expect(list.status).toBe(200);
    const terminals = await fetch(`${url}/v1/terminals`, { headers: bearer(creds.native.terminalKey) });
    expect(terminals.status).toBe(200);
    expect(((await terminals.json()) as { data: { id: string }[] }).data.map((t) => t.id)).toEqual([creds.native.terminalId]);
    // the mobilepay set names the same terminal, and its token works
    expect(gw.demo.mobilepay).toEqual(creds.mobilepay);
    const { bioCode, accessToken, terminalId } = creds.mobilepay;
    const info = await fetch(`${url}/mobilepay/api/pos/manage/terminal/information?${new URLSearchParams({ terminalId, bioCode, accessToken })}`);
    expect(((await info.json()) as { posInformation: { posId: string } }).posInformation.posId).toBe(creds.mobilepay.posId);
    // and the centrapay set creates a request on that terminal
    const created = await fetch(`${url}/centrapay/api/payment-requests`, {
      method: 'POST', headers: { 'x-api-key': creds.centrapay.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ configId: creds.centrapay.configId, value: { amount: '100', currency: 'NZD' } }),
    });
    expect(((await created.json()) as { terminalId: string; merchantId: string })).toMatchObject({ terminalId: 'till-1', merchantId: gw.demo.merchantId });
  });

  test('keys create prints a working secret key once; keys revoke stops it at once', async () => {
    const { gateway: gw, url } = await server();
    const created = JSON.parse(ok(await posgate(dataDir, ['keys', 'create', '--merchant', gw.demo.merchantId, '--json']))) as Record<string, unknown>;
    expect(created).toMatchObject({ object: 'api_key', kind: 'secret', mode: 'test', merchantId: gw.demo.merchantId, terminalId: null, revokedAt: null });
    expect(created.id).toMatch(/^key_/);
    const secretKey = created.secretKey as string;
    expect(secretKey).toMatch(/^sk_test_/);
    expect(secretKey).not.toBe(gw.demo.native.secretKey);
    expect((await fetch(`${url}/v1/payment-requests`, { headers: bearer(secretKey) })).status).toBe(200);

    const revoked = ok(await posgate(dataDir, ['keys', 'revoke', created.id as string]));
    expect(revoked).toContain(created.id as string);
    expect(revoked).not.toContain(secretKey); // the secret is not printed again

    const refused = await fetch(`${url}/v1/payment-requests`, { headers: bearer(secretKey) });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { code: string }).code).toBe('invalid_api_key');
    // the other keys of the merchant are untouched
    expect((await fetch(`${url}/v1/payment-requests`, { headers: bearer(gw.demo.native.secretKey) })).status).toBe(200);
  });

  test('merchants create → terminals create → keys create --terminal: the terminal key sees only its terminal', async () => {
    const made = ok(await posgate(dataDir, ['merchants', 'create', '--name', 'Acme Coffee', '--json']));
    expect(made).not.toMatch(/sk_|tk_|whsec_/);
    const { merchant, store } = JSON.parse(made) as { merchant: { id: string; name: string }; store: { id: string; name: string; merchantId: string } };
    expect(merchant.id).toMatch(/^mer_/);
    expect(merchant.name).toBe('Acme Coffee');
    expect(store).toMatchObject({ name: 'Main store', merchantId: merchant.id });
    expect(store.id).toMatch(/^sto_/);

    const terminal = JSON.parse(ok(await posgate(dataDir, ['terminals', 'create', '--store', store.id, '--name', 'till-7', '--json']))) as Record<string, string>;
    expect(terminal).toMatchObject({ object: 'terminal', merchantId: merchant.id, storeId: store.id, name: 'till-7' });
    expect(terminal.id).toMatch(/^term_/);

    const key = JSON.parse(ok(await posgate(dataDir, ['keys', 'create', '--merchant', merchant.id, '--terminal', terminal.id as string, '--json']))) as Record<string, string>;
    expect(key).toMatchObject({ kind: 'terminal', mode: 'test', merchantId: merchant.id, terminalId: terminal.id });
    expect(key.terminalKey).toMatch(/^tk_test_/);
    expect(key.secretKey).toBeUndefined();

    const { gateway: gw, url } = await server();
    const mine = await fetch(`${url}/v1/terminals`, { headers: bearer(key.terminalKey as string) });
    expect(mine.status).toBe(200);
    expect(((await mine.json()) as { data: { id: string; name: string }[] }).data.map((t) => [t.id, t.name])).toEqual([[terminal.id, 'till-7']]);
    // another merchant's terminal is invisible to the demo merchant
    const demo = (await (await fetch(`${url}/v1/terminals`, { headers: bearer(gw.demo.native.secretKey) })).json()) as { data: { id: string }[] };
    expect(demo.data.map((t) => t.id)).not.toContain(terminal.id);

    // a second terminal with the same name: one clear line, no retry-loop "conflict"
    expect(failedLine(await posgate(dataDir, ['terminals', 'create', '--store', store.id, '--name', 'till-7']))).toBe('posgate: The merchant already has a terminal with this name.');
  });

  test("credentials issue|revoke: a merchant's set for one dialect, refused twice, stopped at once when revoked", async () => {
    const { url } = await server();
    const merchant = (JSON.parse(ok(await posgate(dataDir, ['merchants', 'create', '--name', 'Set shop', '--json']))) as { merchant: { id: string } }).merchant.id;
    const issue = ['credentials', 'issue', '--merchant', merchant, '--dialect', 'kpay', '--json'];
    const set = JSON.parse(ok(await posgate(dataDir, issue))) as { baseUrl: string; kpay: { secretKey: string } };
    expect(Object.keys(set)).toEqual(['baseUrl', 'kpay']);
    const kpay = (key: string) => fetch(`${url}/kpay/api/v1/pos/payment-request`, { method: 'POST', headers: { ...bearer(key), 'content-type': 'application/json' }, body: JSON.stringify({ amount: '100' }) });
    expect(((await (await kpay(set.kpay.secretKey)).json()) as { responseCode: string }).responseCode).toBe('09');
    expect(failedLine(await posgate(dataDir, issue))).toContain('already has a kpay credential set');
    expect(ok(await posgate(dataDir, ['credentials', 'revoke', '--merchant', merchant, '--dialect', 'kpay']))).toContain('Revoked the kpay set');
    expect((await kpay(set.kpay.secretKey)).status).toBe(401);
    expect(failedLine(await posgate(dataDir, ['credentials', 'revoke', '--merchant', merchant, '--dialect', 'kpay']))).toContain('has no kpay credential set');
    expect(failedLine(await posgate(dataDir, ['credentials', 'issue', '--merchant', merchant, '--dialect', 'nope']))).toContain('available: ');
    const again = JSON.parse(ok(await posgate(dataDir, issue))) as { kpay: { secretKey: string } };
    expect(again.kpay.secretKey).not.toBe(set.kpay.secretKey);
  });

  test("credentials --json prints the demo merchant's sets as they are after a revoke and an issue: each one works", async () => {
    const { gateway, url } = await server();
    const merchant = gateway.demo.merchantId;
    const printed = async () => JSON.parse(ok(await posgate(dataDir, ['credentials', '--json']))) as { kpay: { secretKey: string } };
    const kpay = async (key: string) => (await fetch(`${url}/kpay/api/v1/pos/payment-request`, { method: 'POST', headers: { ...bearer(key), 'content-type': 'application/json' }, body: JSON.stringify({ amount: '100' }) })).status;
    const first = await printed();
    expect(await kpay(first.kpay.secretKey)).toBe(200);
    ok(await posgate(dataDir, ['credentials', 'revoke', '--merchant', merchant, '--dialect', 'kpay']));
    expect(await kpay(first.kpay.secretKey)).toBe(401);
    // issued by the operator: what is printed from now on
    const issued = JSON.parse(ok(await posgate(dataDir, ['credentials', 'issue', '--merchant', merchant, '--dialect', 'kpay', '--json']))) as { kpay: { secretKey: string } };
    expect((await printed()).kpay).toEqual(issued.kpay);
    expect(await kpay(issued.kpay.secretKey)).toBe(200);
    // revoked and not issued again: the demo merchant gets a fresh set, printed
    ok(await posgate(dataDir, ['credentials', 'revoke', '--merchant', merchant, '--dialect', 'kpay']));
    const fresh = (await printed()).kpay;
    expect(fresh.secretKey).not.toBe(issued.kpay.secretKey);
    expect(await kpay(fresh.secretKey)).toBe(200);
    expect((await printed()).kpay).toEqual(fresh);

    // a set issued with options of its own (live mode) is not the sandbox's to print, nor replaced
    ok(await posgate(dataDir, ['credentials', 'revoke', '--merchant', merchant, '--dialect', 'kowri']));
    ok(await posgate(dataDir, ['credentials', 'issue', '--merchant', merchant, '--dialect', 'kowri', '--options', '{"livemode":true}']));
    expect(await printed()).not.toHaveProperty('kowri');
    expect(await printed()).not.toHaveProperty('kowri');
    ok(await posgate(dataDir, ['credentials', 'revoke', '--merchant', merchant, '--dialect', 'kowri']));
    expect(await printed()).toHaveProperty('kowri.appId');
  });

  test('errors are one line on stderr with a non-zero exit code', async () => {
    const [noStore, noMerchant, unknown] = await Promise.all([
      spawned(dataDir, ['terminals', 'create', '--store', 'sto_nope', '--name', 'x']),
      spawned(dataDir, ['keys', 'create', '--mode', 'test']),
      spawned(dataDir, ['credentails', '--json']),
    ]);
    expect(failedLine(noStore)).toBe('posgate: No store sto_nope.');
    expect(failedLine(noMerchant)).toContain('--merchant');
    expect(failedLine(unknown)).toContain("unknown command 'credentails'");
  });

  test('printing into a reader that stopped early (`posgate credentials | head -1`) ends quietly, exit 0', async () => {
    await server(); // the database the command reads
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'credentials'], { cwd: ROOT, env: baseEnv(dataDir), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // the reader is gone before the first line is written
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const code = await new Promise((closed) => child.on('close', closed));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  test("commander's own endings (an unknown command or option, help, version) are exit codes, not process.exit", async () => {
    // in-process, where commander's process.exit would end the host process (under vitest it throws,
    // and runCli then prints a second line)
    expect(failedLine(await posgate(dataDir, ['credentails']))).toContain("unknown command 'credentails'");
    expect(failedLine(await posgate(dataDir, ['merchants', 'list', '--nope']))).toContain("unknown option '--nope'");
    expect(ok(await posgate(dataDir, ['--version']))).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect(ok(await posgate(dataDir, ['--help']))).toContain('Usage: posgate');
  });

  test('start serves HTTP until SIGTERM, then exits 0', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'posgate-cli-start-'));
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'start'], { cwd: ROOT, env: { ...baseEnv(dir), PORT: '0', HOST: '127.0.0.1' } });
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      let stdout = '';
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no banner; stdout: ${stdout}`)), 20_000);
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString('utf8');
          const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
          if (match) {
            clearTimeout(timer);
            resolve(match[1] as string);
          }
        });
        void exited.then((code) => reject(new Error(`exited ${code} before listening`)));
      });
      expect(stdout).toContain('Admin token'); // first start prints the generated admin token once
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
