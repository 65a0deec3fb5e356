// Centrapay dialect: creating, reading, paying and cancelling payment requests; the QR and barcode
// flows (docs/dialects/centrapay.md "Payment request", "Actions", "The patron, in the sandbox").
import { describe, expect, it } from 'vitest';
import type { TestGateway } from '../../harness.js';
import {
  ASSET, expectActivity, expectOk, expectRefused, nativeRequest, patron, patronPays, resolve, rowCounts, send, uniqueName,
  useGateway, type Centrapay,
} from './client.js';

let t: TestGateway;
let cp: Centrapay;
useGateway((gateway, client) => { t = gateway; cp = client; });

const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const SHORT_CODE = /^CP-[A-Z2-9]{3}-[A-Z2-9]{3}-[A-Z2-9]{3}$/;

describe('create and read', () => {
  it('create answers the request with every field of the table shown back, and GET answers the same', async () => {
    const externalRef = uniqueName('order');
    const lineItems = [
      { name: 'Flat white', qty: '2', price: '1100', sku: 'FW-1', tax: '15', discount: '100', productId: '09400000000011', restricted: false, classification: { type: 'GS1', code: '10000115', name: 'Coffee' } },
      { name: 'Muffin', qty: '1.5', price: '1900' },
    ];
    const body = cp.body({
      externalRef, invoiceRef: 'INV-0042', purchaseOrderRef: 'PO-7', terminalId: cp.set.terminalId, deviceId: 'device-9', operatorId: 'op-3',
      expirySeconds: 600, lineItems, conditionsEnabled: true, patronNotPresent: true, partialAllowed: true, basketAmount: '5000', preAuth: false,
    }, '3000');
    const res = await cp.call('POST', '/payment-requests', { body });
    expectOk(res);
    const pr = res.body;
    expect(pr).toMatchObject({
      value: { amount: '3000', currency: 'NZD' }, remainingAmount: '3000',
      paymentOptions: [{ assetType: ASSET, amount: '3000' }],
      merchantId: cp.set.merchantId, merchantName: 'Demo merchant', configId: cp.set.configId,
      status: 'new', liveness: 'test', cancellationReason: null, preAuth: false, preAuthStatus: null, preAuthExpiresAt: null,
      merchantConditions: [], conditionsEnabled: true, paidBy: null,
      externalRef, invoiceRef: 'INV-0042', purchaseOrderRef: 'PO-7', terminalId: cp.set.terminalId, deviceId: 'device-9', operatorId: 'op-3',
      barcode: null, lineItems, patronNotPresent: true, partialAllowed: true, expirySeconds: 600,
    });
    // Centrapay's Payment Request model: basketAmount and remainingAmount are bignumbers (cents as strings), not Monetary
    expect(pr.basketAmount).toBe('5000');
    expect(pr.id).toMatch(/^pr_/);
    expect(pr.shortCode).toMatch(SHORT_CODE);
    expect(pr.url).toMatch(new RegExp(`^https?://[^/]+/pay/${pr.id}$`));
    for (const field of ['createdAt', 'updatedAt', 'expiresAt']) expect(pr[field], field).toMatch(ISO_MS);
    expect(Date.parse(pr.expiresAt) - Date.parse(pr.createdAt)).toBe(600_000);
    // GET answers the same request, unchanged
    expect(await cp.read(pr.id)).toEqual(pr);
    // the QR payload is posgate's pay page
    const page = await fetch(`${t.url}${new URL(pr.url).pathname}`);
    expect(page.status).toBe(200);
    // the core holds the same request, in integer cents
    const native = await nativeRequest(t, pr.id);
    expect(native).toMatchObject({ amount: 3000, currency: 'NZD', externalRef, basketAmount: 5000, partialAllowed: true, patronNotPresent: true, status: 'created', expiresAt: pr.expiresAt, terminalId: t.terminalId });
    expect(native.shortCode).toBe(pr.shortCode.replace(/^CP-/, ''));
  });

  it('create with only configId and value shows the documented defaults', async () => {
    const pr = await cp.createOk({}, '1050');
    expect(pr).toMatchObject({
      value: { amount: '1050', currency: 'NZD' }, remainingAmount: '1050', basketAmount: null,
      paymentOptions: [{ assetType: ASSET, amount: '1050' }], status: 'new', liveness: 'test', cancellationReason: null,
      preAuth: false, preAuthStatus: null, preAuthExpiresAt: null, merchantConditions: [], conditionsEnabled: false, paidBy: null,
      externalRef: null, invoiceRef: null, purchaseOrderRef: null, terminalId: cp.set.terminalId, deviceId: null, operatorId: null,
      barcode: null, lineItems: [], patronNotPresent: false, partialAllowed: false, expirySeconds: 120,
    });
    expect(Date.parse(pr.expiresAt) - Date.parse(pr.createdAt)).toBe(120_000);
  });

  it('accepts the limits themselves: expirySeconds 10 and 2592000, refs of 128 characters, basketAmount equal to value, 99999999 cents', async () => {
    const ref = 'r'.repeat(128);
    const low = await cp.createOk({ expirySeconds: 10 });
    expect(Date.parse(low.expiresAt) - Date.parse(low.createdAt)).toBe(10_000);
    const high = await cp.createOk({ expirySeconds: 2_592_000 });
    expect(Date.parse(high.expiresAt) - Date.parse(high.createdAt)).toBe(2_592_000_000);
    const refs = await cp.createOk({ externalRef: ref, invoiceRef: ref, purchaseOrderRef: ref, deviceId: ref, operatorId: ref });
    expect(refs).toMatchObject({ externalRef: ref, invoiceRef: ref, purchaseOrderRef: ref, deviceId: ref, operatorId: ref });
    const basket = await cp.createOk({ basketAmount: '1050' }, '1050');
    expect(basket.basketAmount).toBe('1050');
    // Monetary is 0 < amount < 100000000 (the spec): the largest value is 99999999 cents
    const max = await cp.createOk({}, '99999999');
    expect(max.value).toEqual({ amount: '99999999', currency: 'NZD' });
    expect((await nativeRequest(t, max.id)).amount).toBe(99_999_999);
  });

  it('several requests may be active on one terminal at once, and each is paid on its own', async () => {
    const a = await cp.createOk({}, '100');
    const b = await cp.createOk({}, '200');
    const c = await cp.createOk({}, '300');
    expect(new Set([a.id, b.id, c.id]).size).toBe(3);
    expect(new Set([a.shortCode, b.shortCode, c.shortCode]).size).toBe(3);
    await patronPays(t, b.id);
    expect((await cp.read(a.id)).status).toBe('new');
    expect((await cp.read(b.id)).status).toBe('paid');
    expect((await cp.read(c.id)).status).toBe('new');
  });

  it('an unknown id is 403 PAYMENT_REQUEST_NOT_FOUND for every read and action, and nothing changes', async () => {
    const id = 'pr_00000000000000000000000000';
    const before = await rowCounts(t);
    const calls = [
      cp.get(id), cp.activities(id), cp.pay(id), cp.cancel(id), cp.void(id), cp.refund(id, '100'),
      cp.confirm(id, { idempotencyKey: 'k', invoiceRef: 'i', lineItems: [{ name: 'x', qty: '1', price: '100' }] }),
      cp.release(id), cp.accept(id), cp.decline(id),
    ];
    for (const res of await Promise.all(calls)) expectRefused(res, 403, 'PAYMENT_REQUEST_NOT_FOUND');
    expect(await rowCounts(t)).toEqual(before);
  });

  it('a path that is no route is 404 Not Found in the same envelope', async () => {
    expectRefused(await cp.call('GET', '/no-such-thing'), 404, 'Not Found');
    expectRefused(await send(t, 'GET', '/centrapay/api/payment-requests-nope', { apiKey: cp.set.apiKey }), 404, 'Not Found');
  });
});

