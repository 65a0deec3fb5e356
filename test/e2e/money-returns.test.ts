// Money a patron paid always goes back when the request does not end paid.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBody, startGateway, type TestGateway } from '../harness.js';

let t: TestGateway;
beforeAll(async () => { t = await startGateway(); });
afterAll(async () => t.close());

const create = (extra: Record<string, unknown> = {}) => t.api('POST', '/v1/payment-requests', { body: createBody(t, { allowConcurrent: true, ...extra }) });
const pay = (id: string, body: Record<string, unknown>) => t.api('POST', `/v1/sandbox/payment-requests/${id}/pay`, { body });
const get = async (id: string) => (await t.api('GET', `/v1/payment-requests/${id}`)).body;
const refunds = async (id: string) => (await t.api('GET', `/v1/payment-requests/${id}/refunds?limit=100`)).body.data;

describe('returns', () => {
  it('cancelling a partly paid request refunds what was paid, in the same change', async () => {
    const { body: pr } = await create({ partialAllowed: true });
    await pay(pr.id, { outcome: 'approve', amount: 600 });
    const cancelled = await t.api('POST', `/v1/payment-requests/${pr.id}/cancel`, { body: { reason: 'customer walked away' } });
    expect(cancelled.body).toMatchObject({
      status: 'cancelled', statusReason: 'cancelled_by_merchant', cancellationReason: 'customer walked away',
      amountReceived: 600, amountCaptured: 600, amountRefunded: 600, refundStatus: 'full',
    });
    expect(await refunds(pr.id)).toMatchObject([{ amount: 600, status: 'succeeded', reference: 'posgate:return' }]);
    const types = (await t.api('GET', `/v1/payment-requests/${pr.id}/events`)).body.data.map((e: { type: string }) => e.type);
    expect(types).toEqual(['payment_request.created', 'payment_request.pending', 'payment_request.partially_paid', 'payment_request.cancelled', 'refund.created', 'refund.succeeded']);
  });

  it('expiry of a partly paid request returns the money too', async () => {
    const { body: pr } = await create({ partialAllowed: true, expiresInSeconds: 30 });
    await pay(pr.id, { outcome: 'approve', amount: 250 });
    await t.api('POST', '/v1/sandbox/clock/advance', { body: { seconds: 30 } });
    expect(await get(pr.id)).toMatchObject({ status: 'expired', amountRefunded: 250, refundStatus: 'full' });
  });

  it('void settles the whole captured amount even with a manual refund outstanding', async () => {
    const { body: pr } = await create();
    await pay(pr.id, { outcome: 'approve' });
    const manual = await t.api('POST', `/v1/payment-requests/${pr.id}/refunds`, { body: { amount: 500, reference: 'm1', captureMode: 'manual' } });
    expect(manual.body.status).toBe('requires_capture');
    const voided = await t.api('POST', `/v1/payment-requests/${pr.id}/void`);
    expect(voided.body).toMatchObject({ status: 'cancelled', statusReason: 'voided', amountRefunded: 1500, refundStatus: 'full' });
    expect((await t.api('GET', `/v1/refunds/${manual.body.id}`)).body.status).toBe('cancelled');
    const late = await t.api('POST', `/v1/refunds/${manual.body.id}/cancel`);
    expect(late.status).toBe(409);
    expect((await get(pr.id)).amountRefunded).toBe(1500);
  });

  it('void settles the whole captured amount when manual refunds awaiting capture hold all of it', async () => {
    const { body: pr } = await create();
    await pay(pr.id, { outcome: 'approve' });
    const held = [];
    for (const [amount, reference] of [[1000, 'h1'], [500, 'h2']] as const) {
      const manual = await t.api('POST', `/v1/payment-requests/${pr.id}/refunds`, { body: { amount, reference, captureMode: 'manual' } });
      expect(manual.body.status).toBe('requires_capture');
      held.push(manual.body.id);
    }
    const voided = await t.api('POST', `/v1/payment-requests/${pr.id}/void`);
    expect(voided.body).toMatchObject({ status: 'cancelled', statusReason: 'voided', amountRefunded: 1500, refundStatus: 'full' });
    expect((await refunds(pr.id)).map((r: any) => [r.reference, r.amount, r.status])).toEqual([['h1', 1000, 'cancelled'], ['h2', 500, 'cancelled'], ['posgate:return', 1500, 'succeeded']]);
    // nothing awaits capture any more: a late capture cannot send a second refund
    expect((await t.api('POST', `/v1/refunds/${held[0]}/capture`)).status).toBe(409);
    expect((await get(pr.id)).amountRefunded).toBe(1500);
  });

  it('a return the channel fails after the end (a crypto refund) leaves the money refundable: the request never ends owing the patron for good', async () => {
    const { body: pr } = await create();
    await pay(pr.id, { outcome: 'approve', method: 'crypto' });
    const voided = await t.api('POST', `/v1/payment-requests/${pr.id}/void`);
    expect(voided.body).toMatchObject({ status: 'cancelled', statusReason: 'voided', amountCaptured: 1500, amountRefunded: 0 });
    const [returned] = await refunds(pr.id);
    expect(returned).toMatchObject({ amount: 1500, status: 'pending', reference: 'posgate:return' });
    // while the return is pending, the money is spoken for
    const early = await t.api('POST', `/v1/payment-requests/${pr.id}/refunds`, { body: { amount: 1500, reference: 'again' } });
    expect([early.status, early.body.code]).toEqual([409, 'invalid_state']);
    expect((await t.api('POST', `/v1/sandbox/refunds/${returned.id}/outcome`, { body: { outcome: 'failed' } })).status).toBe(200);
    expect(await get(pr.id)).toMatchObject({ status: 'cancelled', amountCaptured: 1500, amountRefunded: 0 });
    // the merchant pays it back: no more than it holds, then all of it
    const over = await t.api('POST', `/v1/payment-requests/${pr.id}/refunds`, { body: { amount: 1501, reference: 'again' } });
    expect([over.status, over.body.code]).toEqual([400, 'amount_exceeds_refundable']);
    const again = await t.api('POST', `/v1/payment-requests/${pr.id}/refunds`, { body: { amount: 1500, reference: 'again' } });
    expect(again.status, JSON.stringify(again.body)).toBe(201);
    expect((await t.api('POST', `/v1/sandbox/refunds/${again.body.id}/outcome`, { body: { outcome: 'succeeded' } })).status).toBe(200);
    expect(await get(pr.id)).toMatchObject({ status: 'cancelled', statusReason: 'voided', amountRefunded: 1500, refundStatus: 'full' });
    const done = await t.api('POST', `/v1/payment-requests/${pr.id}/refunds`, { body: { amount: 1, reference: 'more' } });
    expect([done.status, done.body.code]).toEqual([409, 'invalid_state']);
  });

  it("merchants cannot take posgate's own refund references, so void always works", async () => {
    const { body: pr } = await create();
    await pay(pr.id, { outcome: 'approve' });
    const taken = await t.api('POST', `/v1/payment-requests/${pr.id}/refunds`, { body: { amount: 100, reference: 'posgate:return' } });
    expect([taken.status, taken.body.code, taken.body.param]).toEqual([400, 'parameter_invalid', 'reference']);
    await t.api('POST', `/v1/payment-requests/${pr.id}/refunds`, { body: { amount: 100, reference: `void_${pr.id}` } });
    const voided = await t.api('POST', `/v1/payment-requests/${pr.id}/void`);
    expect(voided.body).toMatchObject({ status: 'cancelled', amountRefunded: 1500 });
  });
});
