// The audit log names whoever changed a request, whatever API they came through: the use cases that
// cancel, capture, void and refund write the entry themselves, so a provider dialect's operation is
// logged with the key (or credential set) that made it and the dialect's name, and a dashboard action
// is logged once, naming the user. Read black-box through the dashboard's pages, counted in the table.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate } from '../../src/app/use-cases/merchants.js';
import { authenticateDialect } from '../../src/app/use-cases/dialect-credentials.js';
import { startGateway, type TestGateway } from '../harness.js';
import { DashboardClient } from '../support/dashboard-client.js';
import * as centrapay from '../dialects/centrapay/client.js';
import * as kpay from '../dialects/kpay/client.js';
import * as mobilepay from '../dialects/mobilepay/client.js';

let t: TestGateway;
let owner: DashboardClient;

beforeAll(async () => {
  t = await startGateway();
  owner = new DashboardClient(t.url);
  const demo = t.gateway.demo.dashboard!;
  expect((await owner.signIn(demo.email, demo.password)).status).toBe(303);
});
afterAll(async () => t?.close());

interface Row { actor_type: string; actor_id: string; actor_name: string; action: string; detail: string | null }
const entriesOf = (requestId: string) =>
  t.query<Row>(`SELECT actor_type, actor_id, actor_name, action, detail FROM audit_log WHERE object_id = '${requestId}' ORDER BY id`);

/** The key's id as the log names it (the key itself is never kept). */
async function keyIdOf(key: string): Promise<{ id: string; kind: string }> {
  const caller = await authenticate(t.gateway.app, key, 'test');
  return { id: caller.credentialId, kind: caller.kind };
}

/** What the request's page lists under the dashboard's audit entries. */
async function pageOf(requestId: string): Promise<string> {
  const page = await owner.get(`/dashboard/payment-requests/${requestId}`);
  expect(page.status).toBe(200);
  return page.text;
}

describe('operations through the provider dialects are in the audit log', () => {
  it('a KPAY cancel names the secret key it used, via kpay', async () => {
    const created = await kpay.create(t, { amount: '150000', reference: 'AUDIT-KPAY-1' });
    expect(created.status).toBe(200);
    const id = created.body.data.paymentRequestRefId as string;
    const cancelled = await kpay.cancel(t, 'AUDIT-KPAY-1');
    expect(cancelled.status).toBe(200);
    const key = await keyIdOf(kpay.demoKey(t));
    expect(await entriesOf(id)).toEqual([{ actor_type: 'api_key', actor_id: key.id, actor_name: `${key.kind} key ${key.id} via kpay`, action: 'payment_request.cancel', detail: null }]);
    expect(await pageOf(id)).toContain(`${key.kind} key ${key.id} via kpay: payment_request.cancel`);
    // the audit page lists it as well
    expect((await owner.get('/dashboard/audit')).text).toContain(`${key.kind} key ${key.id} via kpay`);
  });

  it('a Centrapay refund names its key, via centrapay, once; a repeat of the same externalRef adds nothing', async () => {
    const cp = centrapay.demoClient(t);
    const paid = await centrapay.paidRequest(cp, '1000');
    const externalRef = centrapay.uniqueName('audit');
    centrapay.expectOk(await cp.refund(paid.id, '300', externalRef));
    centrapay.expectOk(await cp.refund(paid.id, '300', externalRef));
    const id = await centrapay.resolve(t, paid.id);
    const [refund] = (await t.api('GET', `/v1/payment-requests/${id}/refunds`)).body.data;
    const key = await keyIdOf(centrapay.demoCredentials(t).apiKey);
    expect(await entriesOf(id)).toEqual([{ actor_type: 'api_key', actor_id: key.id, actor_name: `${key.kind} key ${key.id} via centrapay`, action: 'payment_request.refund', detail: `${refund.id}: NZD 3.00 (succeeded)` }]);
    expect(await pageOf(id)).toContain(`${key.kind} key ${key.id} via centrapay: payment_request.refund ${refund.id}: NZD 3.00 (succeeded)`);
  });

  it('a MobilePay capture names the credential set (bioCode + accessToken) it used, via mobilepay', async () => {
    const mp = mobilepay.demoClient(t);
    const pos = await mobilepay.freshPos(t, mp);
    const paymentId = await mobilepay.capturedPayment(t, mp, pos, '12.00', '10.00');
    const id = await mobilepay.resolve(t, paymentId);
    const set = mobilepay.demoCredentials(t);
    const caller = await authenticateDialect(t.gateway.app, 'mobilepay', set.bioCode, set.accessToken!);
    const entries = await entriesOf(id);
    expect(entries).toEqual([{ actor_type: 'api_key', actor_id: caller.credentialId, actor_name: `credential set ${caller.credentialId} via mobilepay`, action: 'payment_request.capture', detail: expect.stringMatching(/ 10\.00$/) }]);
  });
});

describe('the dashboard', () => {
  it('a refund from the dashboard is logged exactly once, naming the user, even when its form is posted twice', async () => {
    const created = (await t.api('POST', '/v1/payment-requests', { key: t.terminalKey, body: { amount: 2000, currency: 'NZD', allowConcurrent: true } })).body;
    const paid = await t.api('POST', `/v1/sandbox/payment-requests/${created.id}/pay`, { body: { outcome: 'approve', method: 'card' } });
    expect(paid.body.status).toBe('succeeded');
    const reference = /name="reference" value="([^"]+)"/.exec(await pageOf(created.id))![1]!;
    const form = { amount: '5.00', reference, confirmed: 'yes' };
    expect((await owner.post(`/dashboard/payment-requests/${created.id}/actions/refund`, form)).status).toBe(303);
    await owner.post(`/dashboard/payment-requests/${created.id}/actions/refund`, form);
    const entries = await entriesOf(created.id);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actor_type: 'user', actor_name: t.gateway.demo.dashboard!.email, action: 'payment_request.refund' });
    expect(entries[0]!.detail).toMatch(/^rf_\S+: NZD 5\.00 \(succeeded\)$/);
    expect((await pageOf(created.id)).match(/payment_request\.refund/g)).toHaveLength(1);
  });
});
