// The use cases that take a POS's whole intent (a refund with its currency and line items, a cancel
// that may repeat, a void of whatever the sale is, a list as of now): the rules a dialect no longer
// repeats, checked at the app, where every API surface meets them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../../src/app/context.js';
import { inTransaction, type Work } from '../../src/app/unit-of-work.js';
import { cancelRequest, captureRequest, voidSale } from '../../src/app/use-cases/pos-intents.js';
import { authenticate } from '../../src/app/use-cases/merchants.js';
import { confirmPaymentRequest, listCurrentPaymentRequests, listPaymentRequests } from '../../src/app/use-cases/payment-requests.js';
import { cancelRefund, captureRefund, createRefund } from '../../src/app/use-cases/refunds.js';
import type { ErrorCode } from '../../src/core/errors.js';
import { createBody, startGateway, type TestGateway } from '../harness.js';

let t: TestGateway;
let caller: Caller;
beforeAll(async () => {
  t = await startGateway();
  caller = await authenticate(t.gateway.app, t.secretKey, 'native');
});
afterAll(async () => t.close());

const run = <T>(work: (unit: Work) => Promise<T>) => inTransaction(t.gateway.app, work);
const create = async (extra: Record<string, unknown> = {}) => (await t.api('POST', '/v1/payment-requests', { body: createBody(t, { allowConcurrent: true, ...extra }) })).body;
const pay = (id: string, body: Record<string, unknown> = { outcome: 'approve' }) => t.api('POST', `/v1/sandbox/payment-requests/${id}/pay`, { body });
const read = async (id: string) => (await t.api('GET', `/v1/payment-requests/${id}`)).body;
const refundsOf = async (id: string) => (await t.api('GET', `/v1/payment-requests/${id}/refunds?limit=100`)).body.data;
const paid = async (extra: Record<string, unknown> = {}) => {
  const pr = await create(extra);
  expect((await pay(pr.id)).status).toBe(200);
  return pr;
};

async function refused(work: Promise<unknown>, code: ErrorCode, facts: Record<string, unknown> = {}) {
  await expect(work).rejects.toMatchObject({ code, facts: expect.objectContaining(facts) });
}

describe('a refund with its currency and line items', () => {
  it('in another currency than the request\'s is currency_mismatch and changes nothing', async () => {
    const pr = await paid();
    const before = await read(pr.id);
    await refused(run((unit) => createRefund(unit, caller, pr.id, { amount: 500, currency: 'AUD', reference: 'r-aud' })), 'currency_mismatch', { expected: 'NZD' });
    expect(await read(pr.id)).toEqual(before);
    expect(await refundsOf(pr.id)).toEqual([]);
  });

  it('whose line items do not add up to the amount is line_items_mismatch, checked before anything is read', async () => {
    const pr = await paid();
    const lines = [{ name: 'A', quantity: 1, unitAmount: 300 }, { name: 'B', quantity: 2, unitAmount: 50 }]; // 400
    await refused(run((unit) => createRefund(unit, caller, pr.id, { amount: 500, lineItems: lines, reference: 'r-lines' })), 'line_items_mismatch');
    await refused(run((unit) => createRefund(unit, caller, 'pr_unknown', { amount: 500, lineItems: lines, reference: 'r-lines' })), 'line_items_mismatch');
    expect(await refundsOf(pr.id)).toEqual([]);
    const { refund } = await run((unit) => createRefund(unit, caller, pr.id, { amount: 400, currency: 'NZD', lineItems: lines, reference: 'r-lines' }));
    expect(refund).toMatchObject({ amount: 400, status: 'succeeded' });
  });

  it('an amount read in the refund\'s currency gets the request\'s when none is named, and its line items are checked once it is known', async () => {
    const pr = await paid();
    const seen: string[] = [];
    const amount = (currency: string) => { seen.push(currency); return 250; };
    await refused(run((unit) => createRefund(unit, caller, pr.id, { amount, lineItems: [{ name: 'A', quantity: 1, unitAmount: 200 }], reference: 'r-fn' })), 'line_items_mismatch');
    const { refund } = await run((unit) => createRefund(unit, caller, pr.id, { amount, reference: 'r-fn' }));
    expect(refund.amount).toBe(250);
    // a unit of work may run again (a money movement is applied in a second run): each run reads it in NZD
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(new Set(seen)).toEqual(new Set(['NZD']));
  });
});

