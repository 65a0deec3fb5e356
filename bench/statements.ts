// `npx tsx bench/statements.ts`: how many SQL statements (BEGIN and COMMIT included) one create,
// one sandbox payment and one refund cost, on SQLite, through the native API and a dialect's. Counted by wrapping
// better-sqlite3's statement methods: exact and repeatable, unlike a timing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { loadConfig } from '../src/config/config.js';
import { createGateway } from '../src/main.js';
import { createLogger } from '../src/observability/logger.js';

let statements = 0;
const probe = new Database(':memory:');
const Statement = Object.getPrototypeOf(probe.prepare('select 1')) as Record<string, (...args: unknown[]) => unknown>;
probe.close();
for (const method of ['run', 'get', 'all', 'iterate']) {
  const original = Statement[method]!;
  Statement[method] = function (this: unknown, ...args: unknown[]) {
    statements++;
    return original.apply(this, args);
  };
}

const dataDir = mkdtempSync(join(tmpdir(), 'posgate-statements-'));
const gateway = await createGateway(loadConfig({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1' }), { logger: createLogger('silent'), background: false });
const url = await gateway.listen();
const { secretKey, terminalId } = gateway.demo.native;

/** One call; its statement count is printed on the second round (the first warms per-process reads). */
async function call(print: boolean, what: string, path: string, headers: Record<string, string>, body: unknown): Promise<any> {
  const before = statements;
  const response = await fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const parsed = await response.json();
  if (response.status >= 300) throw new Error(`${what}: ${response.status} ${JSON.stringify(parsed)}`);
  if (print) console.log(`  ${what.padEnd(26)} ${String(statements - before).padStart(3)} statements`);
  return parsed;
}

try {
  const native = { authorization: `Bearer ${secretKey}` };
  const centrapay = gateway.demo.centrapay as { apiKey: string; configId: string };
  const cp = { 'x-api-key': centrapay.apiKey };
  for (const round of [1, 2]) {
    const print = round === 2;
    if (print) console.log('SQLite, one request each:');
    const created = await call(print, 'native create', '/v1/payment-requests', native, { amount: 1500, currency: 'NZD', terminalId, allowConcurrent: true });
    await call(print, 'native sandbox pay', `/v1/sandbox/payment-requests/${created.id}/pay`, native, { outcome: 'approve' });
    await call(print, 'native refund', `/v1/payment-requests/${created.id}/refunds`, native, { amount: 500, reference: `r-${round}` });
    const request = await call(print, 'centrapay create', '/centrapay/api/payment-requests', cp, { configId: centrapay.configId, value: { amount: '1050', currency: 'NZD' } });
    await call(print, 'centrapay pay', `/centrapay/api/payment-requests/${request.id}/pay`, cp, { assetType: 'centrapay.nzd.test', idempotencyKey: `pay-${round}` });
    await call(print, 'centrapay refund', `/centrapay/api/payment-requests/${request.id}/refund`, cp, { value: { amount: '500', currency: 'NZD' }, externalRef: `refund-${round}` });
  }
} finally {
  await gateway.close();
  rmSync(dataDir, { recursive: true, force: true });
}
