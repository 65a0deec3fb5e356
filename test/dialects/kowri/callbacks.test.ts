// Kowri callbacks and redirects, received by a real local receiver: the seed's payload POSTed to the
// invoice's metadata webhookUrl, else to endpoints made with format "kowri" (the pre-configured URL);
// FULFILLED when paid, UNFULFILLED_ERROR when a payment fails; retried by the shared worker with a
// delivery log; and the browser's way back to callbackUrl with status, transac_id, cust_ref, pay_token.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { verifySignature } from '../../../src/delivery/signing.js';
import { startGateway, type TestGateway } from '../../harness.js';
import { deliverUntil, startReceiver, type Receiver } from '../../support/receiver.js';
import { createInvoice, decide, demoSet, kowriCall, MTN_WALLET, processPayment } from './client.js';

let t: TestGateway;
const receivers: Receiver[] = [];
beforeAll(async () => {
  t = await startGateway();
});
afterAll(async () => t.close());
afterEach(async () => {
  for (const r of receivers.splice(0)) await r.close();
  for (const e of (await t.api('GET', '/v1/webhook-endpoints')).body.data) await t.api('DELETE', `/v1/webhook-endpoints/${e.id}`);
});

const receiver = async (answer?: Parameters<typeof startReceiver>[0]) => {
  const r = await startReceiver(answer);
  receivers.push(r);
  return r;
};
const about = (r: Receiver, orderId: string) => r.received.filter((x) => x.json?.orderId === orderId);
const deliver = (r: Receiver, orderId: string, count: number) => deliverUntil(() => t.gateway.tick(), () => about(r, orderId), count);
const hooked = (url: string) => [{ key: 'webhookUrl', value: url }];
const momo = (invoiceNum: string, transactionId: string) =>
  processPayment(t, { invoiceNum, provider: 'MTN_MONEY', walletRef: MTN_WALLET, customerName: 'Ama Mensah', customerMobile: '0244123456', transactionId });
const nativeId = async (invoiceNum: string) => (await t.api('POST', '/v1/sandbox/resolve', { body: { ref: invoiceNum } })).body.id as string;

