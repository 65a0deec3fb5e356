// The dashboard over the money flows whose outcome the payment channel decides: a refund the channel
// refuses or answers pending, a manual refund's capture answered pending or refused, an expiry whose
// return the channel refuses, a void that cancels manual refunds awaiting capture, an approval above
// what is owed. The request's page (figures, refunds, actions offered, what it says was done) agrees
// with the API, the settlement report counts what docs/reconciliation.md says, and verify stays clean.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connector } from '../../src/app/ports/connector.js';
import { verifyTotals } from '../../src/app/use-cases/verify.js';
import { createSandboxConnector } from '../../src/connectors/sandbox/connector.js';
import { ManualClock } from '../../src/system/clock.js';
import { createBody, startGateway, type TestGateway } from '../harness.js';
import { DashboardClient, type DashResponse } from '../support/dashboard-client.js';

const sandbox = createSandboxConnector();
let refundAnswer: 'succeeded' | 'pending' | 'failed' | null = null;
/** The channel does not answer refunds (a timeout) while set. */
let refundsAway = false;
const channel: Connector = {
  channels: (request) => sandbox.channels(request),
  instructions: (request, choice, amount, now) => sandbox.instructions(request, choice, amount, now),
  authorize: async () => 'approved',
  capture: async () => 'succeeded',
  release: async () => {},
  refund: async (request, refund, id) => {
    if (refundsAway) throw new Error('channel timeout');
    return refundAnswer ?? sandbox.refund(request, refund, id);
  },
};
const clock = new ManualClock(Date.UTC(2026, 2, 10, 9));
let t: TestGateway;
let owner: DashboardClient;
beforeAll(async () => {
  t = await startGateway({ connector: channel, clock });
  owner = new DashboardClient(t.url);
  const demo = t.gateway.demo.dashboard!;
  expect((await owner.signIn(demo.email, demo.password)).status).toBe(303);
});
afterAll(async () => t?.close());

async function paid(extra: Record<string, unknown> = {}) {
  const { body } = await t.api('POST', '/v1/payment-requests', { body: createBody(t, { allowConcurrent: true, ...extra }) });
  expect((await t.api('POST', `/v1/sandbox/payment-requests/${body.id}/pay`, { body: { outcome: 'approve', method: 'card' } })).body.status).toBe('succeeded');
  return body.id as string;
}
const page = (id: string) => owner.get(`/dashboard/payment-requests/${id}`);
const flashOf = (response: DashResponse) => /<p class="flash" role="status">([^<]*)<\/p>/.exec(response.text)?.[1] ?? null;
const referenceOf = (response: DashResponse) => /name="reference" value="([^"]+)"/.exec(response.text)![1]!;

/** The dashboard's refund form, confirmed, with the channel answering `answer`; the page it leads to. */
async function refundFromDashboard(id: string, amount: string, answer: typeof refundAnswer): Promise<DashResponse> {
  const reference = referenceOf(await page(id));
  refundAnswer = answer;
  try {
    const done = await owner.post(`/dashboard/payment-requests/${id}/actions/refund`, { amount, reference, confirmed: 'yes' });
    expect(done.status).toBe(303);
    return owner.get(done.location!);
  } finally {
    refundAnswer = null;
  }
}

describe('what the page says was done', () => {
  it('a refund the channel refuses is not reported done: the page says nothing was refunded, and offers the refund again', async () => {
    const id = await paid();
    const after = await refundFromDashboard(id, '5.00', 'failed');
    expect((await t.api('GET', `/v1/payment-requests/${id}/refunds`)).body.data.map((r: any) => r.status)).toEqual(['failed']);
    expect(flashOf(after)).not.toBe('Done: refund.');
    expect(flashOf(after)).toMatch(/refused/);
    expect(after.text).toContain(`action="/dashboard/payment-requests/${id}/actions/refund"`);
  });

  it('a refund the channel answers pending says so; one it settles is done', async () => {
    const id = await paid();
    const pending = await refundFromDashboard(id, '5.00', 'pending');
    expect((await t.api('GET', `/v1/payment-requests/${id}/refunds`)).body.data.map((r: any) => r.status)).toEqual(['pending']);
    expect(flashOf(pending)).toMatch(/pending/);
    const settled = await refundFromDashboard(id, '5.00', null);
    expect(flashOf(settled)).toBe('Done: refund.');
    expect((await verifyTotals(t.gateway.app.db)).mismatches).toEqual([]);
  });
});

