// The answers' field types and shapes as Centrapay's Payment Request reference documents them
// (api/payment-requests: the Payment Activity, Paid By and Asset Totals models, and its refund
// example), for a POS that deserializes them into the documented types.
import { describe, expect, it } from 'vitest';
import type { TestGateway } from '../../harness.js';
import { ASSET, expectOk, expectRefused, paidRequest, patronPays, PREFIX, send, useGateway, type Centrapay } from './client.js';

let t: TestGateway;
let cp: Centrapay;
useGateway((gateway, client) => { t = gateway; cp = client; });

describe("Centrapay's documented models", () => {
  it('activityNumber is a bignumber: a string of digits (the refund example: "3"), in every answer that carries an activity', async () => {
    const pr = await paidRequest(cp, '1000');
    const refund = await cp.refund(pr.id, '300');
    expectOk(refund);
    expect(refund.body.activityNumber, refund.text).toMatch(/^[1-9]\d*$/);
    expect(refund.body.shortCode).toBe(`${pr.shortCode}-${refund.body.activityNumber.padStart(3, '0')}`);
    const items = await cp.activityList(pr.id);
    for (const activity of items) expect(typeof activity.activityNumber, JSON.stringify(activity)).toBe('string');
    // newest first, numbered from the oldest
    expect(items.map((a) => a.activityNumber)).toEqual(items.map((_, i) => String(items.length - i)));
    const page = await cp.paymentActivities();
    expectOk(page);
    for (const activity of page.body.items) expect(typeof activity.activityNumber, JSON.stringify(activity)).toBe('string');
  });

  it('paidBy.assetTotals lists each asset type paid with as Asset Totals: type, description and total (a Monetary), for transaction reporting', async () => {
    const pr = await paidRequest(cp, '1050');
    expect(pr.paidBy, JSON.stringify(pr)).toEqual({ assetTotals: [{ type: ASSET, description: expect.any(String), total: { amount: '1050', currency: 'NZD' } }] });
    expect(pr.paidBy.assetTotals[0].description.length).toBeGreaterThan(0);
    // a part payment shows what was paid so far
    const part = await cp.createOk({ partialAllowed: true, basketAmount: '1050' }, '1050');
    await patronPays(t, part.id, 400);
    expect((await cp.read(part.id)).paidBy).toMatchObject({ assetTotals: [{ type: ASSET, total: { amount: '400', currency: 'NZD' } }] });
  });

  it('a refusal carries the reason beside its code (the error-handling guide: "additional details in the reason field"), the code alone in message', async () => {
    const pr = await paidRequest(cp, '500');
    const tooMuch = await cp.refund(pr.id, '501');
    expectRefused(tooMuch, 403, 'INVALID_AMOUNT');
    expect(tooMuch.body.reason, tooMuch.text).toMatch(/\S/);
    const unknown = await cp.get('pr_nope');
    expectRefused(unknown, 403, 'PAYMENT_REQUEST_NOT_FOUND');
    expect(unknown.body.reason, unknown.text).toMatch(/\S/);
    const currency = await cp.create({ value: { amount: '100', currency: 'EUR' } });
    expectRefused(currency, 403, 'NO_AVAILABLE_PAYMENT_OPTIONS');
    expect(currency.body.reason, currency.text).toContain('EUR');
    // in Centrapay's terms: the key goes in X-Api-Key
    const noKey = await send(t, 'GET', `${PREFIX}/payment-requests/${pr.id}`);
    expectRefused(noKey, 401, 'Missing authentication');
    expect(noKey.body.reason, noKey.text).toContain('X-Api-Key');
    expect(noKey.body.reason, noKey.text).not.toContain('Bearer');
  });
});
