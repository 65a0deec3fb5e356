// CLIQ postbacks, received by a real local receiver: the spec's fields POSTed to postback_url (and
// to endpoints with format "cliq") by the shared outbox and worker, with a hash the receiver checks;
// delivered only when the receiver answers {"status":"ok"}, else retried, at most 10 attempts, all
// in the delivery log; a renewed quote's price update to pos_price_update_postback_url.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../../harness.js';
import { deliverUntil, startReceiver, type Receiver } from '../../support/receiver.js';
import { advance, createPayment, demoSet, getPayment, getUpdate, md5, refund, sandboxConfirm, sandboxPay, sandboxRefund } from './client.js';

let t: TestGateway;
let receiver: Receiver | undefined;
beforeAll(async () => { t = await startGateway(); });
afterAll(async () => t.close());
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
  for (const e of (await t.api('GET', '/v1/webhook-endpoints')).body.data) await t.api('DELETE', `/v1/webhook-endpoints/${e.id}`);
});

const OK = { status: 200, body: '{"status":"ok"}' };
const about = (r: Receiver, reference: string) => r.received.filter((x) => x.json?.reference === reference);
const deliver = (r: Receiver, reference: string, count: number) => deliverUntil(() => t.gateway.tick(), () => about(r, reference), count);
/** Runs due deliveries, moving the test clock past each retry, until `count` arrived (or 30 rounds). */
async function deliverWithRetries(r: Receiver, reference: string, count: number): Promise<void> {
  for (let i = 0; i < 30 && about(r, reference).length < count; i += 1) {
    await t.gateway.tick();
    await advance(t, 25 * 3600);
  }
  await t.gateway.tick();
}
const attemptsOf = async (paymentId: string, type: string) => {
  const events = (await t.api('GET', `/v1/payment-requests/${paymentId}/events`)).body.data as Array<{ id: string; type: string }>;
  const event = events.find((e) => e.type === type)!;
  return (await t.api('GET', `/v1/events/${event.id}/deliveries`)).body.data as Array<{ statusCode: number | null; error: string | null; url: string }>;
};