describe('a cancel that may repeat', () => {
  it('without `again`, cancelling a cancelled request is refused', async () => {
    const pr = await create();
    await run((unit) => cancelRequest(unit, caller, pr.id));
    await refused(run((unit) => cancelRequest(unit, caller, pr.id)), 'invalid_state', { status: 'cancelled' });
  });

  it('`by_merchant` answers a request the merchant cancelled unchanged, but not one the patron cancelled', async () => {
    const byMerchant = await create();
    const first = await run((unit) => cancelRequest(unit, caller, byMerchant.id, { reason: 'wrong amount' }));
    const again = await run((unit) => cancelRequest(unit, caller, byMerchant.id, { again: 'by_merchant', reason: 'other words' }));
    expect(again).toEqual(first);
    expect(again).toMatchObject({ statusReason: 'cancelled_by_merchant', cancellationReason: 'wrong amount' });

    const byPatron = await create();
    await pay(byPatron.id, { outcome: 'cancel' });
    await refused(run((unit) => cancelRequest(unit, caller, byPatron.id, { again: 'by_merchant' })), 'invalid_state', { status: 'cancelled' });
  });

  it('`any` answers a cancelled request unchanged whoever cancelled it; a paid one is still already_succeeded', async () => {
    const byPatron = await create();
    await pay(byPatron.id, { outcome: 'cancel' });
    const before = await t.gateway.app.db.read.getPaymentRequest(byPatron.id);
    const again = await run((unit) => cancelRequest(unit, caller, byPatron.id, { again: 'any' }));
    expect(again).toEqual(before);
    expect(again).toMatchObject({ status: 'cancelled', statusReason: 'cancelled_by_patron' });
    const done = await paid();
    await refused(run((unit) => cancelRequest(unit, caller, done.id, { again: 'any' })), 'already_succeeded');
  });
});

describe('a capture that may repeat', () => {
  it('`again` answers a succeeded request unchanged for no amount or the amount captured; another amount, or no `again`, is not_authorized', async () => {
    const held = await paid({ captureMode: 'manual' });
    const captured = await run((unit) => captureRequest(unit, caller, held.id, { amount: (currency) => (currency === 'NZD' ? 1000 : 0) }));
    expect(captured).toMatchObject({ status: 'succeeded', amountCaptured: 1000 });
    expect(await run((unit) => captureRequest(unit, caller, held.id, { again: true }))).toEqual(captured);
    expect(await run((unit) => captureRequest(unit, caller, held.id, { amount: 1000, again: true }))).toEqual(captured);
    await refused(run((unit) => captureRequest(unit, caller, held.id, { amount: 500, again: true })), 'not_authorized', { status: 'succeeded' });
    await refused(run((unit) => captureRequest(unit, caller, held.id)), 'not_authorized', { status: 'succeeded' });
  });
});

