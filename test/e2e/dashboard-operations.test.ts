// The dashboard at work: the list and its filters, a request's page, a partial refund confirmed
// and audited (the same use case as the API: the API sees it), what the state allows, a viewer's
// refusal, another merchant's user seeing nothing (404), bad input changing nothing, and the
// settlement report (API JSON, CSV, the dashboard's CSV) whose rows sum to its totals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction } from '../../src/app/unit-of-work.js';
import { createMerchant } from '../../src/app/use-cases/merchants.js';
import { createUser, newPassword } from '../../src/app/use-cases/users.js';
import { ManualClock } from '../../src/system/clock.js';
import { createBody, startGateway, type TestGateway } from '../harness.js';
import { DashboardClient } from '../support/dashboard-client.js';
import { demoClient as centrapayClient } from '../dialects/centrapay/client.js';
import { startReceiver, type Receiver } from '../support/receiver.js';

let t: TestGateway;
const clock = new ManualClock(Date.UTC(2026, 2, 10, 9));
let owner: DashboardClient;
let paid: any;
let open: any;
let receiver: Receiver;
const TODAY = '2026-03-10';

async function paidRequest(amount: number, extra: Record<string, unknown> = {}) {
  const created = (await t.api('POST', '/v1/payment-requests', { key: t.terminalKey, body: createBody(t, { amount, allowConcurrent: true, ...extra }) })).body;
  const pay = await t.api('POST', `/v1/sandbox/payment-requests/${created.id}/pay`, { body: { outcome: 'approve', method: 'card' } });
  expect(pay.body.status).toBe('succeeded');
  return pay.body;
}

beforeAll(async () => {
  t = await startGateway({ clock });
  receiver = await startReceiver();
  paid = await paidRequest(2500, { reference: 'INV-2500', webhookUrl: `${receiver.url}/hook` });
  await paidRequest(1000, { currency: 'USD' });
  open = (await t.api('POST', '/v1/payment-requests', { key: t.terminalKey, body: createBody(t, { amount: 700, reference: 'ORDER-77', allowConcurrent: true }) })).body;
  expect(open.status).toBe('created');
  owner = new DashboardClient(t.url);
  const demo = t.gateway.demo.dashboard!;
  expect((await owner.signIn(demo.email, demo.password)).status).toBe(303);
});
afterAll(async () => {
  await t?.close();
  await receiver?.close();
});

describe('payments list', () => {
  it('lists the requests, newest first, with amounts in their currency format', async () => {
    const page = await owner.get('/dashboard/payment-requests');
    expect(page.status).toBe(200);
    const ids = [...page.text.matchAll(/<tr data-id="([^"]+)"/g)].map((m) => m[1]);
    expect(ids).toHaveLength(3);
    expect(ids[0]).toBe(open.id);
    expect(page.text).toContain('NZD 25.00');
    expect(page.text).toContain('USD 10.00');
  });

  it('filters by status, search (reference, short code), currency and amount range, API and dates', async () => {
    const ids = async (query: string) => [...(await owner.get(`/dashboard/payment-requests?${query}`)).text.matchAll(/<tr data-id="([^"]+)"/g)].map((m) => m[1]);
    expect(await ids('status=created')).toEqual([open.id]);
    expect(await ids('q=INV-2500')).toEqual([paid.id]);
    expect(await ids('q=ORDER-77')).toEqual([open.id]);
    expect(await ids('q=NO-SUCH-REF')).toEqual([]);
    expect(await ids(`q=${paid.shortCode}`)).toEqual([paid.id]);
    expect(await ids('currency=NZD&min=20&max=30')).toEqual([paid.id]);
    expect(await ids('api=kpay')).toEqual([]);
    expect(await ids(`from=${TODAY}&to=${TODAY}`)).toHaveLength(3);
    expect(await ids('from=2026-03-11')).toEqual([]);
  });

  it('refuses a filter it cannot read (400), rather than ignoring it', async () => {
    expect((await owner.get('/dashboard/payment-requests?status=paid')).status).toBe(400);
    expect((await owner.get('/dashboard/payment-requests?min=5')).status).toBe(400);
    expect((await owner.get('/dashboard/payment-requests?from=2026-02-30')).status).toBe(400);
  });

  it('pages with a cursor, keeping the filters', async () => {
    const seen: string[] = [];
    let path: string | null = '/dashboard/payment-requests?status=succeeded&limit=1';
    while (path) {
      const page = await owner.get(path);
      seen.push(...[...page.text.matchAll(/<tr data-id="([^"]+)"/g)].map((m) => m[1]!));
      const next = /<a href="([^"]+)" rel="next">/.exec(page.text)?.[1];
      path = next ? next.replace(/&amp;/g, '&') : null;
      if (path) expect(path).toContain('status=succeeded');
    }
    expect(seen).toHaveLength(2);
    expect(new Set(seen).size).toBe(2);
  });
});

