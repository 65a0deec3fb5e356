// The pay page's JSON: what the patron sees of a request, choosing a channel, and the sandbox decisions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, createBody, startGateway, type TestGateway } from '../harness.js';

let t: TestGateway;
beforeAll(async () => { t = await startGateway(); });
afterAll(async () => t.close());

const PR = '/v1/payment-requests';
/** A public call: the pay page needs no key, possession of the payUrl is enough. */
const pub = (method: string, path: string, body?: unknown) => t.api(method, path, { key: null, body });

async function create(extra: Record<string, unknown> = {}) {
  const res = await t.api('POST', PR, { body: createBody(t, { allowConcurrent: true, ...extra }) });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

describe('pay page state', () => {
  it('shows the patron what to pay and hides what is the merchant\'s', async () => {
    const pr = await create({
      amount: 2550, currency: 'GHS', reference: 'order-42', description: 'Lunch', metadata: { internal: 'x' }, webhookUrl: 'https://example.com/hook',
      redirectUrl: 'https://shop.example/thanks', lineItems: [{ name: 'Jollof', quantity: 1, unitAmount: 2000 }, { name: 'Malt', quantity: 2, unitAmount: 300, discountAmount: 50 }],
    });
    const res = await pub('GET', `/pay/${pr.id}/state`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const s = res.body;
    expect(s).toMatchObject({
      id: pr.id, livemode: false, merchant: { name: 'Demo merchant' }, description: 'Lunch', amount: 2550, currency: 'GHS', exponent: 2,
      amountReceived: 0, remaining: 2550, overpaid: false, overpaidAmount: 0, status: 'created', statusKey: 'waiting', partialAllowed: false,
      basketAmount: null, paymentMethod: null, paymentMethodDetails: null, allowedMethods: ['card', 'mobile_money', 'bank_transfer', 'wallet', 'crypto'], redirectUrl: 'https://shop.example/thanks', version: pr.version,
    });
    expect(s.statusText).toContain('Waiting for payment');
    expect(s.lineItems).toEqual([
      { name: 'Jollof', quantity: 1, unitAmount: 2000, discountAmount: 0, total: 2000, restricted: false },
      { name: 'Malt', quantity: 2, unitAmount: 300, discountAmount: 50, total: 550, restricted: false },
    ]);
    // the countdown runs from the merchant's clock: expiresAt − now
    expect(Date.parse(s.expiresAt) - Date.parse(s.now)).toBeGreaterThan(100_000);
    expect(Date.parse(s.expiresAt) - Date.parse(s.now)).toBeLessThanOrEqual(120_000);
    const text = JSON.stringify(s);
    for (const hidden of [t.gateway.demo.merchantId, t.terminalId, 'order-42', 'metadata', 'internal', 'webhookUrl', 'example.com/hook', 'merchantId', 'terminalId', 'storeId', 'patronId', 'fingerprint', 'sk_test', 'tk_test'])
      expect(text, hidden).not.toContain(hidden);
  });

  it('is 404 problem+json for an unknown request and 400 for a bad query', async () => {
    const res = await pub('GET', '/pay/pr_unknown/state');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.code).toBe('not_found');
    const pr = await create();
    expect((await pub('GET', `/pay/${pr.id}/state?waitSeconds=26&version=1`)).body).toMatchObject({ status: 400, param: 'waitSeconds' });
    expect((await pub('GET', `/pay/${pr.id}/state?version=x`)).status).toBe(400);
    expect((await pub('GET', `/pay/${pr.id}/state?other=1`)).body.code).toBe('unknown_field');
  });

  it('long-polls by version: answers at once when newer, else when the request changes', async () => {
    const pr = await create();
    const now = await pub('GET', `/pay/${pr.id}/state?version=0&waitSeconds=25`);
    expect(now.body.version).toBe(pr.version);
    const started = Date.now();
    const waiting = pub('GET', `/pay/${pr.id}/state?version=${pr.version}&waitSeconds=25`);
    await new Promise((r) => setTimeout(r, 200));
    await t.api('POST', `${PR}/${pr.id}/cancel`, { body: {} });
    const changed = await waiting;
    expect(Date.now() - started).toBeLessThan(5000);
    expect(changed.body).toMatchObject({ status: 'cancelled', statusKey: 'cancelled', statusReason: 'cancelled_by_merchant' });
    expect(changed.body.statusText).toContain('Cancelled');
    expect(changed.body.version).toBeGreaterThan(pr.version);
  });

  it('an overdue request reads as expired (the countdown hitting 0 re-reads it)', async () => {
    const pr = await create();
    await t.api('POST', '/v1/sandbox/clock/advance', { body: { seconds: 121 } });
    const s = (await pub('GET', `/pay/${pr.id}/state`)).body;
    expect(s).toMatchObject({ status: 'expired', statusKey: 'expired' });
    expect(s.statusText).toContain('Expired');
    expect(Date.parse(s.now)).toBeGreaterThanOrEqual(Date.parse(s.expiresAt));
  });
});

describe('choosing a channel', () => {
  it('card and wallet answer with what to do', async () => {
    const pr = await create();
    const card = await pub('POST', `/pay/${pr.id}/method`, { channel: 'card' });
    expect(card.status).toBe(200);
    expect(card.body).toMatchObject({ status: 'pending', paymentMethod: 'card', paymentMethodDetails: { channel: 'card', last4: '4242' } });
    const wallet = await pub('POST', `/pay/${pr.id}/method`, { channel: 'wallet' });
    expect(wallet.body).toMatchObject({ paymentMethod: 'wallet', paymentMethodDetails: { channel: 'wallet' } });
    expect(wallet.body.version).toBeGreaterThan(card.body.version);
  });

  it('mobile money needs a provider and a phone; the phone is shown back masked', async () => {
    const pr = await create({ currency: 'GHS' });
    const noPhone = await pub('POST', `/pay/${pr.id}/method`, { channel: 'mobile_money', provider: 'MTN' });
    expect(noPhone.status).toBe(400);
    expect(noPhone.body).toMatchObject({ param: 'phone', code: 'parameter_invalid' });
    expect((await pub('POST', `/pay/${pr.id}/method`, { channel: 'mobile_money', phone: '+233201234567' })).body).toMatchObject({ status: 400, param: 'provider' });
    expect((await pub('POST', `/pay/${pr.id}/method`, { channel: 'mobile_money', provider: 'ORANGE', phone: '+233201234567' })).body).toMatchObject({ status: 400, param: 'provider' });
    const ok = await pub('POST', `/pay/${pr.id}/method`, { channel: 'mobile_money', provider: 'VODAFONE', phone: '+233 20 123 4567' });
    expect(ok.status).toBe(200);
    const details = ok.body.paymentMethodDetails;
    expect(details).toMatchObject({ channel: 'mobile_money', provider: 'VODAFONE' });
    expect(details.phone).toMatch(/4567$/);
    expect(JSON.stringify(ok.body)).not.toContain('201234567');
    expect(details.prompt).toContain('4567');
    // the merchant still sees the whole number
    expect((await t.api('GET', `${PR}/${pr.id}`)).body.paymentMethodDetails.phone).toBe('+233201234567');
  });

  it('bank transfer gives a 10-digit virtual account for what is owed', async () => {
    const pr = await create({ amount: 5000, currency: 'NGN' });
    const res = await pub('POST', `/pay/${pr.id}/method`, { channel: 'bank_transfer' });
    expect(res.body.paymentMethodDetails).toMatchObject({ channel: 'bank_transfer', amount: 5000 });
    expect(res.body.paymentMethodDetails.accountNumber).toMatch(/^\d{10}$/);
  });

  it('refuses a channel the request does not allow, and an unknown one', async () => {
    const pr = await create({ allowedMethods: ['card', 'crypto'] });
    expect((await pub('GET', `/pay/${pr.id}/state`)).body.allowedMethods).toEqual(['card', 'crypto']);
    expect((await pub('POST', `/pay/${pr.id}/method`, { channel: 'wallet' })).body).toMatchObject({ status: 400, code: 'method_not_allowed' });
    expect((await pub('POST', `/pay/${pr.id}/method`, { channel: 'cheque' })).body).toMatchObject({ status: 400, param: 'channel' });
    expect((await pub('POST', `/pay/${pr.id}/method`, { channel: 'card', extra: 1 })).body).toMatchObject({ status: 400, code: 'unknown_field' });
  });

  it('crypto: a quote in satoshi with an expiry; after it, approve is refused until the quote is refreshed', async () => {
    const pr = await create({ amount: 1500, currency: 'USD', expiresInSeconds: 3600 });
    const first = await pub('POST', `/pay/${pr.id}/method`, { channel: 'crypto' });
    const q = first.body.paymentMethodDetails;
    expect(q).toMatchObject({ channel: 'crypto', asset: 'BTC', network: 'onchain', invoice: null });
    expect(Number.isSafeInteger(q.paymentAmountSats)).toBe(true);
    // ⌈1500 × 10^8 ÷ 5,088,541⌉ sats
    expect(q.paymentAmountSats).toBe(Math.ceil((1500 * 1e8) / 5_088_541));
    expect(q.address).toMatch(/^tb1q/);
    expect(q.expiresAt - q.quotedAt).toBe(15 * 60 * 1000);
    expect(q.quotedAt).toBeLessThanOrEqual(Date.parse(first.body.now));

    const lightning = await pub('POST', `/pay/${pr.id}/method`, { channel: 'crypto', network: 'lightning' });
    expect(lightning.body.paymentMethodDetails).toMatchObject({ network: 'lightning', address: null });
    expect(lightning.body.paymentMethodDetails.invoice).toMatch(/^lntb/);

    await t.api('POST', '/v1/sandbox/clock/advance', { body: { seconds: 16 * 60 } });
    const stale = await pub('POST', `/pay/${pr.id}/decision`, { outcome: 'approve' });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('invalid_state');
    expect((await t.api('GET', `${PR}/${pr.id}`)).body.status).toBe('pending');

    const refreshed = await pub('POST', `/pay/${pr.id}/method`, { channel: 'crypto', network: 'lightning' });
    const fresh = refreshed.body.paymentMethodDetails;
    expect(fresh.expiresAt).toBeGreaterThan(Date.parse(refreshed.body.now));
    expect(fresh.expiresAt).toBeGreaterThan(lightning.body.paymentMethodDetails.expiresAt);
    expect(fresh.invoice).not.toBe(lightning.body.paymentMethodDetails.invoice);
    const paid = await pub('POST', `/pay/${pr.id}/decision`, { outcome: 'approve' });
    expect(paid.body).toMatchObject({ status: 'succeeded', statusKey: 'paid', paymentMethod: 'crypto', remaining: 0 });
  });
});

describe('sandbox decisions', () => {
  it('approve → succeeded, decline → failed (declined), cancel → cancelled', async () => {
    const a = await create();
    const approved = await pub('POST', `/pay/${a.id}/decision`, { outcome: 'approve' });
    expect(approved.body).toMatchObject({ status: 'succeeded', statusKey: 'paid', amountReceived: 1500, remaining: 0 });
    expect(approved.body.statusText).toContain('Paid');
    expect((await t.api('GET', `${PR}/${a.id}`)).body.status).toBe('succeeded');
    // the request has moved on: choosing or deciding again is a conflict, and changes nothing
    expect((await pub('POST', `/pay/${a.id}/decision`, { outcome: 'approve' })).status).toBe(409);
    expect((await pub('POST', `/pay/${a.id}/method`, { channel: 'card' })).status).toBe(409);

    const d = await create();
    const declined = await pub('POST', `/pay/${d.id}/decision`, { outcome: 'decline' });
    expect(declined.body).toMatchObject({ status: 'failed', statusReason: 'declined', statusKey: 'declined' });
    expect(declined.body.statusText).toContain('Declined');

    const c = await create();
    expect((await pub('POST', `/pay/${c.id}/decision`, { outcome: 'cancel' })).body).toMatchObject({ status: 'cancelled', statusKey: 'cancelled' });
    expect((await pub('POST', `/pay/${c.id}/decision`, { outcome: 'fail' })).body).toMatchObject({ status: 400, param: 'outcome' });
  });

  it('partial payments: received, remaining, then overpaid', async () => {
    const pr = await create({ amount: 2500, currency: 'GHS', partialAllowed: true, basketAmount: 10000 });
    expect((await pub('GET', `/pay/${pr.id}/state`)).body).toMatchObject({ partialAllowed: true, basketAmount: 10000 });
    const part = await pub('POST', `/pay/${pr.id}/decision`, { outcome: 'approve', amount: 1050 });
    expect(part.body).toMatchObject({ status: 'pending', statusKey: 'waiting', amountReceived: 1050, remaining: 1450, overpaid: false, overpaidAmount: 0 });
    expect(part.body.statusText).toContain('Waiting for payment');
    const over = await pub('POST', `/pay/${pr.id}/decision`, { outcome: 'approve', amount: 2000 });
    expect(over.body).toMatchObject({ status: 'succeeded', amountReceived: 3050, remaining: 0, overpaid: true, overpaidAmount: 550 });
    expect((await pub('POST', `/pay/${pr.id}/decision`, { outcome: 'approve', amount: 10.5 })).body).toMatchObject({ status: 400, param: 'amount' });
    // a whole number past 2^53 − 1 is refused for its size, not called a decimal
    const huge = (await pub('POST', `/pay/${pr.id}/decision`, { outcome: 'approve', amount: 1e20 })).body;
    expect(huge).toMatchObject({ status: 400, param: 'amount' });
    expect(huge.detail).toContain('at most 10^12 minor units');
  });

  it('a partial amount is refused when the request does not allow it', async () => {
    const pr = await create();
    const res = await pub('POST', `/pay/${pr.id}/decision`, { outcome: 'approve', amount: 100 });
    expect(res.body).toMatchObject({ status: 400, code: 'partial_payment_not_allowed' });
  });

  it('a live-mode request can be read on the page, but neither decided nor given a channel there (403)', async () => {
    const merchantId = t.gateway.demo.merchantId;
    const live = await t.api('POST', `/admin/v1/merchants/${merchantId}/keys`, { key: ADMIN_TOKEN, body: { mode: 'live' } });
    const pr = await t.api('POST', PR, { key: live.body.secretKey, body: createBody(t) });
    expect(pr.status).toBe(201);
    expect((await pub('GET', `/pay/${pr.body.id}/state`)).body.livemode).toBe(true);
    const res = await pub('POST', `/pay/${pr.body.id}/decision`, { outcome: 'approve' });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('test_mode_only');
    expect((await t.api('GET', `${PR}/${pr.body.id}`, { key: live.body.secretKey })).body.status).toBe('created');
    const choose = await pub('POST', `/pay/${pr.body.id}/method`, { channel: 'mobile_money', provider: 'MTN', phone: '+233200000000' });
    expect([choose.status, choose.body.code]).toEqual([403, 'test_mode_only']);
    expect((await t.api('GET', `${PR}/${pr.body.id}`, { key: live.body.secretKey })).body).toMatchObject({ status: 'created', paymentMethod: null });
  });
});
