// `npx tsx bench/dashboard.ts`: the dashboard's payments list page and the settlement report over
// 100,000 payment requests (BENCH_REQUESTS overrides), on a fresh SQLite data dir, 127.0.0.1 only.
// Seeds rows through the storage port (as the engine writes them: a request, its events, some
// refunds), signs in as the demo owner, then times sequential requests and prints p50 / p95.
// Exits non-zero when a p95 passes its budget (list 100 ms, report 500 ms). See bench/README.md.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/config.js';
import { createGateway } from '../src/main.js';
import { createLogger } from '../src/observability/logger.js';
import type { PaymentRequest } from '../src/core/payment-request.js';
import type { Refund } from '../src/core/refund.js';
import { DashboardClient } from '../test/support/dashboard-client.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 100_000);
const BATCH = 2_000;
const DAY = 86_400_000;
const SAMPLES = { list: 200, report: 40 };
const BUDGET_MS = { list: 100, report: 500 };

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function time(samples: number, run: (i: number) => Promise<number>): Promise<{ p50: number; p95: number; max: number }> {
  const took: number[] = [];
  for (let i = 0; i < samples; i++) {
    const start = process.hrtime.bigint();
    const status = await run(i);
    took.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (status !== 200) throw new Error(`answered ${status}`);
  }
  took.sort((a, b) => a - b);
  return { p50: percentile(took, 50), p95: percentile(took, 95), max: took.at(-1)! };
}

