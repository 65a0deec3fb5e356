// MobilePay PoS dialect: refunds (docs/dialects/mobilepay.md "Refund statuses", "Rules", "Identifiers").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../../harness.js';
import {
  capturedPayment, checkIn, demoClient, expectOk, expectRefused, freshPos, GUID, patron, reservedPayment, rowCounts, uniqueName,
  type MobilePay, type Pos,
} from './client.js';

let t: TestGateway;
let mp: MobilePay;
let pos: Pos;
beforeAll(async () => {
  t = await startGateway();
  mp = demoClient(t);
  pos = await freshPos(t);
});
afterAll(async () => t.close());

describe('refund endpoints', () => {
  it('GET refund/create → Reserved; refund/capture → Captured; details, refunds (oldest first) and refundedAmount', async () => {
    const paymentId = await capturedPayment(t, mp, pos, '100.00');
    const refundOrderId = uniqueName('r');
    const create = await mp.get('refund/create', { amount: '30.5', currencyCode: 'DKK', paymentId, refundOrderId });
    expectOk(create);
    const refundId = create.body.refundId as string;
    expect(refundId).toMatch(GUID);

    const details = await mp.get('refund/details', { refundId });
    expectOk(details);
    expect(details.body).toMatchObject({ refundId, paymentId, refundOrderId, amount: '30.50', currencyCode: 'DKK', status: 'Reserved', pollDelayInMs: 1000 });

    const capture = await mp.get('refund/capture', { refundId });
    expectOk(capture);
    expect(capture.body.status).toBe('Captured');
    expect(await mp.refundStatus(refundId)).toBe('Captured');
    // capturing it again is not a second refund
    expect(await mp.details(paymentId)).toMatchObject({ status: 'Captured', capturedAmount: '100.00', refundedAmount: '30.50' });

    const second = await mp.post('refund/create', { amount: '10', paymentId, refundOrderId: uniqueName('r') });
    expectOk(second);
    expect(second.body.refundId).toMatch(GUID);
    expect(second.body.refundId).not.toBe(refundId);
    expect(await mp.refundStatus(second.body.refundId)).toBe('Reserved');
    expectOk(await mp.get('refund/capture', { refundId: second.body.refundId }));

    const list = await mp.get('refunds', { paymentId });
    expectOk(list);
    expect(list.body.refundIds).toEqual([refundId, second.body.refundId]);
    // refunds do not change the payment's status
    expect(await mp.details(paymentId)).toMatchObject({ status: 'Captured', refundedAmount: '40.50' });
    // the native resolve finds the request behind a refundId
    const behind = await t.api('POST', '/v1/sandbox/resolve', { body: { ref: refundId } });
    const payment = await t.api('POST', '/v1/sandbox/resolve', { body: { ref: paymentId } });
    expect(behind.body.id).toBe(payment.body.id);
  });

  it('refund/cancel → CancelledByClient, frees the amount; refund/capture of a cancelled refund is 1351, cancel of a captured one 1352', async () => {
    const paymentId = await capturedPayment(t, mp, pos, '20.00');
    const a = (await mp.get('refund/create', { amount: '20', paymentId, refundOrderId: uniqueName('a') })).body.refundId as string;
    const cancel = await mp.get('refund/cancel', { refundId: a });
    expectOk(cancel);
    expect(cancel.body.status).toBe('CancelledByClient');
    expect(await mp.refundStatus(a)).toBe('CancelledByClient');
    expectRefused(await mp.get('refund/capture', { refundId: a }), 409, '1351');
    expect(await mp.refundStatus(a)).toBe('CancelledByClient');
    expect(await mp.details(paymentId)).toMatchObject({ refundedAmount: '0.00' });

    const b = (await mp.get('refund/create', { amount: '20', paymentId, refundOrderId: uniqueName('b') })).body.refundId as string;
    expect(b).toMatch(GUID);
    expectOk(await mp.get('refund/capture', { refundId: b }));
    expectRefused(await mp.get('refund/cancel', { refundId: b }), 409, '1352');
    expect(await mp.refundStatus(b)).toBe('Captured');
    expect(await mp.details(paymentId)).toMatchObject({ refundedAmount: '20.00' });
  });

  it('EUR refunds of an EUR payment', async () => {
    const paymentId = await mp.start(uniqueName('eur'), '12.00', pos.terminalId, { currencyCode: 'EUR' });
    await checkIn(t, pos.nativeId);
    await patron(t, paymentId);
    expectOk(await mp.get('payment/capture', { paymentId }));
    const refund = await mp.get('refund/create', { amount: '0.01', currencyCode: 'EUR', paymentId, refundOrderId: uniqueName('eur') });
    expectOk(refund);
    const details = await mp.get('refund/details', { refundId: refund.body.refundId });
    expect(details.body).toMatchObject({ amount: '0.01', currencyCode: 'EUR', status: 'Reserved' });
  });
});

