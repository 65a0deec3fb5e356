// The settlement report reconciles with the objects it counts: a ledger of sales, partial captures,
// part payments (one then settled, one then expired), an overpayment, refunds (partial, several,
// full, a crypto one settled later), a void, a cancel and a decline, in NZD and JPY, across a local
// midnight and the day daylight saving ends (Pacific/Auckland, 2026-04-05 has 25 hours), for two
// merchants. Every row is recomputed here from the requests and their events as the API shows them;
// the CSV, the dashboard's page and download, and the overview say the same.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { formatMoney } from '../../src/core/money.js';
import { ManualClock } from '../../src/system/clock.js';
import { ADMIN_TOKEN, startGateway, type TestGateway } from '../harness.js';
import { DashboardClient } from '../support/dashboard-client.js';

const ZONE = 'Pacific/Auckland';
const clock = new ManualClock(Date.UTC(2026, 3, 3, 10)); // 2026-04-03 23:00 NZDT
const RANGE = 'from=2026-04-01&to=2026-04-10';
let t: TestGateway;
let other: { key: string; terminalId: string };

beforeAll(async () => {
  t = await startGateway({ clock });
  expect((await t.api('PATCH', `/admin/v1/merchants/${t.gateway.demo.merchantId}`, { key: ADMIN_TOKEN, body: { timeZone: ZONE } })).status).toBe(200);
  const merchant = (await t.api('POST', '/admin/v1/merchants', { key: ADMIN_TOKEN, body: { name: 'Other' } })).body;
  const key = (await t.api('POST', `/admin/v1/merchants/${merchant.id}/keys`, { key: ADMIN_TOKEN, body: { mode: 'test' } })).body.secretKey;
  other = { key, terminalId: (await t.api('POST', '/v1/terminals', { key, body: { name: 'other-till' } })).body.id };
});
afterAll(async () => t?.close());

