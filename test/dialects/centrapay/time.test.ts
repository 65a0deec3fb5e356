// Centrapay dialect: everything that happens with time, on the merchant's test clock (expiry, the
// 24 h void window, patron codes, the pre-auth's 3 months). The clock only moves forward: this file
// has its own gateway, and every test makes its requests after the previous test's advances.
import { describe, expect, it } from 'vitest';
import type { TestGateway } from '../../harness.js';
import {
  advance, clockNow, expectActivity, expectOk, expectRefused, nativeRequest, paidRequest, patronPays, refundRows, resolve,
  rowCounts, useGateway, type Centrapay,
} from './client.js';

let t: TestGateway;
let cp: Centrapay;
useGateway((gateway, client) => { t = gateway; cp = client; });

const HOUR = 3600;

describe('expiry', () => {
  it('a request expires after expirySeconds (default 120), not before; then pay, cancel and void are REQUEST_EXPIRED', async () => {
    const pr = await cp.createOk({}, '1000');
    await advance(t, 119);
    expect((await cp.read(pr.id)).status).toBe('new');
    await advance(t, 2);
    const read = await cp.read(pr.id);
    expect(read).toMatchObject({ status: 'expired', cancellationReason: 'PAYMENT_REQUEST_EXPIRED', paidBy: null });
    const expiry = (await cp.activityList(pr.id)).find((a) => a.type === 'expiry');
    expect(expiry).toBeDefined();
    expectActivity(expiry, pr, 'expiry');
    const before = await rowCounts(t);
    expectRefused(await cp.pay(pr.id), 403, 'REQUEST_EXPIRED');
    expectRefused(await cp.cancel(pr.id), 403, 'REQUEST_EXPIRED');
    expectRefused(await cp.void(pr.id), 403, 'REQUEST_EXPIRED');
    expect(await rowCounts(t)).toEqual(before);
    expect((await cp.read(pr.id)).status).toBe('expired');
  });

  it('expirySeconds sets when it expires', async () => {
    const pr = await cp.createOk({ expirySeconds: 10 }, '1000');
    expect(Date.parse(pr.expiresAt) - Date.parse(pr.createdAt)).toBe(10_000);
    await advance(t, 9);
    expect((await cp.read(pr.id)).status).toBe('new');
    await advance(t, 2);
    expect((await cp.read(pr.id)).status).toBe('expired');
    expect((await nativeRequest(t, pr.id)).status).toBe('expired');
  });

  it('a patron code that has expired is PATRON_CODE_INVALID', async () => {
    const patron = await t.api('POST', '/v1/sandbox/patrons', { body: {} });
    expect(patron.status).toBe(201);
    await advance(t, HOUR);
    const before = await rowCounts(t);
    expectRefused(await cp.create({ barcode: patron.body.patronCode }), 403, 'PATRON_CODE_INVALID');
    expect(await rowCounts(t)).toEqual(before);
  });
});

describe('void window', () => {
  it('void within 24 h of createdAt refunds a paid request; after 24 h it is VOID_WINDOW_EXCEEDED', async () => {
    const early = await paidRequest(cp, '1200');
    const late = await paidRequest(cp, '1300');
    await advance(t, 24 * HOUR - 10 * 60);
    const res = await cp.void(early.id);
    expectOk(res);
    expectActivity(res.body, early, 'refund', '1200');
    expect(await cp.read(early.id)).toMatchObject({ status: 'cancelled' });
    const refunds = (await t.api('GET', `/v1/payment-requests/${await resolve(t, early.id)}/refunds`)).body.data;
    expect(refunds).toMatchObject([{ amount: 1200, status: 'succeeded' }]);

    await advance(t, 11 * 60);
    const before = await rowCounts(t);
    expectRefused(await cp.void(late.id), 403, 'VOID_WINDOW_EXCEEDED');
    expect(await rowCounts(t)).toEqual(before);
    expect((await cp.read(late.id)).status).toBe('paid');
    expect(await refundRows(t, await resolve(t, late.id))).toBe(0);
    // a refund is still possible
    expectOk(await cp.refund(late.id, '1300'));
  });
});

describe('pre-auth expiry', () => {
  it('an authorization lasts 3 months (not the native 7 days); never confirmed and past preAuthExpiresAt it is cancelled, released', async () => {
    const pr = await cp.createOk({ preAuth: true }, '5000');
    await patronPays(t, pr.id);
    const auth = await cp.read(pr.id);
    expect(auth).toMatchObject({ status: 'new', preAuthStatus: 'authorized' });
    await advance(t, 8 * 24 * HOUR);
    expect(await cp.read(pr.id)).toMatchObject({ status: 'new', preAuthStatus: 'authorized', preAuthExpiresAt: auth.preAuthExpiresAt });
    const seconds = Math.ceil((Date.parse(auth.preAuthExpiresAt) - (await clockNow(t))) / 1000) + 1;
    await advance(t, seconds);
    expect(await cp.read(pr.id)).toMatchObject({ status: 'cancelled', cancellationReason: 'PAYMENT_REQUEST_EXPIRED', preAuthStatus: 'released' });
    const before = await rowCounts(t);
    expectRefused(await cp.confirm(pr.id, { idempotencyKey: 'late', invoiceRef: 'late', lineItems: [{ name: 'x', qty: '1', price: '100' }] }), 403, 'PRE_AUTH_RELEASED');
    expect(await rowCounts(t)).toEqual(before);
  });

  it('a pre-auth with confirmations, past preAuthExpiresAt, keeps what was confirmed: paid, released', async () => {
    const pr = await cp.createOk({ preAuth: true }, '5000');
    await patronPays(t, pr.id);
    const auth = await cp.read(pr.id);
    expectOk(await cp.confirm(pr.id, { idempotencyKey: 'kept', invoiceRef: 'INV-kept', lineItems: [{ name: 'Fuel', qty: '1', price: '1200' }] }));
    const seconds = Math.ceil((Date.parse(auth.preAuthExpiresAt) - (await clockNow(t))) / 1000) + 1;
    await advance(t, seconds);
    expect(await cp.read(pr.id)).toMatchObject({ status: 'paid', preAuthStatus: 'released', paidBy: { assetTotals: [{ total: { amount: '1200' } }] } });
    expectOk(await cp.refund(pr.id, '1200'));
  });
});
