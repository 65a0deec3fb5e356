// Centrapay dialect: pre-authorization: authorize, confirm as you go (Σ ≤ authorized, each with its
// idempotencyKey), release the rest (docs/dialects/centrapay.md "Pre-authorization", "Actions").
import { describe, expect, it } from 'vitest';
import type { TestGateway } from '../../harness.js';
import {
  ASSET, clockNow, expectActivity, expectOk, expectRefused, nativeRequest, paidRequest, patronPays, rowCounts, uniqueName,
  useGateway, type Centrapay,
} from './client.js';

let t: TestGateway;
let cp: Centrapay;
useGateway((gateway, client) => { t = gateway; cp = client; });

const DAY = 24 * 3600 * 1000;
const line = (price: string, name = 'Fuel') => [{ name, qty: '1', price }];
const confirmBody = (key: string, price: string, extra: Record<string, unknown> = {}) => ({ idempotencyKey: key, invoiceRef: `INV-${key}`, lineItems: line(price), ...extra });

async function authorized(amount = '1000'): Promise<any> {
  const pr = await cp.createOk({ preAuth: true, externalRef: uniqueName('pre') }, amount);
  expect(pr).toMatchObject({ preAuth: true, preAuthStatus: null, preAuthExpiresAt: null, status: 'new' });
  await patronPays(t, pr.id);
  const read = await cp.read(pr.id);
  expect(read).toMatchObject({ status: 'new', preAuth: true, preAuthStatus: 'authorized' });
  return read;
}