describe('QR flow', () => {
  it('create → the sandbox patron pays → polling GET sees paid, with paidBy and nothing remaining', async () => {
    const pr = await cp.createOk({ externalRef: uniqueName('qr') }, '1050');
    expect((await cp.read(pr.id)).status).toBe('new');
    await patronPays(t, pr.id);
    let read = await cp.read(pr.id);
    for (let i = 0; i < 20 && read.status === 'new'; i += 1) read = await cp.read(pr.id); // polling, as the POS does
    expect(read).toMatchObject({
      status: 'paid', cancellationReason: null, remainingAmount: '0', value: { amount: '1050', currency: 'NZD' },
      paidBy: { assetTotals: [{ type: ASSET, total: { amount: '1050', currency: 'NZD' } }] },
    });
    expect(Date.parse(read.updatedAt)).toBeGreaterThanOrEqual(Date.parse(pr.updatedAt));
    expect((await nativeRequest(t, pr.id)).status).toBe('succeeded');
  });

  it("the dialect's own pay completes it; the same idempotencyKey replays, another body is IDEMPOTENT_OPERATION_FAILED", async () => {
    const pr = await cp.createOk({}, '1050');
    const key = uniqueName('idem');
    const paid = await cp.pay(pr.id, { idempotencyKey: key });
    expectOk(paid);
    expect(paid.body).toMatchObject({ id: pr.id, status: 'paid', paidBy: { assetTotals: [{ type: ASSET, total: { amount: '1050', currency: 'NZD' } }] }, remainingAmount: '0' });
    const before = await rowCounts(t);
    const replay = await cp.pay(pr.id, { idempotencyKey: key });
    expectOk(replay);
    expect(replay.body).toMatchObject({ id: pr.id, status: 'paid', paidBy: { assetTotals: [{ type: ASSET, total: { amount: '1050', currency: 'NZD' } }] } });
    expect(await rowCounts(t)).toEqual(before);
    expectRefused(await cp.pay(pr.id, { idempotencyKey: key, amount: '500' }), 403, 'IDEMPOTENT_OPERATION_FAILED');
    expectRefused(await cp.pay(pr.id, { idempotencyKey: uniqueName('again') }), 403, 'REQUEST_PAID');
    expect(await rowCounts(t)).toEqual(before);
    expect((await cp.read(pr.id)).paidBy).toEqual({ assetTotals: [{ type: ASSET, description: 'Centrapay NZD (test)', total: { amount: '1050', currency: 'NZD' } }] });
  });

  it('with partialAllowed a part payment leaves it new with remainingAmount; the rest makes it paid', async () => {
    const pr = await cp.createOk({ partialAllowed: true }, '1050');
    const part = await cp.pay(pr.id, { amount: '400' });
    expectOk(part);
    expect(part.body).toMatchObject({ status: 'new', remainingAmount: '650', paidBy: { assetTotals: [{ type: ASSET, total: { amount: '400', currency: 'NZD' } }] } });
    const rest = await cp.pay(pr.id, { amount: '650' });
    expectOk(rest);
    expect(rest.body).toMatchObject({ status: 'paid', remainingAmount: '0', paidBy: { assetTotals: [{ type: ASSET, total: { amount: '1050', currency: 'NZD' } }] } });
    const types = (await cp.activityList(pr.id)).map((a) => a.type);
    expect(types).toContain('payment');
    expect(types).toContain('paid');
  });

  it('without partialAllowed a part payment is INVALID_AMOUNT and changes nothing', async () => {
    const pr = await cp.createOk({}, '1050');
    const before = await rowCounts(t);
    expectRefused(await cp.pay(pr.id, { amount: '400' }), 403, 'INVALID_AMOUNT');
    expect(await rowCounts(t)).toEqual(before);
    expect(await cp.read(pr.id)).toEqual(pr);
  });

  it('pay on a cancelled request is REQUEST_CANCELLED', async () => {
    const pr = await cp.createOk();
    expectOk(await cp.cancel(pr.id));
    const before = await rowCounts(t);
    expectRefused(await cp.pay(pr.id), 403, 'REQUEST_CANCELLED');
    expect(await rowCounts(t)).toEqual(before);
    expect((await cp.read(pr.id)).status).toBe('cancelled');
  });
});

