// MobilePay PoS dialect: another merchant's credentials cannot see or act on the demo merchant's
// payments, refunds, PoS or store (404, as if they did not exist).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startGateway, type TestGateway } from '../../harness.js';
import {
  capturedPayment, createTerminal, demoClient, demoCredentials, expectOk, expectRefused, freshPos, MobilePay, rowCounts, uniqueName,
  type MobilePayCredentials, type MpResponse,
} from './client.js';

let t: TestGateway;
let demo: MobilePay;
let other: MobilePay;
let otherSet: MobilePayCredentials;
beforeAll(async () => {
  t = await startGateway();
  demo = demoClient(t);
  const merchant = await t.api('POST', '/admin/v1/merchants', { key: ADMIN_TOKEN, body: { name: 'Other ApS' } });
  await createTerminal(t, merchant.body.stores[0].id as string, 'other-till');
  const issued = await t.api('POST', `/admin/v1/merchants/${merchant.body.id}/credentials/mobilepay`, { key: ADMIN_TOKEN, body: {} });
  expect(issued.status, JSON.stringify(issued.body)).toBe(201);
  otherSet = issued.body.mobilepay;
  other = new MobilePay(t, otherSet);
});
afterAll(async () => t.close());

/** 404 for a PoS (1000) or a payment (1001): either is "not yours" when both are named. */
function expectNotFound(res: MpResponse) {
  expect(res.status, res.text).toBe(404);
  expect(res.body.success).toBe(false);
  expect(['1000', '1001']).toContain(res.body.errorCode);
  expect(res.body.errors.length).toBeGreaterThan(0);
}

describe('tenancy', () => {
  it("another merchant gets 404 for the demo merchant's payment and cannot cancel or capture it", async () => {
    const pos = await freshPos(t, demo);
    const orderId = uniqueName('mine');
    const paymentId = await demo.start(orderId, '25', pos.terminalId);
    const before = await rowCounts(t);
    expectRefused(await other.get('payment/details', { paymentId }), 404, '1001');
    expectRefused(await other.get('payment/status', { paymentId }), 404, '1001');
    expectRefused(await other.get('payment/cancel', { paymentId }), 404, '1001');
    expectRefused(await other.get('payment/capture', { paymentId }), 404, '1001');
    expectNotFound(await other.get('payment/ready', { orderId, amount: '1', terminalId: pos.terminalId, paymentId }));
    expect(await demo.status(paymentId)).toBe('Initiated');
    // nor find it
    const list = await other.get('payments', { orderId });
    expectOk(list);
    expect(list.body.paymentIds).toEqual([]);
    expectOk(await other.get('payments'));
    expect((await other.get('payments')).body.paymentIds).not.toContain(paymentId);
    expectNotFound(await other.get('payment/id/retrieve/byterminal', { orderId, terminalId: pos.terminalId }));
    expectNotFound(await other.get('payment/id/retrieve/byposId', { orderId, posId: pos.posId }));
    // nor use the demo PoS
    expectRefused(await other.get('payment/start/byPosId', { orderId: 'x', amount: '1', posId: pos.posId }), 404, '1000');
    expectRefused(await other.get('manage/checkInStatus/byposId', { posId: pos.posId }), 404, '1000');
    expectRefused(await other.get('manage/delete', { terminalId: pos.terminalId }), 404, '1000');
    expectRefused(await other.get('manage/store', { storeId: demoCredentials(t).storeId }), 404, '1002');
    expect(await rowCounts(t)).toEqual(before);
    expectOk(await demo.get('manage/terminal/information', { terminalId: pos.terminalId }));
    expectOk(await demo.get('payment/cancel', { paymentId }));
  });

  it("another merchant cannot refund the demo merchant's payment or see its refunds", async () => {
    const pos = await freshPos(t, demo);
    const paymentId = await capturedPayment(t, demo, pos, '40.00');
    const refundId = (await demo.get('refund/create', { amount: '5', paymentId, refundOrderId: uniqueName('r') })).body.refundId as string;
    const before = await rowCounts(t);
    expectRefused(await other.get('refund/create', { amount: '5', paymentId, refundOrderId: uniqueName('r') }), 404, '1001');
    expectRefused(await other.get('refunds', { paymentId }), 404, '1001');
    expectRefused(await other.get('refund/details', { refundId }), 404, '1004');
    expectRefused(await other.get('refund/capture', { refundId }), 404, '1004');
    expectRefused(await other.get('refund/cancel', { refundId }), 404, '1004');
    expect(await rowCounts(t)).toEqual(before);
    expect(await demo.refundStatus(refundId)).toBe('Reserved');
    const captured = await other.get('payments', { state: 'Captured' });
    expect(captured.body.paymentIds).not.toContain(paymentId);
  });

  it('each merchant sees only its own store and terminals; the same orderId on both is two payments', async () => {
    const stores = await other.get('manage/stores');
    expectOk(stores);
    expect(stores.body.storeIds).toEqual([otherSet.storeId]);
    expect(otherSet.storeId).not.toBe(demoCredentials(t).storeId);
    const orderId = uniqueName('shared');
    const pos = await freshPos(t, demo);
    const mine = await demo.start(orderId, '1', pos.terminalId);
    const theirs = await other.start(orderId, '1', otherSet.terminalId);
    expect(theirs).not.toBe(mine);
    expect((await other.get('payments', { orderId })).body.paymentIds).toEqual([theirs]);
    expect((await demo.get('payments', { orderId })).body.paymentIds).toEqual([mine]);
    expectOk(await demo.get('payment/cancel', { paymentId: mine }));
    expectOk(await other.get('payment/cancel', { paymentId: theirs }));
  });
});
