import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBody, startGateway, type TestGateway } from '../harness.js';

let t: TestGateway;
beforeAll(async () => { t = await startGateway(); });
afterAll(async () => t.close());

/** Every test starts with a free terminal: whatever is active on it is cancelled. */
beforeEach(async () => {
  const active = await t.api('GET', `/v1/payment-requests?active=true&terminalId=${t.terminalId}`);
  for (const r of active.body.data) await t.api('POST', `/v1/payment-requests/${r.id}/cancel`);
});

const create = (extra: Record<string, unknown> = {}) => t.api('POST', '/v1/payment-requests', { body: createBody(t, extra) });
const pay = (id: string, body: Record<string, unknown> = { outcome: 'approve' }) => t.api('POST', `/v1/sandbox/payment-requests/${id}/pay`, { body });

describe('create and read', () => {
  it('creates a request with every documented field and reads it back', async () => {
    const res = await create({
      reference: 'order-100', description: 'Two flat whites', captureMode: 'automatic', expiresInSeconds: 300,
      lineItems: [{ name: 'Flat white', sku: 'FW', quantity: 2, unitAmount: 800, discountAmount: 100, taxRate: 15 }],
      metadata: { table: '7' }, webhookUrl: 'https://pos.example/hook', redirectUrl: 'https://pos.example/done', partialAllowed: true,
      basketAmount: 3000, patronNotPresent: false, allowedMethods: ['card', 'wallet'],
    });
    expect(res.status).toBe(201);
    const pr = res.body;
    expect(pr).toMatchObject({
      object: 'payment_request', livemode: false, status: 'created', statusReason: null, amount: 1500, currency: 'NZD', terminalId: t.terminalId,
      amountReceived: 0, amountAuthorized: 0, amountCaptured: 0, amountRefunded: 0, refundStatus: 'none', overpaid: false, reference: 'order-100',
      metadata: { table: '7' }, partialAllowed: true, basketAmount: 3000, allowedMethods: ['card', 'wallet'], version: 1,
    });
    expect(pr.id).toMatch(/^pr_[0-9A-Z]{26}$/);
    expect(pr.shortCode).toMatch(/^[2-9A-HJKMNP-TV-Z]{3}-[2-9A-HJKMNP-TV-Z]{3}-[2-9A-HJKMNP-TV-Z]{3}$/);
    expect(pr.payUrl).toBe(`${t.url}/pay/${pr.id}`);
    expect(Date.parse(pr.expiresAt) - Date.parse(pr.createdAt)).toBe(300_000);
    expect(pr.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const read = await t.api('GET', `/v1/payment-requests/${pr.id}`);
    expect(read.body).toEqual(pr);
    const byCode = await t.api('GET', `/v1/payment-requests/short-code/${pr.shortCode.toLowerCase().replace(/-/g, '')}`);
    expect(byCode.body.id).toBe(pr.id);
    // the list's filter reads a short code as the lookup does: any case, with or without dashes
    for (const typed of [pr.shortCode, pr.shortCode.toLowerCase().replace(/-/g, ''), ` ${pr.shortCode.slice(0, 4).toLowerCase()}${pr.shortCode.slice(4)}`]) {
      const listed = await t.api('GET', `/v1/payment-requests?shortCode=${encodeURIComponent(typed)}`);
      expect(listed.status, JSON.stringify(listed.body)).toBe(200);
      expect(listed.body.data.map((p: { id: string }) => p.id), typed).toEqual([pr.id]);
    }
  });

  it('defaults: automatic capture, 120 s expiry', async () => {
    const { body } = await create();
    expect(body.captureMode).toBe('automatic');
    expect(Date.parse(body.expiresAt) - Date.parse(body.createdAt)).toBe(120_000);
  });

  it('a terminal key creates for its own terminal without naming it', async () => {
    const res = await t.api('POST', '/v1/payment-requests', { key: t.terminalKey, body: { amount: 250, currency: 'NZD' } });
    expect(res.status).toBe(201);
    expect(res.body.terminalId).toBe(t.terminalId);
  });

  it('same reference and body replays (200); a different body is 409 duplicate_reference', async () => {
    const first = await create({ reference: 'order-replay', allowConcurrent: true });
    const again = await create({ reference: 'order-replay', allowConcurrent: true });
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.body.id).toBe(first.body.id);
    const conflict = await create({ reference: 'order-replay', amount: 1600, allowConcurrent: true });
    expect(conflict.status).toBe(409);
    expect(conflict.body.code).toBe('duplicate_reference');
  });

  it('one active request per terminal unless allowConcurrent', async () => {
    const first = await create();
    const second = await create();
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('terminal_busy');
    expect(second.body.detail).toContain(first.body.id);
    expect((await create({ allowConcurrent: true })).status).toBe(201);
    await t.api('POST', `/v1/payment-requests/${first.body.id}/cancel`);
    expect((await create()).status).toBe(201);
  });

  it('lists newest first with filters and cursor paging', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await create({ reference: `list-${i}`, allowConcurrent: true })).body.id);
    const page1 = await t.api('GET', '/v1/payment-requests?limit=2');
    expect(page1.body.data.map((r: { id: string }) => r.id)).toEqual([ids[2], ids[1]]);
    expect(page1.body.hasMore).toBe(true);
    const page2 = await t.api('GET', `/v1/payment-requests?limit=2&cursor=${page1.body.nextCursor}`);
    expect(page2.body.data[0].id).toBe(ids[0]);
    const byRef = await t.api('GET', '/v1/payment-requests?reference=list-1');
    expect(byRef.body.data.map((r: { id: string }) => r.id)).toEqual([ids[1]]);
    const cancelled = await t.api('GET', '/v1/payment-requests?status=cancelled&limit=100');
    expect(cancelled.body.data.every((r: { status: string }) => r.status === 'cancelled')).toBe(true);
  });
});