describe('a refund capture or cancel that may repeat', () => {
  it('`again` answers a refund already captured (or cancelled) unchanged; without it the repeat is refused', async () => {
    const pr = await paid();
    const { refund: first } = await run((unit) => createRefund(unit, caller, pr.id, { amount: 300, reference: 'manual-1', captureMode: 'manual' }));
    const captured = await run((unit) => captureRefund(unit, caller, first.id));
    expect(captured.status).toBe('succeeded');
    expect(await run((unit) => captureRefund(unit, caller, first.id, { again: true }))).toEqual(captured);
    await expect(run((unit) => captureRefund(unit, caller, first.id))).rejects.toMatchObject({ code: 'invalid_state' });

    const { refund: second } = await run((unit) => createRefund(unit, caller, pr.id, { amount: 200, reference: 'manual-2', captureMode: 'manual' }));
    const cancelled = await run((unit) => cancelRefund(unit, caller, second.id));
    expect(await run((unit) => cancelRefund(unit, caller, second.id, { again: true }))).toEqual(cancelled);
    await expect(run((unit) => cancelRefund(unit, caller, second.id))).rejects.toMatchObject({ code: 'invalid_state' });
    // `again` is about the same outcome only: capturing a cancelled refund is still refused
    await expect(run((unit) => captureRefund(unit, caller, second.id, { again: true }))).rejects.toMatchObject({ code: 'invalid_state' });
  });
});

describe('a void of whatever the sale is now', () => {
  it('voids a paid request (all of it goes back) and refuses a second void as already_refunded', async () => {
    const pr = await paid();
    const voided = await run((unit) => voidSale(unit, caller, pr.id));
    expect(voided).toMatchObject({ status: 'cancelled', statusReason: 'voided', amountRefundReserved: 1500 });
    await refused(run((unit) => voidSale(unit, caller, pr.id)), 'already_refunded', { statusReason: 'voided' });
  });

  it('refuses a paid request refunded in full as already_refunded, and changes nothing', async () => {
    const pr = await paid();
    await run((unit) => createRefund(unit, caller, pr.id, { amount: 1500, reference: 'all' }));
    const before = await read(pr.id);
    await refused(run((unit) => voidSale(unit, caller, pr.id)), 'already_refunded', { refundable: 0 });
    expect(await read(pr.id)).toEqual(before);
  });

  it('cancels a request not paid yet, and releases an authorization with nothing confirmed', async () => {
    const fresh = await create();
    expect(await run((unit) => voidSale(unit, caller, fresh.id))).toMatchObject({ status: 'cancelled', statusReason: 'cancelled_by_merchant' });
    const held = await paid({ captureMode: 'manual' });
    expect(await run((unit) => voidSale(unit, caller, held.id))).toMatchObject({ status: 'cancelled', amountCaptured: 0 });
  });

  it('refuses an authorization with confirmations (invalid_state, status authorized): they are refunded instead', async () => {
    const held = await paid({ captureMode: 'manual' });
    await run((unit) => confirmPaymentRequest(unit, caller, held.id, 500));
    await refused(run((unit) => voidSale(unit, caller, held.id)), 'invalid_state', { status: 'authorized' });
    expect(await read(held.id)).toMatchObject({ status: 'authorized', amountCaptured: 500 });
  });
});

describe('a list as of now', () => {
  it('shows an overdue request expired, as a read by id would, and records nothing', async () => {
    const externalRef = `overdue-${Date.now()}`;
    const pr = await create({ expiresInSeconds: 10 });
    await t.gateway.app.db.transaction(async (tx) => {
      const merchant = await tx.getMerchant(caller.merchantId);
      await tx.setTestClockOffset(caller.merchantId, merchant!.testClockOffsetMs + 60_000);
      const row = (await tx.getPaymentRequest(pr.id))!;
      await tx.updatePaymentRequest({ ...row, externalRef, version: row.version + 1 });
    });
    const stored = await listPaymentRequests(t.gateway.app, caller, { externalRef }, { limit: 10 });
    expect(stored.items.map((r) => r.status)).toEqual(['created']);
    const current = await listCurrentPaymentRequests(t.gateway.app, caller, { externalRef }, { limit: 10 });
    expect(current.items.map((r) => [r.id, r.status])).toEqual([[pr.id, 'expired']]);
    expect((await listPaymentRequests(t.gateway.app, caller, { externalRef }, { limit: 10 })).items[0]?.status).toBe('created');
  });
});
