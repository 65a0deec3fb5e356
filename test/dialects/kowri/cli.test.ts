// The posgate command issues a Kowri set for any merchant (as the admin API does), and the set it
// prints authenticates against a gateway on the same database.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { createGateway, type Gateway } from '../../../src/main.js';
import { createLogger } from '../../../src/observability/logger.js';
import { runPosgate } from '../../cli/in-process-cli.js';
import { baseEnv } from '../../cli/spawn-cli.js';

let dataDir: string;
let gateway: Gateway | null = null;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'posgate-kowri-cli-'));
  // a command that writes refuses where there is no database: make it, as a server's start would
  expect(await posgate(['migrate'])).toMatchObject({ code: 0 });
});
afterAll(async () => {
  await gateway?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const posgate = (args: string[]) => runPosgate(args, baseEnv(dataDir));

it('credentials issue --dialect kowri issues a set for a new merchant; its secret is shown once and works', async () => {
  const merchant = JSON.parse((await posgate(['merchants', 'create', '--name', 'Accra Coffee', '--json'])).stdout).merchant;
  const run = await posgate(['credentials', 'issue', '--merchant', merchant.id, '--dialect', 'kowri', '--json']);
  expect(run.stderr).toBe('');
  const { kowri } = JSON.parse(run.stdout);
  expect(Object.keys(kowri).sort()).toEqual(['appId', 'appReference', 'secret', 'serviceCode']);
  expect(kowri.serviceCode).toMatch(/^\d{4}$/);

  // one set per merchant; a bad option is refused in one line
  const again = await posgate(['credentials', 'issue', '--merchant', merchant.id, '--dialect', 'kowri']);
  expect(again.code).not.toBe(0);
  expect(again.stderr).toMatch(/^posgate: .*already has a kowri credential set/);
  expect((await posgate(['credentials', 'issue', '--merchant', merchant.id, '--dialect', 'kowri', '--options', '{"colour":1}'])).stderr).toMatch(/^posgate: Unknown field colour/);

  gateway = await createGateway(loadConfig({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' }), { logger: createLogger('silent'), background: false });
  await gateway.listen();
  const call = (secret: string) => fetch(`${gateway!.url}/kowri/webpos/createInvoice`, {
    method: 'POST', headers: { 'content-type': 'application/json', appId: kowri.appId },
    body: JSON.stringify({ requestId: `cli-${secret.length}`, appReference: kowri.appReference, secret, merchantOrderId: 'cli-1', amount: '9.90' }),
  });
  const made = await (await call(kowri.secret)).json();
  expect(made).toMatchObject({ success: true, result: { serviceCode: kowri.serviceCode, invoiceAmount: '9.9', status: 'OPEN' } });
  expect((await call(`${kowri.secret}x`)).status).toBe(401);
  // the secret is kept hashed: the database does not hold it
  const rows = await gateway.app.db.read.findDialectCredential('kowri', kowri.appId);
  expect(JSON.stringify(rows)).not.toContain(kowri.secret);
}, 60_000);