describe('cliq postbacks', () => {
  it('a paid payment is posted to postback_url with the spec\'s fields and a hash the receiver can check', async () => {
    receiver = await startReceiver(() => OK);
    const created = (await createPayment(t, { amount: '20.00', reference: 'pb-1', postback_url: receiver.url })).body;
    await sandboxPay(t, created.payment_code, '2000');
    const [got, ...more] = await deliver(receiver, 'pb-1', 1);
    expect(more).toEqual([]);
    expect(got!.json).toMatchObject({
      type: 'payment', status: 'paid', reference: 'pb-1', paymentId: created.paymentId, payment_code: created.payment_code, payment_amount: '0.00039304',
      received_amount: '0.00039304', payment_missing_amount: '0.00000000', payment_amount_asset: 'BTC', exchange_rate: '50885.41', asset: 'USD', amount: '20.00',
    });
    const { apiSecret } = demoSet(t);
    const body = got!.json;
    expect(body.hash).toBe(md5(body.payment_code, body.status, body.payment_amount, body.received_amount, apiSecret));
    await t.gateway.tick();
    expect(about(receiver, 'pb-1')).toHaveLength(1); // acknowledged: not sent again
  });

  it('an answer other than {"status":"ok"} is retried (errors first), each attempt in the delivery log', async () => {
    const answers = [{ status: 500, body: 'oops' }, { status: 200, body: 'thanks' }, { status: 200, body: '{"status":"nok"}' }, OK];
    receiver = await startReceiver((index) => answers[Math.min(index, answers.length - 1)]!);
    const created = (await createPayment(t, { amount: '9.00', reference: 'pb-2', postback_url: receiver.url })).body;
    await sandboxPay(t, created.payment_code, '900');
    await deliverWithRetries(receiver, 'pb-2', 4);
    await deliverWithRetries(receiver, 'pb-2', 5); // nothing more once acknowledged
    const got = about(receiver, 'pb-2');
    expect(got).toHaveLength(4);
    expect(new Set(got.map((r) => r.body)).size).toBe(1);
    const attempts = await attemptsOf(created.paymentId, 'payment_request.succeeded');
    expect(attempts.map((a) => a.statusCode)).toEqual([500, 200, 200, 200]);
    expect(attempts.map((a) => a.error === null)).toEqual([true, false, false, true]);
    expect(attempts[1]!.error).toMatch(/did not acknowledge/);
  });

  it('a receiver that never answers ok gets at most 10 attempts', async () => {
    receiver = await startReceiver(() => ({ status: 200, body: '{"status":"received"}' }));
    const created = (await createPayment(t, { amount: '4.00', reference: 'pb-3', postback_url: receiver.url })).body;
    await sandboxPay(t, created.payment_code, '400');
    await deliverWithRetries(receiver, 'pb-3', 11);
    expect(about(receiver, 'pb-3')).toHaveLength(10);
    expect(await attemptsOf(created.paymentId, 'payment_request.succeeded')).toHaveLength(10);
  });

  it('underpaid, then paid; refunds asked and completed; each a postback with its status', async () => {
    receiver = await startReceiver(() => OK);
    const created = (await createPayment(t, { amount: '10.00', reference: 'pb-4', postback_url: receiver.url })).body;
    await sandboxPay(t, created.payment_code, '400');
    await deliver(receiver, 'pb-4', 1);
    await sandboxPay(t, created.payment_code, '600');
    await deliver(receiver, 'pb-4', 2);
    const asked = (await refund(t, { payment_code: created.payment_code, refund_type: 'partial', amount: '3.00' })).body.refund;
    await deliver(receiver, 'pb-4', 3);
    await sandboxRefund(t, asked.refund_id, 'completed');
    const got = await deliver(receiver, 'pb-4', 4);
    expect(got.map((r) => [r.json.type, r.json.status, r.json.refund?.status ?? null])).toEqual([
      ['payment', 'underpaid', null], ['payment', 'paid', null], ['refund', 'paid', 'pending'], ['refund', 'partially_refunded', 'completed'],
    ]);
    expect(got[0]!.json).toMatchObject({ payment_missing_amount: '0.00011792', received_asset_amount: '4.00' });
    expect(got[2]!.json.refund).toMatchObject({ refund_id: asked.refund_id, refund_type: 'partial', amount: '3.00' });
  });

  it('a refund awaiting its capture (made through the native API) is posted pending, not failed; what its capture ends in follows', async () => {
    receiver = await startReceiver(() => OK);
    const created = (await createPayment(t, { amount: '10.00', reference: 'pb-manual', postback_url: receiver.url })).body;
    await sandboxPay(t, created.payment_code, '1000');
    await deliver(receiver, 'pb-manual', 1);
    const made = (await t.api('POST', `/v1/payment-requests/${created.paymentId}/refunds`, { body: { amount: 300, reference: 'back-1', captureMode: 'manual' } })).body;
    expect(made.status).toBe('requires_capture');
    await deliver(receiver, 'pb-manual', 2);
    // captured: the crypto channel answers pending (no postback of its own), then settles it
    expect((await t.api('POST', `/v1/refunds/${made.id}/capture`)).body.status).toBe('pending');
    await sandboxRefund(t, made.id, 'completed');
    const got = await deliver(receiver, 'pb-manual', 3);
    expect(got.map((r) => [r.json.type, r.json.refund?.status ?? null])).toEqual([['payment', null], ['refund', 'pending'], ['refund', 'completed']]);
    expect((await getPayment(t, { reference: 'pb-manual' }, '10.00')).body.payment.refunds.map((r: { status: string }) => r.status)).toEqual(['completed']);
  });

  it('a refund awaiting its capture that a void cancels, or that expires uncaptured, is posted failed: the POS is not left waiting for it', async () => {
    receiver = await startReceiver(() => OK);
    const voided = (await createPayment(t, { amount: '10.00', reference: 'pb-void', postback_url: receiver.url })).body;
    const lapsed = (await createPayment(t, { amount: '10.00', reference: 'pb-lapse', postback_url: receiver.url })).body;
    await sandboxPay(t, voided.payment_code, '1000');
    await sandboxPay(t, lapsed.payment_code, '1000');
    const held = (await t.api('POST', `/v1/payment-requests/${voided.paymentId}/refunds`, { body: { amount: 400, reference: 'held', captureMode: 'manual' } })).body;
    const uncaptured = (await t.api('POST', `/v1/payment-requests/${lapsed.paymentId}/refunds`, { body: { amount: 200, reference: 'lapses', captureMode: 'manual' } })).body;
    expect((await t.api('POST', `/v1/payment-requests/${voided.paymentId}/void`, { body: {} })).body.status).toBe('cancelled');
    await advance(t, 25 * 3600);
    await t.gateway.tick();
    const ofRefund = (reference: string, id: string) => about(receiver!, reference).filter((r) => r.json.refund?.refund_id === id).map((r) => r.json.refund.status);
    await deliverUntil(() => t.gateway.tick(), () => [...about(receiver!, 'pb-void'), ...about(receiver!, 'pb-lapse')], 7);
    expect(ofRefund('pb-void', held.id)).toEqual(['pending', 'failed']);
    expect(ofRefund('pb-lapse', uncaptured.id)).toEqual(['pending', 'failed']);
    const { apiSecret } = demoSet(t);
    for (const r of [...about(receiver, 'pb-void'), ...about(receiver, 'pb-lapse')]) expect(r.json.hash).toBe(md5(r.json.payment_code, r.json.status, r.json.payment_amount, r.json.received_amount, apiSecret));
  });

  it('a transaction seen but not confirmed is posted as an unconfirmed update, then the payment as paid', async () => {
    receiver = await startReceiver(() => OK);
    const created = (await createPayment(t, { amount: '6.00', reference: 'pb-seen', postback_url: receiver.url })).body;
    await sandboxPay(t, created.payment_code, '600', { txid: 'tx-seen', confirmed: 'false' });
    await deliver(receiver, 'pb-seen', 1);
    await sandboxConfirm(t, created.payment_code, 'tx-seen');
    const got = await deliver(receiver, 'pb-seen', 2);
    expect(got.map((r) => [r.json.type, r.json.status, r.json.received_amount])).toEqual([['unconfirmed_update', 'unconfirmed', '0.00000000'], ['payment', 'paid', '0.00011792']]);
  });

  it('an endpoint made with format "cliq" receives the postbacks of the merchant\'s CLIQ payments', async () => {
    receiver = await startReceiver(() => OK);
    const endpoint = await t.api('POST', '/v1/webhook-endpoints', { body: { url: receiver.url, format: 'cliq' } });
    expect(endpoint.status, JSON.stringify(endpoint.body)).toBe(201);
    const created = (await createPayment(t, { amount: '3.00', reference: 'pb-5' })).body;
    await sandboxPay(t, created.payment_code, '300');
    const got = await deliver(receiver, 'pb-5', 1);
    expect(got.map((r) => r.json.status)).toEqual(['paid']);
  });

  it('a quote renewed after it expired sends a price update to pos_price_update_postback_url', async () => {
    receiver = await startReceiver(() => OK);
    const prices = await startReceiver(() => OK);
    try {
      const created = (await createPayment(t, { amount: '20.00', reference: 'pb-6', postback_url: receiver.url, pos_price_update_postback_url: prices.url })).body;
      await getUpdate(t, { reference: 'pb-6' }, '20.00'); // still current: no update
      await advance(t, 15 * 60);
      const renewed = (await getUpdate(t, { reference: 'pb-6' }, '20.00')).body.payment;
      const got = await deliverUntil(() => t.gateway.tick(), () => about(prices, 'pb-6'), 1);
      expect(got.map((r) => r.json)).toEqual([expect.objectContaining({
        type: 'price_update', status: 'pending', payment_code: created.payment_code, payment_address: renewed.payment_address, payment_payreq: renewed.payment_payreq,
        expires_at: renewed.expires_at, exchange_rate: renewed.exchange_rate,
      })]);
      const { apiSecret } = demoSet(t);
      const body = got[0]!.json;
      expect(body.hash).toBe(md5(body.payment_code, body.status, body.payment_amount, body.received_amount, apiSecret));
      expect(about(receiver, 'pb-6')).toEqual([]); // the state postbacks' URL hears nothing of it
    } finally {
      await prices.close();
    }
  });

  it('a price update redelivered goes to pos_price_update_postback_url again, and to no endpoint nor the postback_url', async () => {
    receiver = await startReceiver(() => OK);
    const prices = await startReceiver(() => OK);
    const endpoints = await startReceiver(() => OK);
    try {
      // endpoints that take every event type: a notice is for its own URL alone (core PAYMENT_REQUEST_NOTICE_TYPES)
      expect((await t.api('POST', '/v1/webhook-endpoints', { body: { url: endpoints.url } })).status).toBe(201);
      expect((await t.api('POST', '/v1/webhook-endpoints', { body: { url: endpoints.url, format: 'cliq' } })).status).toBe(201);
      const created = (await createPayment(t, { amount: '20.00', reference: 'pb-6r', postback_url: receiver.url, pos_price_update_postback_url: prices.url })).body;
      await advance(t, 15 * 60);
      await getUpdate(t, { reference: 'pb-6r' }, '20.00');
      await deliverUntil(() => t.gateway.tick(), () => about(prices, 'pb-6r'), 1);
      const events = (await t.api('GET', `/v1/payment-requests/${created.paymentId}/events`)).body.data as Array<{ id: string; type: string }>;
      const notice = events.find((e) => e.type === 'payment_request.quote_renewed')!;
      const redelivered = await t.api('POST', `/v1/events/${notice.id}/redeliver`);
      expect(redelivered.status).toBe(202);
      expect(redelivered.body.data.map((d: { url: string; endpointId: string | null }) => [d.url, d.endpointId])).toEqual([[prices.url, null]]);
      const got = await deliverUntil(() => t.gateway.tick(), () => about(prices, 'pb-6r'), 2);
      expect(got.map((r) => r.json.type)).toEqual(['price_update', 'price_update']);
      for (let i = 0; i < 3; i += 1) await t.gateway.tick();
      expect(about(receiver, 'pb-6r').map((r) => r.json.type)).not.toContain('price_update');
      expect(endpoints.received.filter((r) => r.json?.type === 'price_update' || r.json?.type === 'payment_request.quote_renewed')).toEqual([]);
    } finally {
      await prices.close();
      await endpoints.close();
    }
  });

  it('a quote that runs out is renewed without any call: one price update at each expiry, on the test clock', async () => {
    receiver = await startReceiver(() => OK);
    const prices = await startReceiver(() => OK);
    try {
      const created = (await createPayment(t, { amount: '20.00', reference: 'pb-7', postback_url: receiver.url, pos_price_update_postback_url: prices.url })).body;
      const { apiSecret } = demoSet(t);
      const quoted = (await getPayment(t, { reference: 'pb-7' }, '20.00')).body.payment;
      expect(quoted.expires_at).toBe(created.expires_at);
      // not yet run out: nothing
      await advance(t, 14 * 60);
      for (let i = 0; i < 3; i += 1) await t.gateway.tick();
      expect(about(prices, 'pb-7')).toEqual([]);

      // past expires_at: the next run of the background work renews it and posts the price update, once
      await advance(t, 60);
      const got = await deliverUntil(() => t.gateway.tick(), () => about(prices, 'pb-7'), 1);
      for (let i = 0; i < 3; i += 1) await t.gateway.tick();
      expect(about(prices, 'pb-7')).toHaveLength(1);
      const update = got[0]!.json;
      expect(update).toMatchObject({ type: 'price_update', status: 'pending', reference: 'pb-7', payment_code: created.payment_code });
      expect(update.expires_at).toBeGreaterThan(created.expires_at);
      expect(update.hash).toBe(md5(update.payment_code, update.status, update.payment_amount, update.received_amount, apiSecret));
      // the renewed quote is the payment's: payment/get shows it, and getupdate answers it without renewing again
      const now = (await getPayment(t, { reference: 'pb-7' }, '20.00')).body.payment;
      expect(now).toMatchObject({ expires_at: update.expires_at, payment_address: update.payment_address, payment_payreq: update.payment_payreq });
      expect((await getUpdate(t, { reference: 'pb-7' }, '20.00')).body.payment.expires_at).toBe(update.expires_at);
      for (let i = 0; i < 3; i += 1) await t.gateway.tick();
      expect(about(prices, 'pb-7')).toHaveLength(1);
      expect(about(receiver, 'pb-7')).toEqual([]); // the state postbacks' URL hears nothing of it

      // the next expiry: one more, with a later expires_at
      await advance(t, 15 * 60);
      await deliverUntil(() => t.gateway.tick(), () => about(prices, 'pb-7'), 2);
      for (let i = 0; i < 3; i += 1) await t.gateway.tick();
      const updates = about(prices, 'pb-7').map((r) => r.json);
      expect(updates).toHaveLength(2);
      expect(updates[1].expires_at).toBeGreaterThan(update.expires_at);
      expect(updates[1].hash).toBe(md5(updates[1].payment_code, updates[1].status, updates[1].payment_amount, updates[1].received_amount, apiSecret));

      // paid: its quote is no longer renewed
      await sandboxPay(t, created.payment_code, '2000');
      await advance(t, 16 * 60);
      for (let i = 0; i < 3; i += 1) await t.gateway.tick();
      expect(about(prices, 'pb-7')).toHaveLength(2);
    } finally {
      await prices.close();
    }
  });
});