describe('lifecycle', () => {
  it('automatic: pay → succeeded, refund partially then fully', async () => {
    const { body: pr } = await create();
    const paid = await pay(pr.id, { outcome: 'approve', method: 'card' });
    // the sandbox patron chose the card channel through the connector (pending, v2), then paid (v3)
    expect(paid.body).toMatchObject({ status: 'succeeded', amountReceived: 1500, amountCaptured: 1500, paymentMethod: 'card', version: 3 });
    const r1 = await t.api('POST', `/v1/payment-requests/${pr.id}/refunds`, { body: { amount: 500, reference: 'r1', reason: 'cold coffee' } });
    expect(r1.status).toBe(201);
    expect(r1.body).toMatchObject({ object: 'refund', amount: 500, status: 'succeeded', paymentRequestId: pr.id, reason: 'cold coffee' });
    const partial = await t.api('GET', `/v1/payment-requests/${pr.id}`);
    expect(partial.body).toMatchObject({ status: 'succeeded', amountRefunded: 500, refundStatus: 'partial' });
    expect((await t.api('POST', `/v1/payment-requests/${pr.id}/refunds`, { body: { amount: 500, reference: 'r1' } })).status).toBe(200);
    const dup = await t.api('POST', `/v1/payment-requests/${pr.id}/refunds`, { body: { amount: 400, reference: 'r1' } });
    expect([dup.status, dup.body.code]).toEqual([409, 'duplicate_reference']);
    const over = await t.api('POST', `/v1/payment-requests/${pr.id}/refunds`, { body: { amount: 1001, reference: 'r2' } });
    expect([over.status, over.body.code]).toEqual([400, 'amount_exceeds_refundable']);
    await t.api('POST', `/v1/payment-requests/${pr.id}/refunds`, { body: { amount: 1000, reference: 'r3' } });
    const full = await t.api('GET', `/v1/payment-requests/${pr.id}`);
    expect(full.body).toMatchObject({ status: 'succeeded', amountRefunded: 1500, refundStatus: 'full' });
    const list = await t.api('GET', `/v1/payment-requests/${pr.id}/refunds`);
    expect(list.body.data.map((r: { amount: number }) => r.amount)).toEqual([500, 1000]);
    const first = await t.api('GET', `/v1/payment-requests/${pr.id}/refunds?limit=1`);
    expect([first.body.data.map((r: { amount: number }) => r.amount), first.body.hasMore]).toEqual([[500], true]);
    const second = await t.api('GET', `/v1/payment-requests/${pr.id}/refunds?limit=1&cursor=${first.body.nextCursor}`);
    expect([second.body.data.map((r: { amount: number }) => r.amount), second.body.hasMore, second.body.nextCursor]).toEqual([[1000], false, null]);
    expect((await t.api('GET', `/v1/refunds/${r1.body.id}`)).body.id).toBe(r1.body.id);
  });

  it('cancel after success is 409 already_succeeded; void refunds everything and cancels', async () => {
    const { body: pr } = await create();
    await pay(pr.id);
    const cancel = await t.api('POST', `/v1/payment-requests/${pr.id}/cancel`);
    expect([cancel.status, cancel.body.code]).toEqual([409, 'already_succeeded']);
    await t.api('POST', `/v1/payment-requests/${pr.id}/refunds`, { body: { amount: 200, reference: 'before-void' } });
    const voided = await t.api('POST', `/v1/payment-requests/${pr.id}/void`);
    expect(voided.body).toMatchObject({ status: 'cancelled', statusReason: 'voided', amountRefunded: 1500, refundStatus: 'full' });
    const again = await t.api('POST', `/v1/payment-requests/${pr.id}/void`);
    expect([again.status, again.body.code]).toEqual([409, 'invalid_state']);
  });

  it('manual capture: authorize, partial capture releases the rest', async () => {
    const { body: pr } = await create({ captureMode: 'manual' });
    const authorized = await pay(pr.id);
    expect(authorized.body).toMatchObject({ status: 'authorized', amountAuthorized: 1500, amountCaptured: 0 });
    expect(Date.parse(authorized.body.authorizationExpiresAt) - Date.parse(authorized.body.updatedAt)).toBe(7 * 24 * 3600 * 1000);
    const tooMuch = await t.api('POST', `/v1/payment-requests/${pr.id}/capture`, { body: { amount: 1501 } });
    expect([tooMuch.status, tooMuch.body.code]).toEqual([400, 'amount_exceeds_authorized']);
    const captured = await t.api('POST', `/v1/payment-requests/${pr.id}/capture`, { body: { amount: 1000 } });
    expect(captured.body).toMatchObject({ status: 'succeeded', amountCaptured: 1000, amountAuthorized: 1500 });
    const twice = await t.api('POST', `/v1/payment-requests/${pr.id}/capture`);
    expect([twice.status, twice.body.code]).toEqual([409, 'not_authorized']);
    const over = await t.api('POST', `/v1/payment-requests/${pr.id}/refunds`, { body: { amount: 1001, reference: 'x' } });
    expect(over.body.code).toBe('amount_exceeds_refundable');
  });

  it('cancel releases an authorization', async () => {
    const { body: pr } = await create({ captureMode: 'manual' });
    await pay(pr.id);
    const cancelled = await t.api('POST', `/v1/payment-requests/${pr.id}/cancel`, { body: { reason: 'cancelled_by_merchant' } });
    expect(cancelled.body).toMatchObject({ status: 'cancelled', statusReason: 'cancelled_by_merchant', amountCaptured: 0 });
  });

  it('prepared → ready: no amount first, then the basket total', async () => {
    const prepared = await t.api('POST', '/v1/payment-requests', { body: { currency: 'DKK', terminalId: t.terminalId } });
    expect(prepared.body).toMatchObject({ status: 'prepared', amount: null });
    const payEarly = await pay(prepared.body.id);
    expect(payEarly.status).toBe(409);
    const ready = await t.api('POST', `/v1/payment-requests/${prepared.body.id}/ready`, { body: { amount: 2700, lineItems: [{ name: 'Ticket', quantity: 1, unitAmount: 2700 }] } });
    expect(ready.body).toMatchObject({ status: 'created', amount: 2700 });
    const again = await t.api('POST', `/v1/payment-requests/${prepared.body.id}/ready`, { body: { amount: 2700 } });
    expect([again.status, again.body.code]).toEqual([409, 'not_prepared']);
  });

  it('partial payments while pending, then overpayment', async () => {
    const { body: pr } = await create({ partialAllowed: true });
    const part = await pay(pr.id, { outcome: 'approve', amount: 500 });
    expect(part.body).toMatchObject({ status: 'pending', amountReceived: 500 });
    const rest = await pay(pr.id, { outcome: 'approve', amount: 1200 });
    expect(rest.body).toMatchObject({ status: 'succeeded', amountReceived: 1700, amountCaptured: 1500, overpaid: true });
    const { body: strict } = await create({ allowConcurrent: true });
    const refused = await pay(strict.id, { outcome: 'approve', amount: 500 });
    expect([refused.status, refused.body.code]).toEqual([400, 'partial_payment_not_allowed']);
  });

  it('patron outcomes: decline, fail, cancel', async () => {
    const outcomes = [['decline', 'failed', 'declined'], ['fail', 'failed', 'payment_failed'], ['cancel', 'cancelled', 'cancelled_by_patron']] as const;
    for (const [outcome, status, reason] of outcomes) {
      const { body: pr } = await create({ allowConcurrent: true });
      const res = await pay(pr.id, { outcome });
      expect(res.body).toMatchObject({ status, statusReason: reason });
    }
  });

  it('allowedMethods restricts the patron', async () => {
    const { body: pr } = await create({ allowedMethods: ['wallet'] });
    const res = await pay(pr.id, { outcome: 'approve', method: 'card' });
    expect([res.status, res.body.code]).toEqual([400, 'method_not_allowed']);
  });

  it('events: one per change with per-object sequences, oldest first', async () => {
    const { body: pr } = await create();
    await pay(pr.id);
    await t.api('POST', `/v1/payment-requests/${pr.id}/refunds`, { body: { amount: 100, reference: 'e1' } });
    const events = await t.api('GET', `/v1/payment-requests/${pr.id}/events`);
    expect(events.body.data.map((e: { type: string; sequence: number }) => [e.type, e.sequence])).toEqual([
      ['payment_request.created', 1], ['payment_request.succeeded', 2], ['refund.created', 1], ['refund.succeeded', 2],
    ]);
    const succeeded = events.body.data[1];
    expect(succeeded).toMatchObject({ object: 'event', livemode: false, objectId: pr.id });
    expect(succeeded.id).toMatch(/^evt_/);
    expect(succeeded.data.object).toMatchObject({ id: pr.id, status: 'succeeded', version: 2 });
    const filtered = await t.api('GET', `/v1/events?objectId=${pr.id}&type=payment_request.succeeded`);
    expect(filtered.body.data.map((e: { id: string }) => e.id)).toEqual([succeeded.id]);
  });

  it('events: the type filter takes every type the list may hold (a CLIQ notice too), and refuses others', async () => {
    for (const type of ['refund.expired', 'payment_request.condition_raised', 'payment_request.payment_seen', 'payment_request.quote_renewed']) {
      const res = await t.api('GET', `/v1/events?type=${type}`);
      expect(res.status, `${type}: ${JSON.stringify(res.body)}`).toBe(200);
    }
    const unknown = await t.api('GET', '/v1/events?type=refund.paid');
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ code: 'parameter_invalid', param: 'type' });
  });
});

