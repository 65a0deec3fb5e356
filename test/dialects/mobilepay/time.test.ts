// MobilePay PoS dialect: everything that happens with time, on the merchant's test clock
// (docs/dialects/mobilepay.md "Timings"). The clock only moves forward: this file has its own gateway
// and every test makes its payments after the previous test's advances.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../../harness.js';
import {
  advance, capturedPayment, checkIn, demoClient, expectOk, expectRefused, freshPos, reservedPayment, rowCounts, uniqueName,
  type MobilePay,
} from './client.js';

let t: TestGateway;
let mp: MobilePay;
beforeAll(async () => {
  t = await startGateway();
  mp = demoClient(t);
});
afterAll(async () => t.close());

const DAY = 24 * 3600;

describe('payment timeout (MOBILEPAY_PAYMENT_TIMEOUT_SECONDS = 120)', () => {
  it('an Initiated payment nobody checks in to becomes CancelledByMobilePay after 120 s, not before; the PoS is free', async () => {
    const pos = await freshPos(t);
    const paymentId = await mp.start(uniqueName('timeout'), '10', pos.terminalId);
    await advance(t, 119);
    expect(await mp.status(paymentId)).toBe('Initiated');
    await advance(t, 1);
    expect(await mp.status(paymentId)).toBe('CancelledByMobilePay');
    expect((await mp.get('payments', { terminalId: pos.terminalId })).body.paymentIds).toEqual([]);
    // the patron can no longer approve; capture is refused
    expectRefused(await mp.get('payment/capture', { paymentId }), 409, '1304');
    const next = await mp.start(uniqueName('next'), '1', pos.terminalId);
    expectOk(await mp.get('payment/cancel', { paymentId: next }));
  });

  it('an IssuedToUser payment the patron does not approve becomes CancelledByMobilePay after 120 s', async () => {
    const pos = await freshPos(t);
    const paymentId = await mp.start(uniqueName('timeout'), '10', pos.terminalId);
    await checkIn(t, pos.nativeId);
    expect(await mp.status(paymentId)).toBe('IssuedToUser');
    await advance(t, 121);
    expect(await mp.status(paymentId)).toBe('CancelledByMobilePay');
  });

  it('a Prepared payment left alone becomes CancelledByMobilePay after the timeout too', async () => {
    const pos = await freshPos(t);
    const prepared = await mp.get('payment/prepare', { orderId: uniqueName('prep'), terminalId: pos.terminalId });
    expectOk(prepared);
    await advance(t, 121);
    expect(await mp.status(prepared.body.paymentId)).toBe('CancelledByMobilePay');
    expect((await mp.get('payments', { terminalId: pos.terminalId })).body.paymentIds).toEqual([]);
  });

  it('a Reserved payment does not time out at 120 s', async () => {
    const pos = await freshPos(t);
    const paymentId = await reservedPayment(t, mp, pos, '10');
    await advance(t, 600);
    expect(await mp.status(paymentId)).toBe('Reserved');
    expectOk(await mp.get('payment/cancel', { paymentId }));
  });
});

describe('check-in pairing window (10 minutes)', () => {
  it('a check-in pairs the next payment started within 10 minutes, not one started later', async () => {
    const pos = await freshPos(t);
    await checkIn(t, pos.nativeId);
    await advance(t, 9 * 60);
    const soon = await mp.start(uniqueName('soon'), '3', pos.terminalId);
    expect(await mp.status(soon)).toBe('IssuedToUser');
    expectOk(await mp.get('payment/cancel', { paymentId: soon }));

    await checkIn(t, pos.nativeId);
    await advance(t, 11 * 60);
    const late = await mp.start(uniqueName('late'), '3', pos.terminalId);
    expect(await mp.status(late)).toBe('Initiated');
    expectOk(await mp.get('payment/cancel', { paymentId: late }));
  });
});

describe('reservation lifetime (AUTHORIZATION_TTL_SECONDS = 7 days)', () => {
  it('a Reserved payment not captured within 7 days becomes ExpiredAndCancelled; capture is then refused', async () => {
    const pos = await freshPos(t);
    const paymentId = await reservedPayment(t, mp, pos, '70.00');
    await advance(t, 7 * DAY - 10);
    expect(await mp.status(paymentId)).toBe('Reserved');
    await advance(t, 10);
    expect(await mp.status(paymentId)).toBe('ExpiredAndCancelled');
    const before = await rowCounts(t);
    expectRefused(await mp.get('payment/capture', { paymentId }), 409, '1304');
    expect(await mp.details(paymentId)).toMatchObject({ status: 'ExpiredAndCancelled', capturedAmount: '0.00' });
    expect(await rowCounts(t)).toEqual(before);
    // no longer active
    expect((await mp.get('payments', { terminalId: pos.terminalId })).body.paymentIds).toEqual([]);
  });
});