describe('kowri callbacks', () => {
  it('a paid invoice POSTs the seed\'s payload, every field, to its metadata webhookUrl once, signed by posgate; the pre-configured URL is not sent it', async () => {
    const own = await receiver();
    const configured = await receiver();
    expect((await t.api('POST', '/v1/webhook-endpoints', { body: { url: configured.url, format: 'kowri' } })).status).toBe(201);
    const { result: invoice } = (await createInvoice(t, { merchantOrderId: 'cb-1', amount: '5.5', reference: 'ticket 42', metadata: hooked(own.url), callbackUrl: 'https://shop.example/back' })).body;
    await momo(invoice.invoiceNum, 'cb-tx-1');
    await decide(t, 'cb-tx-1', 'approve');
    const [got, ...more] = await deliver(own, 'cb-1', 1);
    expect(more).toEqual([]);
    expect(got!.method).toBe('POST');
    expect(got!.json).toEqual({
      amount: '5.50', currency: 'GHS', transactionId: 'cb-tx-1', serviceCode: demoSet(t).serviceCode, status: 'FULFILLED', success: true,
      receiptNo: expect.stringMatching(/^\d{12}$/), orderId: 'cb-1', comment: 'Payment of GHS5.50 for order cb-1 received',
      callbackUrl: `https://shop.example/back?status=0&transac_id=cb-tx-1&cust_ref=cb-1&pay_token=${invoice.invoiceNum}&transaction_id=cb-tx-1`,
      customerReference: 'ticket 42', paymentChannel: 'MTN Mobile Money', paymentChannelReference: expect.stringMatching(/^\d{10}$/),
      transactionDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/),
      app_id: demoSet(t).appId, payerName: 'Ama Mensah', payerNumber: '0244123456', paymentAccount: MTN_WALLET,
    });
    // when the invoice was paid, on Accra's wall clock (GMT) for a merchant with no time zone
    const events = (await t.api('GET', `/v1/payment-requests/${await nativeId(invoice.invoiceNum)}/events`)).body.data;
    const paidAt = events.find((e: any) => e.type === 'payment_request.succeeded').createdAt as string;
    expect(got!.json.transactionDate).toBe(new Date(paidAt).toISOString().slice(0, 19));
    expect(got!.json.receiptNo).toBe((await kowriCall(t, 'checkPaymentStatus', { transactionId: 'cb-tx-1' })).body.result.receiptNo);
    const headers = got!.headers as Record<string, string>;
    expect(verifySignature({
      id: headers['webhook-id']!, timestamp: headers['webhook-timestamp']!, body: got!.body, signatureHeader: headers['webhook-signature']!,
      secret: t.gateway.demo.native.webhookSecret,
    })).toBe(true);
    await t.gateway.tick();
    expect(about(configured, 'cb-1')).toEqual([]);
    // not even queued for the pre-configured URL, so a redelivery of the payment goes to the invoice's own URL alone
    const paid = events.find((e: any) => e.type === 'payment_request.succeeded');
    const redelivered = await t.api('POST', `/v1/events/${paid.id}/redeliver`, { body: {} });
    expect(redelivered.status).toBe(202);
    expect(redelivered.body.data.map((d: { url: string }) => d.url)).toEqual([own.url]);
  });

  it('without a webhookUrl the endpoint made with format "kowri" is called back: a declined prompt UNFULFILLED_ERROR, then the paid retry FULFILLED', async () => {
    const configured = await receiver();
    await t.api('POST', '/v1/webhook-endpoints', { body: { url: configured.url, format: 'kowri' } });
    const { result: invoice } = (await createInvoice(t, { merchantOrderId: 'cb-2', amount: '12' })).body;
    await momo(invoice.invoiceNum, 'cb-tx-2a');
    await decide(t, 'cb-tx-2a', 'decline');
    const [declined] = await deliver(configured, 'cb-2', 1);
    expect(declined!.json).toMatchObject({
      status: 'UNFULFILLED_ERROR', success: false, transactionId: 'cb-tx-2a', amount: '12.00', receiptNo: null, callbackUrl: null,
      comment: 'The payment was declined by the customer or the payment channel',
    });
    await momo(invoice.invoiceNum, 'cb-tx-2b');
    await decide(t, 'cb-tx-2b', 'approve');
    const got = await deliver(configured, 'cb-2', 2);
    expect(got.map((r) => [r.json.status, r.json.transactionId])).toEqual([['UNFULFILLED_ERROR', 'cb-tx-2a'], ['FULFILLED', 'cb-tx-2b']]);
  });

  it('creating, prompting and cancelling call nothing back', async () => {
    const own = await receiver();
    const { result: invoice } = (await createInvoice(t, { merchantOrderId: 'cb-3', amount: '1', metadata: hooked(own.url) })).body;
    await momo(invoice.invoiceNum, 'cb-tx-3');
    await kowriCall(t, 'cancelInvoice', { invoiceNum: invoice.invoiceNum });
    await deliver(own, 'cb-3', 1);
    expect(own.received).toEqual([]);
    const rows = await t.query<{ status: string }>(`select d.status from deliveries d join events e on e.id = d.event_id where e.payment_request_id = '${await nativeId(invoice.invoiceNum)}'`);
    expect(rows).toEqual([]); // none of its events is one a callback is sent for: nothing is even queued
  });

  it('a receiver that fails is retried with the same payload, and the attempts are in the delivery log', async () => {
    let calls = 0;
    const own = await receiver(() => ({ status: calls++ === 0 ? 503 : 200 }));
    const { result: invoice } = (await createInvoice(t, { merchantOrderId: 'cb-4', amount: '2.25', metadata: hooked(own.url) })).body;
    await momo(invoice.invoiceNum, 'cb-tx-4');
    await decide(t, 'cb-tx-4', 'approve');
    await deliver(own, 'cb-4', 1);
    for (let i = 0; i < 10 && about(own, 'cb-4').length < 2; i += 1) {
      await t.api('POST', '/v1/sandbox/clock/advance', { body: { seconds: 3600 } });
      await t.gateway.tick();
    }
    const got = about(own, 'cb-4');
    expect(got).toHaveLength(2);
    expect(got[1]!.json).toEqual(got[0]!.json);
    const events = (await t.api('GET', `/v1/payment-requests/${await nativeId(invoice.invoiceNum)}/events`)).body.data;
    const succeeded = events.find((e: any) => e.type === 'payment_request.succeeded');
    const log = (await t.api('GET', `/v1/events/${succeeded.id}/deliveries`)).body.data;
    expect(log.map((a: any) => a.statusCode)).toEqual([503, 200]);
  });
});