describe("a request's page and its actions", () => {
  it('shows the summary, the timeline and only the actions the state allows', async () => {
    const page = await owner.get(`/dashboard/payment-requests/${paid.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('INV-2500');
    expect(page.text).toContain('payment_request.succeeded');
    expect(page.text).toContain('action="/dashboard/payment-requests/' + paid.id + '/actions/refund"');
    expect(page.text).not.toContain('/actions/capture"');
    const created = await owner.get(`/dashboard/payment-requests/${open.id}`);
    expect(created.text).toContain('/actions/cancel"');
    expect(created.text).not.toContain('/actions/refund"');
  });

  it("the channel's details show money in the request's currency and times on the merchant's clock, not minor units and epoch milliseconds", async () => {
    const kwd = (await t.api('POST', '/v1/payment-requests', { key: t.terminalKey, body: createBody(t, { amount: 12345, currency: 'KWD', allowConcurrent: true }) })).body;
    // the patron chooses a bank transfer on the pay page (nothing is paid: the report's figures stay as they are)
    const chosen = await t.api('POST', `/pay/${kwd.id}/method`, { key: null, body: { channel: 'bank_transfer' } });
    expect(chosen.body.paymentMethodDetails).toMatchObject({ channel: 'bank_transfer', amount: 12345, owed: 12345 });
    const details = (await owner.get(`/dashboard/payment-requests/${kwd.id}`)).text.split('Channel details')[1]!;
    expect((await t.api('POST', `/v1/payment-requests/${kwd.id}/cancel`)).status).toBe(200);
    expect(details).toMatch(/<dt>amount<\/dt><dd class="break">KWD 12\.345<\/dd>/);
    expect(details).toMatch(/<dt>owed<\/dt><dd class="break">KWD 12\.345<\/dd>/);
    expect(details).toMatch(/<dt>expiresAt<\/dt><dd class="break">2026-03-\d\d \d\d:\d\d:\d\d<\/dd>/);
    expect(details).not.toMatch(/\b\d{13}\b/);
  });

  it('an authorization offers a refund once it has captured part (a confirmation), as the API allows, and not before', async () => {
    const cp = centrapayClient(t);
    const preAuth = await cp.createOk({ preAuth: true }, '900');
    expect((await t.api('POST', `/v1/sandbox/payment-requests/${preAuth.id}/pay`, { body: { outcome: 'approve', method: 'card' } })).body.status).toBe('authorized');
    expect((await owner.get(`/dashboard/payment-requests/${preAuth.id}`)).text).not.toContain('/actions/refund"');
    expect((await cp.confirm(preAuth.id, { idempotencyKey: 'dash-c1', invoiceRef: 'INV-dash', lineItems: [{ name: 'Fuel', qty: '1', price: '400' }] })).status).toBe(200);
    const confirmed = (await owner.get(`/dashboard/payment-requests/${preAuth.id}`)).text;
    expect(confirmed).toContain(`action="/dashboard/payment-requests/${preAuth.id}/actions/refund"`);
    // an empty capture takes what the confirmation left (core capture), and the form says so
    expect(confirmed).toMatch(/Capture amount \(\w+; empty: all that is left, 5\.00\)/);
  });

  it('a refund is confirmed first, then made once, seen by the API, on the timeline and in the audit log', async () => {
    await owner.get(`/dashboard/payment-requests/${paid.id}`);
    const reference = /name="reference" value="([^"]+)"/.exec((await owner.get(`/dashboard/payment-requests/${paid.id}`)).text)![1]!;
    const confirm = await owner.post(`/dashboard/payment-requests/${paid.id}/actions/refund`, { amount: '7.50', reference, reason: 'damaged' });
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain('Refund NZD 7.50 of payment request');
    expect((await t.api('GET', `/v1/payment-requests/${paid.id}/refunds`)).body.data).toHaveLength(0);
    const done = await owner.post(`/dashboard/payment-requests/${paid.id}/actions/refund`, { amount: '7.50', reference, reason: 'damaged', confirmed: 'yes' });
    expect(done.status).toBe(303);
    expect(done.location).toBe(`/dashboard/payment-requests/${paid.id}?done=refund`);
    // the same form posted again (a double click) refunds nothing more: its reference is taken
    await owner.post(`/dashboard/payment-requests/${paid.id}/actions/refund`, { amount: '7.50', reference, reason: 'damaged', confirmed: 'yes' });
    const refunds = (await t.api('GET', `/v1/payment-requests/${paid.id}/refunds`)).body.data;
    expect(refunds).toHaveLength(1);
    expect(refunds[0]).toMatchObject({ amount: 750, status: 'succeeded' });
    const page = await owner.get(`/dashboard/payment-requests/${paid.id}?done=refund`);
    expect(page.text).toContain('refund.succeeded');
    expect(page.text).toContain(refunds[0].id);
    const audit = await owner.get('/dashboard/audit');
    expect(audit.text).toContain('payment_request.refund');
    expect(audit.text).toContain(`${refunds[0].id}: NZD 7.50 (succeeded)`);
    expect(audit.text).toContain(t.gateway.demo.dashboard!.email);
  });

  it('an amount it cannot read, or more than is refundable, is refused and changes nothing', async () => {
    const before = (await t.api('GET', `/v1/payment-requests/${paid.id}`)).body;
    const reference = /name="reference" value="([^"]+)"/.exec((await owner.get(`/dashboard/payment-requests/${paid.id}`)).text)![1]!;
    expect((await owner.post(`/dashboard/payment-requests/${paid.id}/actions/refund`, { amount: '7.505', reference, confirmed: 'yes' })).status).toBe(400);
    expect((await owner.post(`/dashboard/payment-requests/${paid.id}/actions/refund`, { amount: 'abc', reference, confirmed: 'yes' })).status).toBe(400);
    expect((await owner.post(`/dashboard/payment-requests/${paid.id}/actions/refund`, { amount: '100.00', reference, confirmed: 'yes' })).status).toBe(400);
    expect((await owner.post(`/dashboard/payment-requests/${paid.id}/actions/capture`, { confirmed: 'yes' })).status).toBe(409);
    expect((await owner.post(`/dashboard/payment-requests/${paid.id}/actions/explode`, { confirmed: 'yes' })).status).toBe(404);
    expect((await t.api('GET', `/v1/payment-requests/${paid.id}`)).body.version).toBe(before.version);
  });

  it('an operation through the API is in the audit log too, naming the key it used', async () => {
    const other = await paidRequest(900, { reference: 'API-REFUND' });
    const refund = (await t.api('POST', `/v1/payment-requests/${other.id}/refunds`, { body: { amount: 100, reference: 'api-1' } })).body;
    // a replay by reference is the same refund: not a second entry
    await t.api('POST', `/v1/payment-requests/${other.id}/refunds`, { body: { amount: 100, reference: 'api-1' } });
    const keyId = (await t.query<{ id: string; hash: string }>(`select id from api_keys where kind = 'secret' order by created_at limit 1`))[0]!.id;
    const page = await owner.get(`/dashboard/payment-requests/${other.id}`);
    expect(page.text).toContain(`secret key ${keyId} via native: payment_request.refund ${refund.id}: NZD 1.00 (succeeded)`);
    expect(page.text.match(/payment_request\.refund/g)).toHaveLength(1);
  });

  it('a cancel goes through the same use case as the API', async () => {
    const done = await owner.post(`/dashboard/payment-requests/${open.id}/actions/cancel`, { confirmed: 'yes' });
    expect(done.status).toBe(303);
    expect((await t.api('GET', `/v1/payment-requests/${open.id}`)).body.status).toBe('cancelled');
  });

  it('a viewer cannot refund (403) and nothing changes', async () => {
    const password = await newPassword('reader password 1');
    await inTransaction(t.gateway.app, (unit) => createUser(unit, { merchantId: t.gateway.demo.merchantId, email: 'reader@example.com', role: 'viewer', password }));
    const viewer = new DashboardClient(t.url);
    await viewer.signIn('reader@example.com', 'reader password 1');
    const page = await viewer.get(`/dashboard/payment-requests/${paid.id}`);
    expect(page.text).not.toContain('/actions/refund"');
    const refused = await viewer.post(`/dashboard/payment-requests/${paid.id}/actions/refund`, { amount: '1.00', reference: 'dash_abcdefghij', confirmed: 'yes' });
    expect(refused.status).toBe(403);
    expect((await t.api('GET', `/v1/payment-requests/${paid.id}/refunds`)).body.data).toHaveLength(1);
  });

  it("another merchant's user sees none of the first's objects (404)", async () => {
    const { merchant } = await inTransaction(t.gateway.app, (unit) => createMerchant(unit, { name: 'Other' }));
    const password = await newPassword('other password 1');
    await inTransaction(t.gateway.app, (unit) => createUser(unit, { merchantId: merchant.id, email: 'other@example.com', role: 'owner', password }));
    const other = new DashboardClient(t.url);
    await other.signIn('other@example.com', 'other password 1');
    expect((await other.get(`/dashboard/payment-requests/${paid.id}`)).status).toBe(404);
    expect((await other.get('/dashboard/payment-requests')).text).not.toContain(paid.id);
    const reference = 'dash_abcdefghijk';
    expect((await other.post(`/dashboard/payment-requests/${paid.id}/actions/refund`, { amount: '1.00', reference, confirmed: 'yes' })).status).toBe(404);
    expect((await other.get('/dashboard/audit')).text).not.toContain(paid.id);
    expect((await t.api('GET', `/v1/payment-requests/${paid.id}/refunds`)).body.data).toHaveLength(1);
  });
});

describe('settlement report', () => {
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

  it('answers rows and totals in minor units; the rows sum exactly to the totals', async () => {
    const report = await t.api('GET', `/v1/reports/settlement?from=${TODAY}&to=2026-03-11`);
    expect(report.status).toBe(200);
    expect(report.body.totals).toEqual([
      { currency: 'NZD', count: 2, gross: 3400, refunded: 850, net: 2550 },
      { currency: 'USD', count: 1, gross: 1000, refunded: 0, net: 1000 },
    ]);
    for (const total of report.body.totals) {
      const rows = report.body.rows.filter((r: any) => r.currency === total.currency);
      for (const key of ['count', 'gross', 'refunded', 'net']) expect(sum(rows.map((r: any) => r[key]))).toBe(total[key]);
    }
    expect(report.body.rows[0]).toEqual({ date: TODAY, currency: 'NZD', channel: 'card', terminalId: t.terminalId, count: 2, gross: 3400, refunded: 850, net: 2550 });
  });

  it('as CSV (Accept: text/csv): a header row and amounts in major units; the dashboard downloads the same', async () => {
    const csv = await t.api('GET', `/v1/reports/settlement?from=${TODAY}&to=2026-03-11`, { headers: { accept: 'text/csv' } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (csv.body as string).split('\r\n');
    expect(lines[0]).toBe('date,currency,channel,terminalId,count,gross,refunded,net');
    expect(lines[1]).toBe(`${TODAY},NZD,card,${t.terminalId},2,34.00,8.50,25.50`);
    expect(lines.at(-1)).toBe('');
    const page = await owner.get(`/dashboard/reports?from=${TODAY}&to=2026-03-11`);
    expect(page.text).toContain('NZD 25.50');
    const download = await owner.get(`/dashboard/reports/settlement.csv?from=${TODAY}&to=2026-03-11`);
    expect(download.headers.get('content-disposition')).toContain('attachment');
    expect(download.text).toBe(csv.body);
  });

  it('answers the format the Accept header prefers, weighing q-values: CSV only when preferred to JSON', async () => {
    const typeFor = async (accept: string) =>
      (await t.api('GET', `/v1/reports/settlement?from=${TODAY}&to=2026-03-11`, { headers: { accept } })).headers.get('content-type') ?? '';
    expect(await typeFor('application/json;q=0.9, text/csv;q=0.1')).toMatch(/^application\/json/);
    expect(await typeFor('text/csv;q=0, */*')).toMatch(/^application\/json/);
    expect(await typeFor('application/json;q=0.5, text/csv')).toMatch(/^text\/csv/);
    expect(await typeFor('text/html, text/csv;q=0.8')).toMatch(/^text\/csv/);
    expect(await typeFor('*/*')).toMatch(/^application\/json/);
    // parameters other than q do not change what is asked for (a client echoing the answer's own type)
    expect(await typeFor('text/csv; charset=utf-8')).toMatch(/^text\/csv/);
    expect(await typeFor('text/csv;header=present;q=0.9, application/json;q=0.5')).toMatch(/^text\/csv/);
    expect(await typeFor('text/csv; charset=utf-8; q=0, */*')).toMatch(/^application\/json/);
  });

  it('a day outside the range, a bad date, a reversed or too long range are refused or empty', async () => {
    expect((await t.api('GET', '/v1/reports/settlement?from=2026-03-11&to=2026-03-12')).body.rows).toEqual([]);
    expect((await t.api('GET', '/v1/reports/settlement?from=2026-02-30&to=2026-03-12')).status).toBe(400);
    expect((await t.api('GET', '/v1/reports/settlement?from=2026-03-12&to=2026-03-12')).status).toBe(400);
    expect((await t.api('GET', '/v1/reports/settlement?from=2024-01-01&to=2026-03-12')).status).toBe(400);
    // the last days a date can name: one day, not "more than 366" (its 366th day is in year 10000)
    expect((await t.api('GET', '/v1/reports/settlement?from=9999-12-30&to=9999-12-31')).body).toMatchObject({ from: '9999-12-30', to: '9999-12-31', rows: [] });
    expect((await t.api('GET', '/v1/reports/settlement?from=2025-03-11&to=2026-03-12')).status).toBe(200); // 366 days
    expect((await t.api('GET', '/v1/reports/settlement?from=2025-03-10&to=2026-03-12')).status).toBe(400); // 367
    expect((await t.api('GET', '/v1/reports/settlement?from=2026-03-10')).status).toBe(400);
  });

  it("an owner sets the merchant's time zone: the same sales fall on the zone's days", async () => {
    expect((await owner.post('/dashboard/settings/time-zone', { timeZone: 'Mars/Olympus' })).status).toBe(400);
    await owner.get('/dashboard/reports');
    expect((await owner.post('/dashboard/settings/time-zone', { timeZone: 'Pacific/Honolulu' })).status).toBe(303);
    // 09:00 UTC on 10 March is 23:00 on 9 March in Honolulu (−10): the sales move to the 9th
    const ninth = await t.api('GET', '/v1/reports/settlement?from=2026-03-09&to=2026-03-10');
    expect(ninth.body.timeZone).toBe('Pacific/Honolulu');
    expect(ninth.body.totals.find((x: any) => x.currency === 'NZD').count).toBe(2);
    expect(ninth.body.rows.every((row: any) => row.date === '2026-03-09')).toBe(true);
    expect((await t.api('GET', '/v1/reports/settlement?from=2026-03-10&to=2026-03-11')).body.rows).toEqual([]);
    await owner.get('/dashboard/reports');
    await owner.post('/dashboard/settings/time-zone', { timeZone: 'UTC' });
  });

  it('needs a secret key: a terminal key is refused', async () => {
    expect((await t.api('GET', `/v1/reports/settlement?from=${TODAY}&to=2026-03-11`, { key: t.terminalKey })).status).toBe(403);
  });
});

describe('terminals, keys and displays (owner)', () => {
  it('makes a display address shown once, which opens the display; revoking it closes it', async () => {
    await owner.get('/dashboard/keys');
    const made = await owner.post('/dashboard/display-tokens', { terminalId: t.terminalId, mode: 'test' });
    expect(made.status).toBe(200);
    const address = /id="new-display-url">([^<]+)<\/code>/.exec(made.text)![1]!.replace(/&amp;/g, '&');
    expect(address).toMatch(new RegExp(`/display/${t.terminalId}\\?token=dt_test_`));
    expect((await fetch(address)).status).toBe(200);
    // the newest token is the last row (the demo's own display comes first)
    const id = [...made.text.matchAll(/\/dashboard\/display-tokens\/(dsp_[0-9A-Za-z]+)\/revoke/g)].at(-1)![1]!;
    expect((await owner.post(`/dashboard/display-tokens/${id}/revoke`, {})).status).toBe(303);
    expect((await fetch(address)).status).toBe(401);
    expect((await owner.get('/dashboard/audit')).text).toContain('display_token.revoke');
  });

  it('issues a key shown once that works, and revokes it', async () => {
    await owner.get('/dashboard/keys');
    const made = await owner.post('/dashboard/keys', { terminalId: '', mode: 'test' });
    const secret = /id="new-key">([^<]+)<\/code>/.exec(made.text)![1]!;
    expect((await t.api('GET', '/v1/payment-requests', { key: secret })).status).toBe(200);
    // with it, the mode's request-webhook secret: whoever may set a webhookUrl can verify what it gets
    expect(/id="new-key-webhook-secret">([^<]+)<\/code>/.exec(made.text)?.[1]).toBe(t.gateway.demo.native.webhookSecret);
    const keyId = new RegExp(`Key (key_[0-9A-Za-z]+), shown once`).exec(made.text)![1]!;
    expect((await owner.post(`/dashboard/keys/${keyId}/revoke`, {})).status).toBe(303);
    expect((await t.api('GET', '/v1/payment-requests', { key: secret })).status).toBe(401);
  });
});

describe('the OpenAPI document', () => {
  it('lists the settlement report and none of the dashboard\'s pages', async () => {
    const doc = (await t.api('GET', '/openapi.json', { key: null })).body;
    expect(Object.keys(doc.paths)).toContain('/v1/reports/settlement');
    expect(Object.keys(doc.paths).filter((path) => path === '/' || path.startsWith('/dashboard'))).toEqual([]);
  });
});

describe('overview and webhook log', () => {
  it('the overview shows today\'s figures by currency and a chart as inline SVG', async () => {
    const page = await owner.get('/dashboard');
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/data-currency="NZD"/);
    expect(page.text).toContain('NZD 34.00');
    expect(page.text).toContain('<svg');
    expect(page.text).not.toMatch(/<script[^>]+src="http|<link[^>]+href="http|<img/);
  });

  it('the webhook page lists delivery attempts and queues a redelivery, audited', async () => {
    await t.gateway.tick();
    const delivered = receiver.received.length;
    expect(delivered).toBeGreaterThan(0);
    const page = await owner.get('/dashboard/webhooks');
    expect(page.status).toBe(200);
    expect(page.text).toContain(`${receiver.url}/hook`);
    const eventId = /name="eventId" value="([^"]+)"/.exec(page.text)![1]!;
    expect((await owner.post('/dashboard/webhooks/redeliver', { eventId })).status).toBe(303);
    await t.gateway.tick();
    expect(receiver.received.length).toBe(delivered + 1);
    expect((await owner.get('/dashboard/audit')).text).toContain('event.redeliver');
    const detail = await owner.get(`/dashboard/payment-requests/${paid.id}`);
    expect(detail.text).toContain(`${receiver.url}/hook`);
  });
});
