// MobilePay PoS dialect: lost-paymentId recovery after a POS restart (the help page's `payments`
// and `payment/id/retrieve/*` endpoints; docs/dialects/mobilepay.md "Identifiers", "Endpoints").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../../harness.js';
import { capturedPayment, checkIn, demoClient, expectOk, expectRefused, freshPos, patron, uniqueName, type MobilePay } from './client.js';

let t: TestGateway;
let mp: MobilePay;
beforeAll(async () => {
  t = await startGateway();
  mp = demoClient(t);
});
afterAll(async () => t.close());

describe('lost paymentId recovery', () => {
  it('finds the forgotten active payment, cancels it, starts again, and finds the captured one by state', async () => {
    const pos = await freshPos(t);
    const lostOrder = uniqueName('lost');
    // the POS starts a payment, then restarts and forgets the paymentId
    const lost = (await mp.get('payment/start', { orderId: lostOrder, amount: '64.00', terminalId: pos.terminalId })).body.paymentId as string;
    const newOrder = uniqueName('new');
    expectRefused(await mp.get('payment/start', { orderId: newOrder, amount: '10', terminalId: pos.terminalId }), 409, '1301');

    // payments: the active ones, by terminal and by orderId
    const byTerminal = await mp.get('payments', { terminalId: pos.terminalId });
    expectOk(byTerminal);
    expect(byTerminal.body.paymentIds).toEqual([lost]);
    const byOrder = await mp.get('payments', { orderId: lostOrder });
    expectOk(byOrder);
    expect(byOrder.body.paymentIds).toEqual([lost]);

    // retrieve by terminal and by posId, with and without paymentState
    const r1 = await mp.get('payment/id/retrieve/byterminal', { orderId: lostOrder, terminalId: pos.terminalId });
    expectOk(r1);
    expect(r1.body.paymentId).toBe(lost);
    const r2 = await mp.get('payment/id/retrieve/byposId', { orderId: lostOrder, posId: pos.posId });
    expectOk(r2);
    expect(r2.body.paymentId).toBe(lost);
    const r3 = await mp.get('payment/id/retrieve/byterminal', { orderId: lostOrder, terminalId: pos.terminalId, paymentState: 'Initiated' });
    expectOk(r3);
    expect(r3.body.paymentId).toBe(lost);
    const r4 = await mp.get('payment/id/retrieve/byposId', { orderId: lostOrder, posId: pos.posId, paymentState: 'Initiated' });
    expectOk(r4);
    expect(r4.body.paymentId).toBe(lost);
    // in another state it is not found
    expectRefused(await mp.get('payment/id/retrieve/byterminal', { orderId: lostOrder, terminalId: pos.terminalId, paymentState: 'Captured' }), 404, '1001');
    expectRefused(await mp.get('payment/id/retrieve/byposId', { orderId: lostOrder, posId: pos.posId, paymentState: 'Captured' }), 404, '1001');
    // not captured: bystate finds nothing
    expectRefused(await mp.get('payment/id/retrieve/bystate', { orderId: lostOrder, state: 'Captured' }), 404, '1001');

    // cancel it and start again
    const cancel = await mp.get('payment/cancel', { paymentId: lost });
    expectOk(cancel);
    expect(cancel.body.status).toBe('CancelledByClient');
    const empty = await mp.get('payments', { terminalId: pos.terminalId });
    expectOk(empty);
    expect(empty.body.paymentIds).toEqual([]);
    const fresh = (await mp.get('payment/start', { orderId: newOrder, amount: '10', terminalId: pos.terminalId })).body.paymentId as string;
    expect(fresh).not.toBe(lost);
    await checkIn(t, pos.nativeId);
    await patron(t, fresh);
    expectOk(await mp.get('payment/capture', { paymentId: fresh }));

    const bystate = await mp.get('payment/id/retrieve/bystate', { orderId: newOrder, state: 'Captured' });
    expectOk(bystate);
    expect(bystate.body.paymentId).toBe(fresh);
    const captured = await mp.get('payments', { state: 'Captured', terminalId: pos.terminalId });
    expectOk(captured);
    expect(captured.body.paymentIds).toEqual([fresh]);
    const capturedByOrder = await mp.get('payments', { state: 'Captured', orderId: newOrder });
    expectOk(capturedByOrder);
    expect(capturedByOrder.body.paymentIds).toEqual([fresh]);
    const byterminalCaptured = await mp.get('payment/id/retrieve/byterminal', { orderId: newOrder, terminalId: pos.terminalId, paymentState: 'Captured' });
    expectOk(byterminalCaptured);
    expect(byterminalCaptured.body.paymentId).toBe(fresh);
    // the cancelled one is neither active nor captured
    const active = await mp.get('payments', { terminalId: pos.terminalId });
    expect(active.body.paymentIds).toEqual([]);
  });

  it('an orderId reused by a later payment: the recovery endpoints return the latest match; payments are newest first', async () => {
    const pos = await freshPos(t);
    const orderId = uniqueName('reuse');
    const first = await capturedPayment(t, mp, pos, '5.00');
    // capturedPayment used its own orderId; now two payments with the same orderId
    const a = await mp.start(orderId, '1', pos.terminalId);
    expectOk(await mp.get('payment/cancel', { paymentId: a }));
    const b = await mp.start(orderId, '2', pos.terminalId);
    const r = await mp.get('payment/id/retrieve/byterminal', { orderId, terminalId: pos.terminalId });
    expectOk(r);
    expect(r.body.paymentId).toBe(b);
    const rp = await mp.get('payment/id/retrieve/byposId', { orderId, posId: pos.posId });
    expectOk(rp);
    expect(rp.body.paymentId).toBe(b);
    expectOk(await mp.get('payment/cancel', { paymentId: b }));
    // an orderId nobody used
    expectRefused(await mp.get('payment/id/retrieve/byterminal', { orderId: uniqueName('never'), terminalId: pos.terminalId }), 404, '1001');
    expectRefused(await mp.get('payment/id/retrieve/byposId', { orderId: uniqueName('never'), posId: pos.posId }), 404, '1001');
    expectRefused(await mp.get('payment/id/retrieve/bystate', { orderId: uniqueName('never'), state: 'Captured' }), 404, '1001');

    // two captured payments with one orderId: bystate finds the latest
    const c1 = await mp.start(orderId, '3', pos.terminalId);
    await checkIn(t, pos.nativeId);
    await patron(t, c1);
    expectOk(await mp.get('payment/capture', { paymentId: c1 }));
    const c2 = await mp.start(orderId, '4', pos.terminalId);
    await checkIn(t, pos.nativeId);
    await patron(t, c2);
    expectOk(await mp.get('payment/capture', { paymentId: c2 }));
    const latest = await mp.get('payment/id/retrieve/bystate', { orderId, state: 'Captured' });
    expectOk(latest);
    expect(latest.body.paymentId).toBe(c2);
    expect((await mp.get('payments', { orderId, state: 'Captured' })).body.paymentIds).toEqual([c2, c1]);

    // several active payments on several PoS of the merchant: newest first
    const p2 = await freshPos(t);
    const p3 = await freshPos(t);
    const x = await mp.start(uniqueName('x'), '1', p2.terminalId);
    const y = await mp.start(uniqueName('y'), '1', p3.terminalId);
    const all = await mp.get('payments');
    expectOk(all);
    expect(all.body.paymentIds.slice(0, 2)).toEqual([y, x]);
    expect(all.body.paymentIds).not.toContain(first);
    const capturedAll = await mp.get('payments', { state: 'Captured' });
    expect(capturedAll.body.paymentIds).toContain(first);
    expect(capturedAll.body.paymentIds).not.toContain(x);
    expectOk(await mp.get('payment/cancel', { paymentId: x }));
    expectOk(await mp.get('payment/cancel', { paymentId: y }));
  });

  it('a Reserved payment is active (listed without state) until captured', async () => {
    const pos = await freshPos(t);
    const orderId = uniqueName('res');
    const paymentId = await mp.start(orderId, '9', pos.terminalId);
    await checkIn(t, pos.nativeId);
    await patron(t, paymentId);
    expect((await mp.get('payments', { terminalId: pos.terminalId })).body.paymentIds).toEqual([paymentId]);
    expect((await mp.get('payments', { terminalId: pos.terminalId, state: 'Captured' })).body.paymentIds).toEqual([]);
    expectOk(await mp.get('payment/capture', { paymentId }));
    expect((await mp.get('payments', { terminalId: pos.terminalId })).body.paymentIds).toEqual([]);
    expect((await mp.get('payments', { terminalId: pos.terminalId, state: 'Captured' })).body.paymentIds).toEqual([paymentId]);
  });

  it('payments answers at most 100 ids, newest first', async () => {
    const pos = await freshPos(t);
    const ids: string[] = [];
    for (let i = 0; i < 101; i += 1) {
      const paymentId = await mp.start(uniqueName('many'), '1', pos.terminalId);
      await checkIn(t, pos.nativeId);
      await patron(t, paymentId);
      expectOk(await mp.get('payment/capture', { paymentId }));
      ids.push(paymentId);
    }
    const res = await mp.get('payments', { state: 'Captured', terminalId: pos.terminalId });
    expectOk(res);
    expect(res.body.paymentIds).toHaveLength(100);
    expect(res.body.paymentIds).toEqual(ids.slice(1).reverse());
  }, 120_000);
});