async function ok(method: string, path: string, body?: unknown, key?: string) {
  const r = await t.api(method, path, { key, body: method === 'GET' ? undefined : body ?? {} });
  expect(r.status, `${method} ${path}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
  return r.body;
}
const advance = (seconds: number) => ok('POST', '/v1/sandbox/clock/advance', { seconds });
const create = async (body: Record<string, unknown>, key?: string) =>
  (await ok('POST', '/v1/payment-requests', { terminalId: t.terminalId, allowConcurrent: true, ...body }, key)).id as string;
const pay = (id: string, body: Record<string, unknown> = {}, key?: string) => ok('POST', `/v1/sandbox/payment-requests/${id}/pay`, { outcome: 'approve', method: 'card', ...body }, key);
let refs = 0;
const refund = (id: string, amount: number) => ok('POST', `/v1/payment-requests/${id}/refunds`, { amount, reference: `rr-${++refs}` });

async function everything(path: string): Promise<any[]> {
  const out: any[] = [];
  for (let cursor: string | null = null; ;) {
    const page = await ok('GET', `${path}${path.includes('?') ? '&' : '?'}limit=100${cursor ? `&cursor=${cursor}` : ''}`);
    out.push(...page.data);
    if (!page.hasMore) return out;
    cursor = page.nextCursor;
  }
}

const localDay = (iso: string) => new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));

/** The report as docs/dashboard.md defines it, from the requests and their events (read through the API). */
async function recomputed() {
  const rows = new Map<string, { date: string; currency: string; channel: string; terminalId: string; count: number; gross: number; refunded: number; net: number }>();
  const row = (date: string, pr: any) => {
    const key = JSON.stringify([date, pr.currency, pr.paymentMethod ?? 'none', pr.terminalId]);
    if (!rows.has(key)) rows.set(key, { date, currency: pr.currency, channel: pr.paymentMethod ?? 'none', terminalId: pr.terminalId, count: 0, gross: 0, refunded: 0, net: 0 });
    return rows.get(key)!;
  };
  for (const pr of await everything('/v1/payment-requests')) {
    const events = await everything(`/v1/payment-requests/${pr.id}/events`);
    const succeeded = events.filter((e) => e.type === 'payment_request.succeeded');
    expect(succeeded.length).toBeLessThanOrEqual(1);
    if (succeeded.length === 0) continue; // never paid: neither its part nor that part's return is reported
    const sale = row(localDay(succeeded[0].createdAt), pr);
    sale.count += 1;
    sale.gross += pr.amountCaptured;
    for (const e of events.filter((e) => e.type === 'refund.succeeded')) row(localDay(e.createdAt), pr).refunded += e.data.object.amount;
  }
  const key = (r: { date: string; currency: string; channel: string; terminalId: string }) => [r.date, r.currency, r.channel, r.terminalId].join('\u0000');
  return [...rows.values()].map((r) => ({ ...r, net: r.gross - r.refunded })).sort((a, b) => (key(a) < key(b) ? -1 : 1));
}

/** Minor units from the CSV's signed decimal text. */
const minor = (text: string, exponent: number) => {
  const [whole, fraction = ''] = text.replace('-', '').split('.');
  const value = Number(whole) * 10 ** exponent + Number(fraction.padEnd(exponent, '0') || '0');
  return text.startsWith('-') ? -value : value;
};

it('every figure of the report, its CSV, the dashboard and the overview is what the requests and refunds add up to', async () => {
  // 2026-04-03, 23:00 NZDT
  const sale = await create({ amount: 1500, currency: 'NZD' });
  await pay(sale);
  const yen = await create({ amount: 1200, currency: 'JPY' });
  await pay(yen, { method: 'wallet' });
  const over = await create({ amount: 1500, currency: 'NZD' });
  await pay(over, { amount: 2000 });
  const manual = await create({ amount: 2000, currency: 'NZD', captureMode: 'manual' });
  await pay(manual);
  const parts = await create({ amount: 1500, currency: 'NZD', partialAllowed: true, expiresInSeconds: 7200 });
  await pay(parts, { amount: 400 });
  const unpaid = await create({ amount: 1500, currency: 'NZD', partialAllowed: true, expiresInSeconds: 600 });
  await pay(unpaid, { amount: 300 });
  const voided = await create({ amount: 900, currency: 'NZD' });
  await pay(voided);
  await ok('POST', `/v1/payment-requests/${await create({ amount: 700, currency: 'NZD' })}/cancel`);
  await pay(await create({ amount: 700, currency: 'NZD' }), { outcome: 'decline' });
  const crypto = await create({ amount: 5000, currency: 'NZD' });
  await pay(crypto, { method: 'crypto' });
  await advance(59 * 60); // 23:59
  await refund(sale, 500);
  await advance(2 * 60); // 2026-04-04 00:01: the refunds, capture, void and settlement below are the next day's
  await refund(sale, 300);
  await pay(parts, { amount: 1100 });
  expect((await ok('POST', `/v1/payment-requests/${manual}/capture`, { amount: 1200 })).status).toBe('succeeded');
  expect((await ok('POST', `/v1/payment-requests/${voided}/void`)).status).toBe('cancelled');
  const cryptoRefund = await refund(crypto, 2000);
  expect(cryptoRefund.status).toBe('pending');
  await refund(yen, 1200);
  await refund(over, 100);
  expect(await ok('GET', `/v1/payment-requests/${unpaid}`)).toMatchObject({ status: 'expired', amountRefunded: 300 });
  // 2026-04-05 02:30 NZDT, then 02:30 NZST an hour later (the clocks went back at 03:00)
  await advance(26 * 3600 + 29 * 60);
  await pay(await create({ amount: 1111, currency: 'NZD' }));
  await advance(3600);
  const transfer = await create({ amount: 2222, currency: 'NZD' });
  await pay(transfer, { method: 'bank_transfer' });
  await ok('POST', `/v1/sandbox/refunds/${cryptoRefund.id}/outcome`, { outcome: 'succeeded' });
  await advance(21 * 3600 + 20 * 60); // 23:50 NZST, the last minutes of the 25-hour day
  const late = await create({ amount: 3333, currency: 'JPY' });
  await pay(late);
  await advance(20 * 60); // 2026-04-06 00:10
  await refund(late, 333);
  await refund(transfer, 222);
  // the other merchant's sale, on its own (UTC) days
  await pay(await create({ amount: 999, currency: 'NZD', terminalId: other.terminalId }, other.key), {}, other.key);

  const report = await ok('GET', `/v1/reports/settlement?${RANGE}`);
  const expected = await recomputed();
  expect(report.rows).toEqual(expected);
  // the 25-hour day holds both 02:30s and its 23:50 (a day taken as 24 hours would move that to the 6th)
  expect(report.rows.filter((r: any) => r.date === '2026-04-05').map((r: any) => [r.currency, r.channel, r.count, r.gross, r.refunded]))
    .toEqual([['JPY', 'card', 1, 3333, 0], ['NZD', 'bank_transfer', 1, 2222, 0], ['NZD', 'card', 1, 1111, 0], ['NZD', 'crypto', 0, 0, 2000]]);
  for (const total of report.totals) {
    const of = expected.filter((r) => r.currency === total.currency);
    const sum = (k: 'count' | 'gross' | 'refunded') => of.reduce((acc, r) => acc + r[k], 0);
    expect(total).toEqual({ currency: total.currency, count: sum('count'), gross: sum('gross'), refunded: sum('refunded'), net: sum('gross') - sum('refunded') });
  }
  expect(report.totals.map((x: any) => x.currency)).toEqual(['JPY', 'NZD']);
  expect(JSON.stringify(report)).not.toContain(other.terminalId);
  expect((await ok('GET', `/v1/reports/settlement?${RANGE}`, undefined, other.key)).totals).toEqual([{ currency: 'NZD', count: 1, gross: 999, refunded: 0, net: 999 }]);

  // the CSV: the same rows, its columns summing to the totals in major units
  const csv = await t.api('GET', `/v1/reports/settlement?${RANGE}`, { headers: { accept: 'text/csv' } });
  const [header, ...lines] = (csv.body as string).split('\r\n').filter(Boolean);
  expect(header).toBe('date,currency,channel,terminalId,count,gross,refunded,net');
  const exponent: Record<string, number> = { NZD: 2, JPY: 0 };
  expect(lines.map((line) => {
    const [date, currency, channel, terminalId, count, gross, refunded, net] = line.split(',') as [string, string, string, string, string, string, string, string];
    const e = exponent[currency]!;
    return { date, currency, channel, terminalId, count: Number(count), gross: minor(gross, e), refunded: minor(refunded, e), net: minor(net, e) };
  })).toEqual(expected);

  // the dashboard: its download is the API's file, and the overview's month is the report's totals
  const owner = new DashboardClient(t.url);
  const demo = t.gateway.demo.dashboard!;
  expect((await owner.signIn(demo.email, demo.password)).status).toBe(303);
  expect((await owner.get(`/dashboard/reports/settlement.csv?${RANGE}`)).text).toBe(csv.body);
  const page = (await owner.get(`/dashboard/reports?${RANGE}`)).text;
  expect(page).toContain('<td colspan="4">Total NZD</td><td class="num">8</td><td class="num">NZD 149.33</td><td class="num">NZD 40.22</td><td class="num">NZD 109.11</td>');
  const overview = (await owner.get('/dashboard')).text;
  const month = overview.slice(overview.indexOf('<h2>Last 30 days</h2>'));
  for (const total of report.totals) {
    const card = month.slice(month.indexOf(`data-currency="${total.currency}"`));
    const figures = card.slice(0, card.indexOf('</dl>'));
    expect(figures).toContain(`<p class="value">${formatMoney(total.gross, total.currency)}</p>`);
    expect(figures).toContain(`<dt>Succeeded</dt><dd>${total.count}</dd>`);
    expect(figures).toContain(`<dt>Refunded</dt><dd>${formatMoney(total.refunded, total.currency)}</dd>`);
  }
});