describe('barcode flow', () => {
  it('create with the patron code as barcode puts the request with that patron; the patron pays; the code is single-use', async () => {
    const patronRes = await t.api('POST', '/v1/sandbox/patrons', { body: { name: 'Aroha' } });
    expect(patronRes.status, JSON.stringify(patronRes.body)).toBe(201);
    const { patronCode, id: patronId } = patronRes.body;
    const pr = await cp.createOk({ barcode: patronCode }, '2500');
    expect(pr.barcode).toBe(patronCode);
    const nativeId = await resolve(t, pr.id);
    const native = await nativeRequest(t, pr.id);
    expect(native.status).toBe('pending');
    const rows = await t.query<{ patron_id: string | null }>(`SELECT patron_id FROM payment_requests WHERE id = '${nativeId}'`);
    expect(rows[0]?.patron_id).toBe(patronId);
    expect((await cp.read(pr.id)).status).toBe('new');
    // the code was used: a second request cannot take it
    const before = await rowCounts(t);
    expectRefused(await cp.create({ barcode: patronCode }), 403, 'PATRON_CODE_INVALID');
    expect(await rowCounts(t)).toEqual(before);
    await patronPays(t, pr.id);
    expect(await cp.read(pr.id)).toMatchObject({ status: 'paid', barcode: patronCode, paidBy: { assetTotals: [{ type: ASSET, total: { amount: '2500', currency: 'NZD' } }] } });
  });
});