describe('refund rules', () => {
  it('refuses a refund of a payment that is not Captured (1354), and writes nothing', async () => {
    const p = await freshPos(t);
    const reserved = await reservedPayment(t, mp, p, '10.00');
    const before = await rowCounts(t);
    expectRefused(await mp.get('refund/create', { amount: '1', paymentId: reserved, refundOrderId: uniqueName('x') }), 409, '1354');
    expectRefused(await mp.post('refund/create', { amount: '1', paymentId: reserved, refundOrderId: uniqueName('x') }), 409, '1354');
    expectOk(await mp.get('payment/cancel', { paymentId: reserved }));
    expectRefused(await mp.get('refund/create', { amount: '1', paymentId: reserved, refundOrderId: uniqueName('x') }), 409, '1354');
    expect(await rowCounts(t)).toEqual(before);
    expect((await mp.get('refunds', { paymentId: reserved })).body.refundIds).toEqual([]);
  });

  it('refuses refunds whose sum is above what was captured (1355), counting a partial capture', async () => {
    const paymentId = await capturedPayment(t, mp, pos, '100.00', '60.00');
    expectRefused(await mp.get('refund/create', { amount: '60.01', paymentId, refundOrderId: uniqueName('big') }), 409, '1355');
    const a = (await mp.get('refund/create', { amount: '40', paymentId, refundOrderId: uniqueName('a') })).body.refundId as string;
    expectOk(await mp.get('refund/capture', { refundId: a }));
    const before = await rowCounts(t);
    expectRefused(await mp.get('refund/create', { amount: '20.01', paymentId, refundOrderId: uniqueName('over') }), 409, '1355');
    expectRefused(await mp.post('refund/create', { amount: '20.01', paymentId, refundOrderId: uniqueName('over') }), 409, '1355');
    expect(await rowCounts(t)).toEqual(before);
    expect((await mp.get('refunds', { paymentId })).body.refundIds).toEqual([a]);
    // exactly the rest is fine
    const rest = await mp.get('refund/create', { amount: '20.00', paymentId, refundOrderId: uniqueName('rest') });
    expectOk(rest);
    expectOk(await mp.get('refund/capture', { refundId: rest.body.refundId }));
    expect(await mp.details(paymentId)).toMatchObject({ refundedAmount: '60.00', capturedAmount: '60.00', status: 'Captured' });
    expectRefused(await mp.get('refund/create', { amount: '0.01', paymentId, refundOrderId: uniqueName('none') }), 409, '1355');
  });

  it('a Reserved (not yet captured) refund counts toward the sum', async () => {
    const paymentId = await capturedPayment(t, mp, pos, '10.00');
    expectOk(await mp.get('refund/create', { amount: '8', paymentId, refundOrderId: uniqueName('a') }));
    expectRefused(await mp.get('refund/create', { amount: '3', paymentId, refundOrderId: uniqueName('b') }), 409, '1355');
  });

  it('concurrent refunds never exceed what was captured', async () => {
    const paymentId = await capturedPayment(t, mp, pos, '100.00');
    const results = await Promise.all(Array.from({ length: 6 }, () => mp.get('refund/create', { amount: '30', paymentId, refundOrderId: uniqueName('race') })));
    const ok = results.filter((r) => r.status === 200);
    expect(ok).toHaveLength(3);
    for (const r of results.filter((x) => x.status !== 200)) expectRefused(r, 409, '1355');
    expect((await mp.get('refunds', { paymentId })).body.refundIds).toHaveLength(3);
  });

  it('concurrent refunds with one refundOrderId: one refund; the same amount answers the same refundId, another amount 1306', async () => {
    const paymentId = await capturedPayment(t, mp, pos, '100.00');
    const refundOrderId = uniqueName('same');
    const same = await Promise.all(Array.from({ length: 5 }, () => mp.get('refund/create', { amount: '10', paymentId, refundOrderId })));
    for (const r of same) expectOk(r);
    expect(new Set(same.map((r) => r.body.refundId)).size).toBe(1);
    const other = uniqueName('mixed');
    const mixed = await Promise.all(['10', '11', '12', '13'].map((amount) => mp.get('refund/create', { amount, paymentId, refundOrderId: other })));
    expect(mixed.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of mixed.filter((x) => x.status !== 200)) expectRefused(r, 409, '1306');
    expect((await mp.get('refunds', { paymentId })).body.refundIds).toHaveLength(2);
  });

  it('refundOrderId: the same one with the same amount returns the same refundId; with another amount 1306', async () => {
    const paymentId = await capturedPayment(t, mp, pos, '50.00');
    const refundOrderId = uniqueName('dup');
    const first = await mp.get('refund/create', { amount: '10.00', paymentId, refundOrderId });
    expectOk(first);
    const before = await rowCounts(t);
    const same = await mp.get('refund/create', { amount: '10', paymentId, refundOrderId });
    expectOk(same);
    expect(same.body.refundId).toBe(first.body.refundId);
    const samePost = await mp.post('refund/create', { amount: 10, paymentId, refundOrderId });
    expectOk(samePost);
    expect(samePost.body.refundId).toBe(first.body.refundId);
    expectRefused(await mp.get('refund/create', { amount: '11', paymentId, refundOrderId }), 409, '1306');
    expect(await rowCounts(t)).toEqual(before);
    expect((await mp.get('refunds', { paymentId })).body.refundIds).toEqual([first.body.refundId]);
    expect((await mp.get('refund/details', { refundId: first.body.refundId })).body).toMatchObject({ amount: '10.00', status: 'Reserved' });
    // unique per payment: the same refundOrderId on another payment is a new refund
    const other = await capturedPayment(t, mp, pos, '50.00');
    const elsewhere = await mp.get('refund/create', { amount: '11', paymentId: other, refundOrderId });
    expectOk(elsewhere);
    expect(elsewhere.body.refundId).not.toBe(first.body.refundId);
  });

  it('unknown refundId → 404 1004 on details, capture and cancel', async () => {
    const refundId = '0b8e2d2a-7a4b-4c55-9a43-5d1f6e7c8b9a';
    expectRefused(await mp.get('refund/details', { refundId }), 404, '1004');
    expectRefused(await mp.get('refund/capture', { refundId }), 404, '1004');
    expectRefused(await mp.get('refund/cancel', { refundId }), 404, '1004');
  });
});
