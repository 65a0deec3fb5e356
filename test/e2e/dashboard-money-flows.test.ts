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
const channel: Connector = {
  channels: (request) => sandbox.channels(request),
  instructions: (request, choice, amount, now) => sandbox.instructions(request, choice, amount, now),
  authorize: async () => 'approved',
  capture: async () => 'succeeded',
  release: async () => {},
  refund: async (request, refund, id) => refundAnswer ?? sandbox.refund(request, refund, id),
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