describe('the redirect back to callbackUrl', () => {
  const follow = async (invoiceNum: string) => {
    const request = (await t.api('GET', `/v1/payment-requests/${await nativeId(invoiceNum)}`)).body;
    return fetch(request.redirectUrl as string, { redirect: 'follow' });
  };

  it('a paid invoice sends the patron back with status=0, transac_id, cust_ref and pay_token; a cancelled one with status=-2', async () => {
    const back = await receiver();
    const { result: invoice } = (await createInvoice(t, { merchantOrderId: 'rd-1', amount: '3', callbackUrl: back.url })).body;
    const { result: card } = (await processPayment(t, { invoiceNum: invoice.invoiceNum, provider: 'CARD', transactionId: 'rd-tx-1' })).body;
    const id = await nativeId(invoice.invoiceNum);
    await t.api('POST', `/pay/${id}/decision`, { key: null, body: { outcome: 'approve' } });
    // the pay page links back through posgate's return link once paid
    const state = (await t.api('GET', `/pay/${id}/state`, { key: null })).body;
    expect(state.redirectUrl).toMatch(new RegExp(`^${t.url}/kowri/webpos/return/[A-Za-z0-9]+$`));
    expect((await follow(invoice.invoiceNum)).status).toBe(200);
    expect(card.redirectUrl).toContain(`pay_token=${invoice.invoiceNum}`);
    expect(back.received.map((r) => [r.method, r.path])).toEqual([['GET', `/hook?status=0&transac_id=rd-tx-1&cust_ref=rd-1&pay_token=${invoice.invoiceNum}&transaction_id=rd-tx-1`]]);

    const { result: other } = (await createInvoice(t, { merchantOrderId: 'rd-2', amount: '3', callbackUrl: `${back.url}?shop=7` })).body;
    await kowriCall(t, 'cancelInvoice', { merchantOrderId: 'rd-2' });
    await follow(other.invoiceNum);
    expect(back.received[1]!.path).toBe(`/hook?shop=7&status=-2&cust_ref=rd-2&pay_token=${other.invoiceNum}`);
  });

  it("the seed's Callback Response table names the paid transaction transaction_id: a paid redirect carries it beside transac_id", async () => {
    const back = await receiver();
    const { result: invoice } = (await createInvoice(t, { merchantOrderId: 'rd-4', amount: '3', callbackUrl: back.url })).body;
    await processPayment(t, { invoiceNum: invoice.invoiceNum, provider: 'CARD', transactionId: 'rd-tx-4' });
    await t.api('POST', `/pay/${await nativeId(invoice.invoiceNum)}/decision`, { key: null, body: { outcome: 'approve' } });
    await follow(invoice.invoiceNum);
    const query = new URL(back.received[0]!.path, 'http://x').searchParams;
    expect(Object.fromEntries(query)).toEqual({ status: '0', transac_id: 'rd-tx-4', transaction_id: 'rd-tx-4', cust_ref: 'rd-4', pay_token: invoice.invoiceNum });
    // the invoice's callbackUrl and the payment's say the same
    const paid = (await kowriCall(t, 'getInvoiceSummary', { invoiceNum: invoice.invoiceNum })).body.result.callbackUrl as string;
    expect(new URL(paid).searchParams.get('transaction_id')).toBe('rd-tx-4');
    expect((await kowriCall(t, 'checkPaymentStatus', { transactionId: 'rd-tx-4' })).body.result.callbackUrl).toBe(paid);
  });

  it('a payment that failed sends the patron back with status=-1; an unknown return link is NOT_FOUND', async () => {
    const back = await receiver();
    const { result: invoice } = (await createInvoice(t, { merchantOrderId: 'rd-3', amount: '3', callbackUrl: back.url })).body;
    await processPayment(t, { invoiceNum: invoice.invoiceNum, provider: 'CARD', transactionId: 'rd-tx-3' });
    await t.api('POST', `/pay/${await nativeId(invoice.invoiceNum)}/decision`, { key: null, body: { outcome: 'decline' } });
    await follow(invoice.invoiceNum);
    expect(back.received.map((r) => r.path)).toEqual([`/hook?status=-1&cust_ref=rd-3&pay_token=${invoice.invoiceNum}`]);
    const unknown = await fetch(`${t.url}/kowri/webpos/return/nosuchtoken`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ success: false, statusCode: 'NOT_FOUND' });
  });
});