const dataDir = await mkdtemp(join(tmpdir(), 'posgate-bench-dash-'));
const gateway = await createGateway(loadConfig({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' }), { logger: createLogger('silent'), background: false });
try {
  const url = await gateway.listen();
  if (new URL(url).hostname !== '127.0.0.1') throw new Error('refusing to bench anything but 127.0.0.1');
  const { app, demo } = gateway;
  const terminal = (await app.db.read.getTerminal(demo.native.terminalId))!;
  const now = app.clock.now();
  const seedStart = Date.now();
  const channels = ['card', 'mobile_money', 'bank_transfer', 'wallet'];
  for (let from = 0; from < REQUESTS; from += BATCH) {
    await app.db.transaction(async (tx) => {
      for (let i = from; i < Math.min(REQUESTS, from + BATCH); i++) {
        const at = now - Math.floor((i / REQUESTS) * 30 * DAY);
        const amount = 100 + ((i * 7919) % 50_000);
        const ok = i % 5 !== 0;
        const id = `pr_bench${String(i).padStart(8, '0')}`;
        const request: PaymentRequest = {
          id, livemode: false, merchantId: demo.merchantId, storeId: terminal.storeId, terminalId: terminal.id,
          status: ok ? 'succeeded' : 'expired', statusReason: null, cancellationReason: null, amount, currency: i % 10 === 0 ? 'USD' : 'NZD',
          amountReceived: ok ? amount : 0, amountAuthorized: ok ? amount : 0, amountCaptured: ok ? amount : 0,
          amountRefunded: ok && i % 20 === 1 ? 100 : 0, amountRefundReserved: ok && i % 20 === 1 ? 100 : 0, overpaid: false,
          captureMode: 'automatic', reference: `ORDER-${i}`, externalRef: null, shortCode: `B${i}`, description: null, lineItems: null, metadata: {},
          webhookUrl: null, redirectUrl: null, partialAllowed: false, basketAmount: null, patronNotPresent: false, allowConcurrent: true,
          allowedMethods: null, paymentMethod: ok ? channels[i % channels.length]! : null, methodDetails: null, patronId: null, minimumAge: null,
          conditionsEnabled: null, conditions: [], authorizationTtlMs: null, source: 'native', fingerprint: null,
          expiresAt: at + 120_000, authorizationExpiresAt: null, createdAt: at, updatedAt: at + 5_000, version: 3,
        };
        await tx.insertPaymentRequest(request);
        const event = (type: string, sequence: number, t: number) => ({
          id: `evt_bench${sequence}${String(i).padStart(8, '0')}`, type, objectType: 'payment_request' as const, objectId: id, paymentRequestId: id,
          merchantId: demo.merchantId, terminalId: terminal.id, livemode: false, sequence, data: request, createdAt: t,
        });
        await tx.appendEvent(event('payment_request.created', 1, at));
        await tx.appendEvent(event(ok ? 'payment_request.succeeded' : 'payment_request.expired', 2, at + 5_000));
        if (ok && i % 20 === 1) {
          const refund: Refund = {
            id: `rf_bench${String(i).padStart(8, '0')}`, livemode: false, merchantId: demo.merchantId, terminalId: terminal.id, paymentRequestId: id,
            amount: 100, currency: request.currency, status: 'succeeded', reference: `r-${i}`, reason: null, captureMode: 'automatic', expiresAt: null,
            createdAt: at + 60_000, updatedAt: at + 60_000, version: 2,
          };
          await tx.insertRefund(refund);
        }
      }
    });
  }
  const seedSeconds = (Date.now() - seedStart) / 1000;

  const client = new DashboardClient(url);
  const signedIn = await client.signIn(demo.dashboard!.email, demo.dashboard!.password);
  if (signedIn.status !== 303) throw new Error(`sign-in answered ${signedIn.status}`);
  const lists = ['', '?status=succeeded', '?channel=card', `?q=ORDER-${Math.floor(REQUESTS / 2)}`, '?currency=NZD&min=100&max=200'];
  // warm-up: the first reads fill the statement cache and the page cache
  for (const query of lists) await client.get(`/dashboard/payment-requests${query}`);
  const list = await time(SAMPLES.list, async (i) => (await client.get(`/dashboard/payment-requests${lists[i % lists.length]}`)).status);
  const today = new Date(now).toISOString().slice(0, 10);
  const monthAgo = new Date(now - 30 * DAY).toISOString().slice(0, 10);
  const tomorrow = new Date(now + DAY).toISOString().slice(0, 10);
  const key = demo.native.secretKey;
  const report = await time(SAMPLES.report, async () => (await fetch(`${url}/v1/reports/settlement?from=${monthAgo}&to=${tomorrow}`, { headers: { authorization: `Bearer ${key}` } })).status);
  const totals = (await (await fetch(`${url}/v1/reports/settlement?from=${monthAgo}&to=${tomorrow}`, { headers: { authorization: `Bearer ${key}` } })).json()) as { totals: { currency: string; count: number }[] };
  const counted = totals.totals.reduce((sum, t) => sum + t.count, 0);
  const expected = Array.from({ length: REQUESTS }, (_, i) => i).filter((i) => i % 5 !== 0).length;
  if (counted !== expected) throw new Error(`the report counted ${counted} succeeded requests, not ${expected}`);

  const fmt = (n: number) => n.toFixed(1).padStart(7);
  console.log(`posgate dashboard bench (SQLite, ${REQUESTS.toLocaleString('en')} requests seeded in ${seedSeconds.toFixed(0)} s; today ${today})`);
  console.log(`                                         p50 ms   p95 ms   max ms   budget p95`);
  console.log(`payments list page (${SAMPLES.list} GETs)          ${fmt(list.p50)}  ${fmt(list.p95)}  ${fmt(list.max)}   ${BUDGET_MS.list} ms`);
  console.log(`settlement report, 31 days (${SAMPLES.report} GETs)  ${fmt(report.p50)}  ${fmt(report.p95)}  ${fmt(report.max)}   ${BUDGET_MS.report} ms`);
  if (list.p95 > BUDGET_MS.list || report.p95 > BUDGET_MS.report) {
    console.error('a p95 is over its budget');
    process.exitCode = 1;
  }
} finally {
  await gateway.close();
  // BENCH_KEEP=1 keeps the seeded database to study its query plans (the path is printed)
  if (process.env.BENCH_KEEP === '1') console.log(`kept ${dataDir}`);
  else await rm(dataDir, { recursive: true, force: true });
}