describe('pre-authorization', () => {
  it('authorize → two confirmations (a repeat replays) → Σ above authorized refused → release: paid for what was confirmed', async () => {
    const pr = await cp.createOk({ preAuth: true }, '1000');
    await patronPays(t, pr.id);
    const now = await clockNow(t);
    const auth = await cp.read(pr.id);
    expect(auth).toMatchObject({ status: 'new', preAuth: true, preAuthStatus: 'authorized', cancellationReason: null });
    expect(auth.preAuthExpiresAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const ttl = Date.parse(auth.preAuthExpiresAt) - now;
    expect(ttl).toBeGreaterThan(88 * DAY); // 3 months
    expect(ttl).toBeLessThan(93 * DAY);
    expect((await nativeRequest(t, pr.id)).status).toBe('authorized');

    // nothing confirmed yet: nothing paid to refund
    let before = await rowCounts(t);
    expectRefused(await cp.refund(pr.id, '100'), 403, 'NOT_PAID');
    expect(await rowCounts(t)).toEqual(before);

    // first confirmation: value defaults to Σ line item prices
    const c1 = await cp.confirm(pr.id, confirmBody('c1', '300'));
    expectOk(c1);
    expectActivity(c1.body, auth, 'confirmation', '300');
    before = await rowCounts(t);
    const replay = await cp.confirm(pr.id, confirmBody('c1', '300'));
    expectOk(replay);
    expect(replay.body.id).toBe(c1.body.id);
    expect(replay.body.value).toEqual({ amount: '300', currency: 'NZD' });
    expect(await rowCounts(t)).toEqual(before);
    expectRefused(await cp.confirm(pr.id, confirmBody('c1', '400')), 403, 'IDEMPOTENT_OPERATION_FAILED');
    expect(await rowCounts(t)).toEqual(before);

    // second confirmation, with an explicit value
    const c2 = await cp.confirm(pr.id, confirmBody('c2', '200', { value: { amount: '200', currency: 'NZD' } }));
    expectOk(c2);
    expectActivity(c2.body, auth, 'confirmation', '200');
    expect(c2.body.id).not.toBe(c1.body.id);

    // 300 + 200 + 501 > 1000
    before = await rowCounts(t);
    expectRefused(await cp.confirm(pr.id, confirmBody('c3', '501')), 403, 'INVALID_AMOUNT');
    expect(await rowCounts(t)).toEqual(before);
    expect(await cp.read(pr.id)).toMatchObject({ status: 'new', preAuthStatus: 'authorized' });

    // a void after a confirmation is refused
    expectRefused(await cp.void(pr.id), 403, 'PRE_AUTH_ALREADY_CONFIRMED');
    expect(await rowCounts(t)).toEqual(before);

    const released = await cp.release(pr.id);
    expectOk(released);
    expectActivity(released.body, auth, 'release');
    const after = await cp.read(pr.id);
    expect(after).toMatchObject({ status: 'paid', preAuth: true, preAuthStatus: 'released', paidBy: { assetTotals: [{ type: ASSET, total: { amount: '500', currency: 'NZD' } }] } });
    expect((await nativeRequest(t, pr.id)).status).toBe('succeeded');

    // newest first (Centrapay: descending created date)
    const types = (await cp.activityList(pr.id)).map((a) => a.type);
    expect(types.at(-1)).toBe('preAuthRequest');
    expect(types.filter((x) => ['preAuthRequest', 'authorization', 'confirmation', 'release'].includes(x)))
      .toEqual(['release', 'confirmation', 'confirmation', 'authorization', 'preAuthRequest']);

    // released: no more confirmations, no second release
    before = await rowCounts(t);
    expectRefused(await cp.release(pr.id), 403, 'PRE_AUTH_RELEASED');
    expectRefused(await cp.confirm(pr.id, confirmBody('c4', '100')), 403, 'PRE_AUTH_RELEASED');
    expect(await rowCounts(t)).toEqual(before);

    // refunds up to what was confirmed
    expectOk(await cp.refund(pr.id, '300'));
    expectRefused(await cp.refund(pr.id, '201'), 403, 'INVALID_AMOUNT');
    expectOk(await cp.refund(pr.id, '200'));
    expect((await nativeRequest(t, pr.id)).amountRefunded).toBe(500);
  });

  it('confirming everything that was authorized releases it at once', async () => {
    const pr = await authorized('1000');
    const c = await cp.confirm(pr.id, confirmBody(uniqueName('all'), '1000'));
    expectOk(c);
    expectActivity(c.body, pr, 'confirmation', '1000');
    expect(await cp.read(pr.id)).toMatchObject({ status: 'paid', preAuthStatus: 'released', paidBy: { assetTotals: [{ type: ASSET, total: { amount: '1000', currency: 'NZD' } }] } });
    expectRefused(await cp.release(pr.id), 403, 'PRE_AUTH_RELEASED');
  });

  it('release with nothing confirmed: a release activity, and the request is cancelled', async () => {
    const pr = await authorized('800');
    const res = await cp.release(pr.id);
    expectOk(res);
    expectActivity(res.body, pr, 'release');
    const read = await cp.read(pr.id);
    expect(read.status).toBe('cancelled');
    expect(read.paidBy === null || read.paidBy.assetTotals.every((x: any) => x.total.amount === '0')).toBe(true);
    expect((await nativeRequest(t, pr.id)).amountCaptured).toBe(0);
  });

  it('release of a pre-auth never authorized answers a cancellation activity; the request is cancelled', async () => {
    const pr = await cp.createOk({ preAuth: true }, '800');
    const res = await cp.release(pr.id);
    expectOk(res);
    expectActivity(res.body, pr, 'cancellation');
    expect((await cp.read(pr.id)).status).toBe('cancelled');
  });

  it('a confirmation is refundable before the release (Centrapay: "refunds can be made against … confirmations"); the release then keeps what is left', async () => {
    const pr = await authorized('1000');
    expectOk(await cp.confirm(pr.id, confirmBody('cr1', '600')));
    const refund = await cp.refund(pr.id, '250', uniqueName('before-release'), { confirmationIdempotencyKey: 'cr1' });
    expectOk(refund);
    expectActivity(refund.body, pr, 'refund', '250');
    expect(await cp.read(pr.id)).toMatchObject({ status: 'new', preAuthStatus: 'authorized' });
    // the refund is in the settlement report on its own day, before the release
    const day = new Date(await clockNow(t)).toISOString().slice(0, 10);
    const next = new Date(Date.parse(day) + DAY).toISOString().slice(0, 10);
    const report = async () => (await t.api('GET', `/v1/reports/settlement?from=${day}&to=${next}`)).body.totals.find((total: { currency: string }) => total.currency === 'NZD');
    const refundedBefore = (await report())?.refunded ?? 0;
    expectRefused(await cp.refund(pr.id, '351'), 403, 'INVALID_AMOUNT');
    expectOk(await cp.release(pr.id));
    expect(await cp.read(pr.id)).toMatchObject({ status: 'paid', preAuthStatus: 'released', paidBy: { assetTotals: [{ type: ASSET, total: { amount: '600', currency: 'NZD' } }] } });
    expect(await nativeRequest(t, pr.id)).toMatchObject({ status: 'succeeded', amountCaptured: 600, amountRefunded: 250 });
    expect((await report()).refunded).toBe(refundedBefore); // counted once, not again at the release
  });

  it('confirm on a pre-auth cancelled before any release is REQUEST_CANCELLED', async () => {
    const pr = await cp.createOk({ preAuth: true }, '800');
    expectOk(await cp.cancel(pr.id));
    expectRefused(await cp.confirm(pr.id, confirmBody(uniqueName('late'), '100')), 403, 'REQUEST_CANCELLED');
  });

  it('confirm before the patron authorized is PRE_AUTH_PENDING', async () => {
    const pr = await cp.createOk({ preAuth: true }, '800');
    const before = await rowCounts(t);
    expectRefused(await cp.confirm(pr.id, confirmBody(uniqueName('early'), '100')), 403, 'PRE_AUTH_PENDING');
    expect(await rowCounts(t)).toEqual(before);
  });

  it('confirm and release of a request that is not a pre-auth are INVALID_PAYMENT_REQUEST_TYPE', async () => {
    const fresh = await cp.createOk({}, '800');
    const paid = await paidRequest(cp, '800');
    const before = await rowCounts(t);
    for (const pr of [fresh, paid]) {
      expectRefused(await cp.confirm(pr.id, confirmBody(uniqueName('np'), '100')), 403, 'INVALID_PAYMENT_REQUEST_TYPE');
      expectRefused(await cp.release(pr.id), 403, 'INVALID_PAYMENT_REQUEST_TYPE');
    }
    expect(await rowCounts(t)).toEqual(before);
  });

  it("the dialect's own pay authorizes a pre-auth too", async () => {
    const pr = await cp.createOk({ preAuth: true }, '900');
    const res = await cp.pay(pr.id);
    expectOk(res);
    expect(res.body).toMatchObject({ status: 'new', preAuthStatus: 'authorized' });
  });
});