/** The page's money figures, as shown. */
function figures(response: DashResponse): Record<string, string> {
  return Object.fromEntries([...response.text.matchAll(/<dt>(Received|Captured|Refunded|Refundable)<\/dt><dd>([^<]*)<\/dd>/g)].map((m) => [m[1]!, m[2]!]));
}
const offered = (response: DashResponse) => [...response.text.matchAll(/\/actions\/(\w+)"/g)].map((m) => m[1]);
const refundRows = (response: DashResponse) => [...response.text.matchAll(/<tr><td class="mono">rf_\w+<\/td><td>([^<]*)<\/td><td class="num">([^<]*)<\/td><td><span class="pill" data-status="(\w+)"/g)].map((m) => `${m[1]} ${m[2]} ${m[3]}`);

describe("today's money flows on the request page and in the report", () => {
  it('an expiry whose return the channel refuses: expired, the return failed, its part refundable from the dashboard, none of it in the report', async () => {
    const { body } = await t.api('POST', '/v1/payment-requests', { body: createBody(t, { allowConcurrent: true, expiresInSeconds: 60, partialAllowed: true, amount: 1500 }) });
    await t.api('POST', `/v1/sandbox/payment-requests/${body.id}/pay`, { body: { outcome: 'approve', method: 'card', amount: 400 } });
    const before = (await t.api('GET', '/v1/reports/settlement?from=2026-03-10&to=2026-03-11')).body.totals;
    clock.advance(61_000);
    refundAnswer = 'failed';
    const expired = await page(body.id); // the read expires it
    refundAnswer = null;
    expect(expired.status).toBe(200);
    expect(expired.text).toContain('data-status="expired"');
    expect(figures(expired)).toEqual({ Received: 'NZD 4.00', Captured: 'NZD 4.00', Refunded: 'NZD 0.00', Refundable: 'NZD 4.00' });
    expect(refundRows(expired)).toEqual(['posgate:return NZD 4.00 failed']);
    expect(offered(expired)).toEqual(['refund']);
    const after = await refundFromDashboard(body.id, '4.00', null);
    expect(flashOf(after)).toBe('Done: refund.');
    expect(figures(after)).toMatchObject({ Refunded: 'NZD 4.00', Refundable: 'NZD 0.00' });
    expect(offered(after)).toEqual([]);
    expect((await t.api('GET', `/v1/payment-requests/${body.id}`)).body).toMatchObject({ status: 'expired', amountRefunded: 400, refundStatus: 'full' });
    // never paid: neither the part nor its refund is in the report
    expect((await t.api('GET', '/v1/reports/settlement?from=2026-03-10&to=2026-03-11')).body.totals).toEqual(before);
    expect((await verifyTotals(t.gateway.app.db)).mismatches).toEqual([]);
  });

  it('a void of a request whose manual refunds hold it all cancels them and returns everything: the page and the report say so', async () => {
    const id = await paid({ amount: 1500 });
    await t.api('POST', `/v1/payment-requests/${id}/refunds`, { body: { amount: 1000, reference: 'held-1', captureMode: 'manual' } });
    await t.api('POST', `/v1/payment-requests/${id}/refunds`, { body: { amount: 500, reference: 'held-2', captureMode: 'manual' } });
    const held = await page(id);
    expect(figures(held)).toMatchObject({ Refunded: 'NZD 0.00', Refundable: 'NZD 0.00' });
    expect(offered(held)).toEqual(['void']);
    const before = (await t.api('GET', '/v1/reports/settlement?from=2026-03-10&to=2026-03-11')).body.totals[0];
    const done = await owner.post(`/dashboard/payment-requests/${id}/actions/void`, { confirmed: 'yes' });
    expect(done.location).toBe(`/dashboard/payment-requests/${id}?done=void`);
    const voided = await owner.get(done.location!);
    expect(refundRows(voided)).toEqual(['held-1 NZD 10.00 cancelled', 'held-2 NZD 5.00 cancelled', 'posgate:return NZD 15.00 succeeded']);
    expect(figures(voided)).toMatchObject({ Refunded: 'NZD 15.00', Refundable: 'NZD 0.00' });
    expect(offered(voided)).toEqual([]);
    const report = (await t.api('GET', '/v1/reports/settlement?from=2026-03-10&to=2026-03-11')).body.totals[0];
    expect(report.refunded - before.refunded).toBe(1500);
    expect((await verifyTotals(t.gateway.app.db)).mismatches).toEqual([]);
  });

  it("a manual refund's capture answered pending holds its amount and is not yet refunded; refused, it is refundable again", async () => {
    const id = await paid({ amount: 1500 });
    const made = (await t.api('POST', `/v1/payment-requests/${id}/refunds`, { body: { amount: 700, reference: 'cap-1', captureMode: 'manual' } })).body;
    refundAnswer = 'pending';
    expect((await t.api('POST', `/v1/refunds/${made.id}/capture`)).body.status).toBe('pending');
    refundAnswer = null;
    const pending = await page(id);
    expect(refundRows(pending)).toEqual(['cap-1 NZD 7.00 pending']);
    expect(figures(pending)).toMatchObject({ Refunded: 'NZD 0.00', Refundable: 'NZD 8.00' });
    expect((await t.api('POST', `/v1/sandbox/refunds/${made.id}/outcome`, { body: { outcome: 'failed' } })).body.status).toBe('failed');
    const failed = await page(id);
    expect(figures(failed)).toMatchObject({ Refunded: 'NZD 0.00', Refundable: 'NZD 15.00' });
    expect(offered(failed)).toContain('refund');
    expect((await verifyTotals(t.gateway.app.db)).mismatches).toEqual([]);
  });

  it('an approval above what is owed: received shows the offer, captured and refundable what was taken, the report its gross', async () => {
    const before = (await t.api('GET', '/v1/reports/settlement?from=2026-03-10&to=2026-03-11')).body.totals[0];
    const { body } = await t.api('POST', '/v1/payment-requests', { body: createBody(t, { allowConcurrent: true, amount: 1500 }) });
    await t.api('POST', `/v1/sandbox/payment-requests/${body.id}/pay`, { body: { outcome: 'approve', method: 'card', amount: 2000 } });
    const over = await page(body.id);
    expect(figures(over)).toEqual({ Received: 'NZD 20.00', Captured: 'NZD 15.00', Refunded: 'NZD 0.00', Refundable: 'NZD 15.00' });
    const report = (await t.api('GET', '/v1/reports/settlement?from=2026-03-10&to=2026-03-11')).body.totals[0];
    expect(report.gross - before.gross).toBe(1500);
    const csv = await owner.get('/dashboard/reports/settlement.csv?from=2026-03-10&to=2026-03-11');
    expect(csv.text).toBe((await t.api('GET', '/v1/reports/settlement?from=2026-03-10&to=2026-03-11', { headers: { accept: 'text/csv' } })).body);
    expect((await owner.get('/dashboard/reports?from=2026-03-10&to=2026-03-11')).text).not.toMatch(/NaN|undefined/);
  });
});

describe('an operation waiting for the channel', () => {
  it('the page offers no action while it waits (each would wait 10 s, then be refused), and offers them again once the channel answered', async () => {
    const id = await paid();
    refundsAway = true;
    try {
      expect((await t.api('POST', `/v1/payment-requests/${id}/refunds`, { body: { amount: 500, reference: `away-${id}` } })).status).toBe(503);
    } finally {
      refundsAway = false;
    }
    const waiting = await page(id);
    expect(waiting.text).toContain('id="awaiting-channel"');
    expect(waiting.text).not.toContain(`/dashboard/payment-requests/${id}/actions/`);
    // the sweep asks the channel again once the lease ran out, and applies its answer
    clock.advance(61_000);
    await t.gateway.tick();
    const answered = await page(id);
    expect(answered.text).not.toContain('id="awaiting-channel"');
    expect(answered.text).toContain(`/dashboard/payment-requests/${id}/actions/refund`);
    expect((await t.api('GET', `/v1/payment-requests/${id}`)).body).toMatchObject({ amountRefunded: 500 });
  });

  it("a refund from the dashboard while the channel is away says, in the merchant's words, that it is kept and finishes later", async () => {
    const id = await paid();
    const reference = referenceOf(await page(id));
    refundsAway = true;
    let away: DashResponse;
    try {
      away = await owner.post(`/dashboard/payment-requests/${id}/actions/refund`, { amount: '5.00', reference, confirmed: 'yes' });
    } finally {
      refundsAway = false;
    }
    expect(away.status).toBe(503);
    expect(away.text).toContain('The operation is kept and completes when it does');
    expect(away.text).not.toMatch(/Idempotency-Key|Nothing was changed/);
    expect((await page(id)).text).toContain('id="awaiting-channel"');
    clock.advance(61_000);
    await t.gateway.tick();
    expect((await t.api('GET', `/v1/payment-requests/${id}`)).body).toMatchObject({ amountRefunded: 500 });
  });
});
