// Centrapay dialect: merchant conditions (age verification of restricted line items)
// (docs/dialects/centrapay.md "Merchant conditions", "Actions").
import { describe, expect, it } from 'vitest';
import type { TestGateway } from '../../harness.js';
import {
  ASSET, expectActivity, expectOk, expectRefused, patron, patronPays, rowCounts, useGateway, type Centrapay,
} from './client.js';

let t: TestGateway;
let cp: Centrapay;
useGateway((gateway, client) => { t = gateway; cp = client; });

const lineItems = [{ name: 'Pinot noir', qty: '1', price: '2500', restricted: true }, { name: 'Crackers', qty: '1', price: '500' }];

async function restricted(conditionsEnabled: boolean): Promise<any> {
  return cp.createOk({ lineItems, conditionsEnabled }, '3000');
}

const condition = (pr: any) => pr.merchantConditions.find((c: any) => c.id === 'age-verification');

describe('merchant conditions', () => {
  it.each([true, false])('a request with restricted line items carries the one age-verification condition from creation (conditionsEnabled %s)', async (enabled) => {
    const pr = await restricted(enabled);
    expect(pr.merchantConditions).toHaveLength(1);
    expect(pr.merchantConditions[0]).toMatchObject({ id: 'age-verification', name: 'Age verification' });
    expect(typeof pr.merchantConditions[0].message).toBe('string');
    expect(['awaiting-patron', 'awaiting-merchant', 'accepted', 'declined', 'void']).toContain(pr.merchantConditions[0].status);
    expect(pr.merchantConditions[0].status).not.toBe('awaiting-merchant'); // it becomes that when the patron pays
    expect((await cp.read(pr.id)).merchantConditions).toEqual(pr.merchantConditions);
  });

  it('with conditionsEnabled the payment waits for the merchant (awaiting-merchant, new); accept completes it and answers the accept-condition activity', async () => {
    const pr = await restricted(true);
    await patronPays(t, pr.id);
    const waiting = await cp.read(pr.id);
    expect(waiting.status).toBe('new');
    expect(condition(waiting).status).toBe('awaiting-merchant');
    const accepted = await cp.accept(pr.id);
    expectOk(accepted);
    // Centrapay: accept "Returns a Payment Activity"
    expectActivity(accepted.body, pr, 'accept-condition');
    const read = await cp.read(pr.id);
    expect(read).toMatchObject({ id: pr.id, status: 'paid', paidBy: { assetTotals: [{ type: ASSET, total: { amount: '3000', currency: 'NZD' } }] } });
    expect(condition(read).status).toBe('accepted');
    const items = await cp.activityList(pr.id);
    expect(items.filter((a) => a.type === 'accept-condition'), JSON.stringify(items)).toEqual([accepted.body]);
    expect(items.some((a) => a.type === 'paid')).toBe(true);

    // accepting (or declining) again: the condition is already set, nothing changes
    const before = await rowCounts(t);
    expectRefused(await cp.accept(pr.id), 403, 'CONDITION_ALREADY_SET');
    expectRefused(await cp.decline(pr.id), 403, 'CONDITION_ALREADY_SET');
    expect(await rowCounts(t)).toEqual(before);
    expect((await cp.read(pr.id)).status).toBe('paid');
  });

  it('decline cancels the request, DECLINED_BY_MERCHANT, and answers the decline-condition activity', async () => {
    const pr = await restricted(true);
    await patronPays(t, pr.id);
    expect(condition(await cp.read(pr.id)).status).toBe('awaiting-merchant');
    const declined = await cp.decline(pr.id);
    expectOk(declined);
    // Centrapay: decline "Returns a Payment Activity"
    expectActivity(declined.body, pr, 'decline-condition', '3000');
    const read = await cp.read(pr.id);
    expect(read).toMatchObject({ id: pr.id, status: 'cancelled', cancellationReason: 'DECLINED_BY_MERCHANT' });
    expect(condition(read).status).toBe('declined');
    const items = await cp.activityList(pr.id);
    expect(items.filter((a) => a.type === 'decline-condition')).toEqual([declined.body]);
    expect(items.map((a) => a.type)).not.toContain('paid');
    const before = await rowCounts(t);
    expectRefused(await cp.accept(pr.id), 403, 'CONDITION_ALREADY_SET');
    expect(await rowCounts(t)).toEqual(before);
  });

  it('accept before the patron paid is MERCHANT_NOT_AUTHORIZED (the condition is not awaiting the merchant)', async () => {
    const pr = await restricted(true);
    const before = await rowCounts(t);
    expectRefused(await cp.accept(pr.id), 403, 'MERCHANT_NOT_AUTHORIZED');
    expectRefused(await cp.decline(pr.id), 403, 'MERCHANT_NOT_AUTHORIZED');
    expect(await rowCounts(t)).toEqual(before);
    expect(await cp.read(pr.id)).toEqual(pr);
  });

  it('without conditionsEnabled the sandbox patron\'s payment is refused: cancelled, PAYMENT_DECLINED', async () => {
    const pr = await restricted(false);
    await patron(t, pr.id, 'approve');
    const read = await cp.read(pr.id);
    expect(read).toMatchObject({ status: 'cancelled', cancellationReason: 'PAYMENT_DECLINED' });
    expect(read.paidBy === null || read.paidBy.assetTotals.every((x: any) => x.total.amount === '0')).toBe(true);
  });

  it("without conditionsEnabled the dialect's pay is refused with PAYMENT_DECLINED and the request cancelled", async () => {
    const pr = await restricted(false);
    expectRefused(await cp.pay(pr.id), 403, 'PAYMENT_DECLINED');
    expect(await cp.read(pr.id)).toMatchObject({ status: 'cancelled', cancellationReason: 'PAYMENT_DECLINED' });
  });

  it('a request without restricted items has no condition and is paid at once', async () => {
    const pr = await cp.createOk({ lineItems: [{ name: 'Crackers', qty: '2', price: '1000' }], conditionsEnabled: true }, '1000');
    expect(pr.merchantConditions).toEqual([]);
    await patronPays(t, pr.id);
    expect((await cp.read(pr.id)).status).toBe('paid');
  });
});
