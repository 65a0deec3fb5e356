// Centrapay dialect: refunds (partial, repeatable, Σ ≤ paid, externalRef as the idempotency key)
// and void (docs/dialects/centrapay.md "Actions"; specs/dialects.md §3 "Refunds").
import { describe, expect, it } from 'vitest';
import type { TestGateway } from '../../harness.js';
import {
  ASSET, expectActivity, expectMalformed, expectOk, expectRefused, nativeRequest, paidRequest, patron, refundRows, resolve, rowCounts,
  uniqueName, useGateway, type Centrapay,
} from './client.js';

let t: TestGateway;
let cp: Centrapay;
useGateway((gateway, client) => { t = gateway; cp = client; });

const nativeRefunds = async (ref: string) => {
  const res = await t.api('GET', `/v1/payment-requests/${await resolve(t, ref)}/refunds`);
  expect(res.status).toBe(200);
  return res.body.data as any[];
};

describe('refund', () => {
  it('partial refunds are repeatable up to what was paid; the request stays paid; each answer is a refund activity', async () => {
    const pr = await paidRequest(cp, '1000');
    const first = await cp.refund(pr.id, '300', uniqueName('r'), { invoiceRef: 'CR-1' });
    expectOk(first);
    expectActivity(first.body, pr, 'refund', '300');
    const second = await cp.refund(pr.id, '700');
    expectOk(second);
    expectActivity(second.body, pr, 'refund', '700');
    expect(second.body.id).not.toBe(first.body.id);
    expect(Number(second.body.activityNumber)).toBeGreaterThan(Number(first.body.activityNumber));
    expect(await cp.read(pr.id)).toMatchObject({ status: 'paid', paidBy: { assetTotals: [{ type: ASSET, total: { amount: '1000', currency: 'NZD' } }] } });
    const refunds = await nativeRefunds(pr.id);
    expect(refunds.map((r) => r.amount).sort()).toEqual([300, 700]);
    expect((await nativeRequest(t, pr.id)).amountRefunded).toBe(1000);
  });

  it('more than what is left is INVALID_AMOUNT; once all is refunded, ALREADY_REFUNDED; neither changes anything', async () => {
    const pr = await paidRequest(cp, '1000');
    expectOk(await cp.refund(pr.id, '600'));
    let before = await rowCounts(t);
    expectRefused(await cp.refund(pr.id, '401'), 403, 'INVALID_AMOUNT');
    expect(await rowCounts(t)).toEqual(before);
    expectOk(await cp.refund(pr.id, '400'));
    before = await rowCounts(t);
    expectRefused(await cp.refund(pr.id, '1'), 403, 'ALREADY_REFUNDED');
    expect(await rowCounts(t)).toEqual(before);
    expect((await nativeRequest(t, pr.id)).amountRefunded).toBe(1000);
  });

  it('a refund above the paid amount at once is INVALID_AMOUNT', async () => {
    const pr = await paidRequest(cp, '500');
    const before = await rowCounts(t);
    expectRefused(await cp.refund(pr.id, '501'), 403, 'INVALID_AMOUNT');
    expect(await rowCounts(t)).toEqual(before);
  });

  it('the same externalRef and amount replays the first activity (no second refund); another amount is REPEAT_REFERENCE', async () => {
    const pr = await paidRequest(cp, '1000');
    const nativeId = await resolve(t, pr.id);
    const ref = uniqueName('refund-ref');
    const first = await cp.refund(pr.id, '250', ref);
    expectOk(first);
    const before = await rowCounts(t);
    const replay = await cp.refund(pr.id, '250', ref);
    expectOk(replay);
    expect(replay.body.id).toBe(first.body.id);
    expect(replay.body).toMatchObject({ type: 'refund', value: { amount: '250', currency: 'NZD' }, activityNumber: first.body.activityNumber });
    expect(await refundRows(t, nativeId)).toBe(1);
    expect(await rowCounts(t)).toEqual(before);
    expectRefused(await cp.refund(pr.id, '300', ref), 403, 'REPEAT_REFERENCE');
    expect(await rowCounts(t)).toEqual(before);
    expect((await nativeRequest(t, pr.id)).amountRefunded).toBe(250);
    // the same externalRef on another request is that request's own
    const other = await paidRequest(cp, '1000');
    expectOk(await cp.refund(other.id, '300', ref));
  });

  it('a request that is not paid is NOT_PAID', async () => {
    const pr = await cp.createOk({}, '1000');
    const before = await rowCounts(t);
    expectRefused(await cp.refund(pr.id, '100'), 403, 'NOT_PAID');
    expect(await rowCounts(t)).toEqual(before);
    expect(await cp.read(pr.id)).toEqual(pr);
  });

  it('refund line items that do not sum to value are 400 LINE_ITEMS_SUM_CHECK_FAILED; summing ones are accepted', async () => {
    const pr = await paidRequest(cp, '1000');
    const before = await rowCounts(t);
    const bad = await cp.refund(pr.id, '500', uniqueName('r'), { lineItems: [{ name: 'Muffin', qty: '1', price: '400' }] });
    expectRefused(bad, 400, 'LINE_ITEMS_SUM_CHECK_FAILED');
    expect(await rowCounts(t)).toEqual(before);
    const good = await cp.refund(pr.id, '500', uniqueName('r'), { lineItems: [{ name: 'Muffin', qty: '1', price: '400' }, { name: 'Tea', qty: '1', price: '100' }] });
    expectOk(good);
    expectActivity(good.body, pr, 'refund', '500');
  });

  it.each([
    ['no externalRef', { value: { amount: '100', currency: 'NZD' } }, 'externalRef'],
    ['no value', { externalRef: 'x-1' }, 'value'],
    ['amount "1.00"', { value: { amount: '1.00', currency: 'NZD' }, externalRef: 'x-2' }, 'amount'],
    ['amount "0"', { value: { amount: '0', currency: 'NZD' }, externalRef: 'x-3' }, 'amount'],
    ['amount "-100"', { value: { amount: '-100', currency: 'NZD' }, externalRef: 'x-4' }, 'amount'],
    ['amount 100 as a number', { value: { amount: 100, currency: 'NZD' }, externalRef: 'x-5' }, 'amount'],
  ])('a refund with %s is 400 naming the field, and changes nothing', async (_name, body, field) => {
    const pr = await paidRequest(cp, '1000');
    const before = await rowCounts(t);
    expectMalformed(await cp.call('POST', `/payment-requests/${pr.id}/refund`, { body }), field);
    expect(await rowCounts(t)).toEqual(before);
  });
});