describe('long-poll', () => {
  it('answers as soon as the status changes', async () => {
    const { body: pr } = await create();
    const started = Date.now();
    const waiting = t.api('GET', `/v1/payment-requests/${pr.id}?waitSeconds=20&unlessStatus=created`);
    await new Promise((r) => setImmediate(r));
    await pay(pr.id);
    const res = await waiting;
    expect(res.body.status).toBe('succeeded');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('answers at once when the status already differs', async () => {
    const { body: pr } = await create();
    const res = await t.api('GET', `/v1/payment-requests/${pr.id}?waitSeconds=30&unlessStatus=pending`);
    expect(res.body.status).toBe('created');
  });

  it('answers unchanged after waitSeconds', async () => {
    const { body: pr } = await create();
    const res = await t.api('GET', `/v1/payment-requests/${pr.id}?waitSeconds=1`);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('created');
  });
});

describe('tenancy', () => {
  it('test and live keys see separate worlds; another terminal sees 404', async () => {
    const { body: pr } = await create();
    const live = await t.api('POST', `/admin/v1/merchants/${t.gateway.demo.merchantId}/keys`, { key: 'adm_test_token_0123456789abcdef', body: { mode: 'live' } });
    expect(live.body.secretKey).toMatch(/^sk_live_/);
    const seen = await t.api('GET', `/v1/payment-requests/${pr.id}`, { key: live.body.secretKey });
    expect([seen.status, seen.body.code]).toEqual([404, 'not_found']);
    const other = await t.api('POST', '/admin/v1/merchants', { key: 'adm_test_token_0123456789abcdef', body: { name: 'Other' } });
    const otherKey = await t.api('POST', `/admin/v1/merchants/${other.body.id}/keys`, { key: 'adm_test_token_0123456789abcdef', body: { mode: 'test' } });
    expect((await t.api('GET', `/v1/payment-requests/${pr.id}`, { key: otherKey.body.secretKey })).status).toBe(404);
    expect((await t.api('POST', `/v1/payment-requests/${pr.id}/cancel`, { key: otherKey.body.secretKey })).status).toBe(404);
    expect((await t.api('GET', '/v1/payment-requests', { key: otherKey.body.secretKey })).body.data).toEqual([]);
  });
});