describe('cancel and the status table', () => {
  it('cancel makes a new request cancelled CANCELLED_BY_MERCHANT; cancelling again answers it again', async () => {
    const pr = await cp.createOk();
    const res = await cp.cancel(pr.id);
    expectOk(res);
    expect(res.body).toMatchObject({ id: pr.id, status: 'cancelled', cancellationReason: 'CANCELLED_BY_MERCHANT', paidBy: null });
    expect((await nativeRequest(t, pr.id)).status).toBe('cancelled');
    const before = await rowCounts(t);
    const again = await cp.cancel(pr.id);
    expectOk(again);
    expect(again.body).toMatchObject({ id: pr.id, status: 'cancelled', cancellationReason: 'CANCELLED_BY_MERCHANT' });
    expect(await rowCounts(t)).toEqual(before);
  });

  it('cancel of a paid request is REQUEST_PAID and changes nothing', async () => {
    const pr = await cp.createOk();
    await patronPays(t, pr.id);
    const before = await rowCounts(t);
    expectRefused(await cp.cancel(pr.id), 403, 'REQUEST_PAID');
    expect(await rowCounts(t)).toEqual(before);
    expect((await cp.read(pr.id)).status).toBe('paid');
  });

  it.each([
    ['cancel', 'CANCELLED_BY_PATRON'],
    ['decline', 'PAYMENT_DECLINED'],
    ['fail', 'PAYMENT_FAILED'],
  ] as const)('the patron outcome %s renders cancelled with %s', async (outcome, reason) => {
    const pr = await cp.createOk();
    await patron(t, pr.id, outcome);
    expect(await cp.read(pr.id)).toMatchObject({ status: 'cancelled', cancellationReason: reason, paidBy: null });
  });

  it('a request in progress (the patron chose a channel) is still new', async () => {
    const pr = await cp.createOk();
    const nativeId = await resolve(t, pr.id);
    const chosen = await t.api('POST', `/pay/${nativeId}/method`, { key: null, body: { channel: 'card' } });
    expect(chosen.status, JSON.stringify(chosen.body)).toBe(200);
    expect((await nativeRequest(t, pr.id)).status).toBe('pending');
    expect((await cp.read(pr.id)).status).toBe('new');
  });

  it('the request activity is the oldest (last: newest first), and the paid activity follows the payment', async () => {
    const pr = await cp.createOk({}, '700');
    await patronPays(t, pr.id);
    const items = await cp.activityList(pr.id);
    expectActivity(items.at(-1), pr, 'request');
    expect(items[0].type).toBe('paid');
    const paid = items.find((a) => a.type === 'paid');
    expect(paid, JSON.stringify(items)).toBeDefined();
    expectActivity(paid, pr, 'paid', '700');
  });
});