describe('void', () => {
  it('void of a paid request (within 24 h) answers a refund activity for all of it; the request is cancelled and the refund settled', async () => {
    const pr = await paidRequest(cp, '1500');
    const res = await cp.void(pr.id);
    expectOk(res);
    expectActivity(res.body, pr, 'refund', '1500');
    expect(await cp.read(pr.id)).toMatchObject({ status: 'cancelled', cancellationReason: 'CANCELLED_BY_MERCHANT' });
    const refunds = await nativeRefunds(pr.id);
    expect(refunds).toHaveLength(1);
    expect(refunds[0]).toMatchObject({ amount: 1500, status: 'succeeded' });
    expect(await nativeRequest(t, pr.id)).toMatchObject({ status: 'cancelled', statusReason: 'voided', amountRefunded: 1500 });
    // voided: there is nothing left to refund (the doc names no single code for a refund of a voided request)
    const before = await rowCounts(t);
    const again = await cp.refund(pr.id, '1');
    expectRefused(again, 403);
    expect(['ALREADY_REFUNDED', 'NOT_PAID']).toContain(again.body.message);
    expect(await rowCounts(t)).toEqual(before);
  });

  it('void of a paid request whose whole amount a manual refund (made through the native API) awaits to capture: the refund is cancelled and all of it goes back, not ALREADY_REFUNDED', async () => {
    const pr = await paidRequest(cp, '1500');
    const id = await resolve(t, pr.id);
    const held = await t.api('POST', `/v1/payment-requests/${id}/refunds`, { body: { amount: 1500, reference: 'held-all', captureMode: 'manual' } });
    expect([held.status, held.body.status]).toEqual([201, 'requires_capture']);
    const res = await cp.void(pr.id);
    expectOk(res);
    expectActivity(res.body, pr, 'refund', '1500');
    expect(await nativeRequest(t, pr.id)).toMatchObject({ status: 'cancelled', statusReason: 'voided', amountRefunded: 1500 });
    const refunds = await nativeRefunds(pr.id);
    expect(refunds.map((r) => [r.reference, r.amount, r.status])).toEqual([['held-all', 1500, 'cancelled'], ['posgate:return', 1500, 'succeeded']]);
  });

  it('void of an unpaid request answers a cancellation activity; the request is cancelled', async () => {
    const pr = await cp.createOk({}, '800');
    const res = await cp.void(pr.id);
    expectOk(res);
    expectActivity(res.body, pr, 'cancellation');
    expect(await cp.read(pr.id)).toMatchObject({ status: 'cancelled', cancellationReason: 'CANCELLED_BY_MERCHANT', paidBy: null });
    expect(await refundRows(t, await resolve(t, pr.id))).toBe(0);
  });

  it('a second void of a voided request is ALREADY_REFUNDED and changes nothing', async () => {
    const pr = await paidRequest(cp, '600');
    expectOk(await cp.void(pr.id));
    const before = await rowCounts(t);
    expectRefused(await cp.void(pr.id), 403, 'ALREADY_REFUNDED');
    expect(await rowCounts(t)).toEqual(before);
  });

  it('a second void of an unpaid request that a void cancelled answers the first cancellation activity again, and changes nothing', async () => {
    const pr = await cp.createOk({}, '800');
    const first = await cp.void(pr.id);
    expectOk(first);
    expectActivity(first.body, pr, 'cancellation');
    const before = await rowCounts(t);
    for (let i = 0; i < 2; i += 1) {
      const again = await cp.void(pr.id);
      expectOk(again);
      expect(again.body).toEqual(first.body);
    }
    expect(await rowCounts(t)).toEqual(before);
    expect((await cp.activityList(pr.id)).filter((a) => a.type === 'cancellation')).toEqual([first.body]);
    expect(await cp.read(pr.id)).toMatchObject({ status: 'cancelled', cancellationReason: 'CANCELLED_BY_MERCHANT' });
  });

  it('a request paid in part: its void gives the part back (a refund activity), and a second void answers that activity again', async () => {
    const pr = await cp.createOk({ partialAllowed: true }, '1000');
    expectOk(await cp.pay(pr.id, { amount: '400' }));
    const first = await cp.void(pr.id);
    expectOk(first);
    expectActivity(first.body, pr, 'refund', '400');
    const before = await rowCounts(t);
    const again = await cp.void(pr.id);
    expectOk(again);
    expect(again.body).toEqual(first.body);
    expect(await rowCounts(t)).toEqual(before);
  });

  it('two voids of an unpaid request at once both answer the one cancellation activity', async () => {
    const pr = await cp.createOk({}, '800');
    const [a, b] = await Promise.all([cp.void(pr.id), cp.void(pr.id)]);
    expectOk(a);
    expectOk(b);
    expectActivity(a.body, pr, 'cancellation');
    expect(b.body).toEqual(a.body);
    expect((await cp.activityList(pr.id)).filter((x) => x.type === 'cancellation')).toHaveLength(1);
  });

  it('a void of a request a cancel (not a void) cancelled is still REQUEST_CANCELLED, and changes nothing', async () => {
    const pr = await cp.createOk({}, '800');
    expectOk(await cp.cancel(pr.id));
    const before = await rowCounts(t);
    expectRefused(await cp.void(pr.id), 403, 'REQUEST_CANCELLED');
    expect(await rowCounts(t)).toEqual(before);
  });

  it('a void of a request the patron cancelled is REQUEST_CANCELLED', async () => {
    const pr = await cp.createOk({}, '800');
    const cancelled = await patron(t, pr.id, 'cancel');
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(await cp.read(pr.id)).toMatchObject({ status: 'cancelled', cancellationReason: 'CANCELLED_BY_PATRON' });
    expectRefused(await cp.void(pr.id), 403, 'REQUEST_CANCELLED');
  });

  it('void of a fully refunded request is ALREADY_REFUNDED and changes nothing', async () => {
    const pr = await paidRequest(cp, '600');
    expectOk(await cp.refund(pr.id, '600'));
    const before = await rowCounts(t);
    expectRefused(await cp.void(pr.id), 403, 'ALREADY_REFUNDED');
    expect(await rowCounts(t)).toEqual(before);
    expect((await cp.read(pr.id)).status).toBe('paid');
  });
});