describe('refund reservation (24 h) and refund window (30 days)', () => {
  it('a Reserved refund not captured within 24 h becomes ExpiredAndCancelled, frees its amount, and cannot be captured', async () => {
    const pos = await freshPos(t);
    const paymentId = await capturedPayment(t, mp, pos, '30.00');
    const refundId = (await mp.get('refund/create', { amount: '30', paymentId, refundOrderId: uniqueName('r') })).body.refundId as string;
    expect(await mp.refundStatus(refundId)).toBe('Reserved');
    await advance(t, DAY - 10);
    expect(await mp.refundStatus(refundId)).toBe('Reserved');
    await advance(t, 10);
    expect(await mp.refundStatus(refundId)).toBe('ExpiredAndCancelled');
    expectRefused(await mp.get('refund/capture', { refundId }), 409, '1351');
    expect(await mp.refundStatus(refundId)).toBe('ExpiredAndCancelled');
    expect(await mp.details(paymentId)).toMatchObject({ status: 'Captured', refundedAmount: '0.00' });
    const again = await mp.get('refund/create', { amount: '30', paymentId, refundOrderId: uniqueName('r2') });
    expectOk(again);
    expectOk(await mp.get('refund/capture', { refundId: again.body.refundId }));
    expect(await mp.details(paymentId)).toMatchObject({ refundedAmount: '30.00' });
  });

  it('refunds are refused (1355) 30 days after the payment was created, and allowed just before', async () => {
    const pos = await freshPos(t);
    const paymentId = await capturedPayment(t, mp, pos, '40.00');
    await advance(t, 30 * DAY - 60);
    const inside = await mp.get('refund/create', { amount: '10', paymentId, refundOrderId: uniqueName('in') });
    expectOk(inside);
    expectOk(await mp.get('refund/capture', { refundId: inside.body.refundId }));
    await advance(t, 120);
    const before = await rowCounts(t);
    expectRefused(await mp.get('refund/create', { amount: '10', paymentId, refundOrderId: uniqueName('late') }), 409, '1355');
    expectRefused(await mp.post('refund/create', { amount: '10', paymentId, refundOrderId: uniqueName('late') }), 409, '1355');
    expect(await rowCounts(t)).toEqual(before);
    expect((await mp.get('refunds', { paymentId })).body.refundIds).toEqual([inside.body.refundId]);
    expect(await mp.details(paymentId)).toMatchObject({ refundedAmount: '10.00' });
  });

  it('patron approval after the timeout is refused and the payment stays CancelledByMobilePay', async () => {
    const pos = await freshPos(t);
    const paymentId = await mp.start(uniqueName('late-approve'), '10', pos.terminalId);
    await checkIn(t, pos.nativeId);
    await advance(t, 200);
    const id = (await t.api('POST', '/v1/sandbox/resolve', { body: { ref: paymentId } })).body.id as string;
    const pay = await t.api('POST', `/v1/sandbox/payment-requests/${id}/pay`, { body: { outcome: 'approve' } });
    expect(pay.status).toBe(409);
    expect(await mp.status(paymentId)).toBe('CancelledByMobilePay');
  });
});

describe('the timings are configurable', () => {
  it('MOBILEPAY_PAYMENT_TIMEOUT_SECONDS and AUTHORIZATION_TTL_SECONDS move the deadlines', async () => {
    const g = await startGateway({ env: { MOBILEPAY_PAYMENT_TIMEOUT_SECONDS: '300', AUTHORIZATION_TTL_SECONDS: '3600' } });
    try {
      const client = demoClient(g);
      const pos = await freshPos(g, client);
      const initiated = await client.start(uniqueName('cfg'), '1', pos.terminalId);
      await advance(g, 299);
      expect(await client.status(initiated)).toBe('Initiated');
      await advance(g, 1);
      expect(await client.status(initiated)).toBe('CancelledByMobilePay');

      const reserved = await reservedPayment(g, client, pos, '2');
      await advance(g, 3599);
      expect(await client.status(reserved)).toBe('Reserved');
      await advance(g, 1);
      expect(await client.status(reserved)).toBe('ExpiredAndCancelled');
    } finally {
      await g.close();
    }
  });
});
