// Paying Kowri invoices, from the seed and specs/dialects.md: processPayment and payNow answer
// PENDING; mobile money's outcome comes later as an inbound channel event (the sandbox wallet
// holder approves or declines the prompt); CARD redirects to posgate's pay page; checkPaymentStatus
// follows a payment by transactionId; a failed payment leaves the invoice OPEN for another try.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../../harness.js';
import { checkStatus, createInvoice, decide, kowriCall, MTN_WALLET, processPayment, secondMerchantSet, summary, writeCounts, type KowriSet } from './client.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startGateway();
});
afterAll(async () => t.close());

const open = async (merchantOrderId: string, amount = '25.00') => (await createInvoice(t, { merchantOrderId, amount })).body.result;
const momo = (invoiceNum: string, transactionId: string, extra: Record<string, unknown> = {}) =>
  processPayment(t, { invoiceNum, provider: 'MTN_MONEY', walletRef: MTN_WALLET, customerName: 'Ama Mensah', customerMobile: '0244123456', transactionId, ...extra });
const nativeOf = async (invoiceNum: string) => {
  const { id } = (await t.api('POST', '/v1/sandbox/resolve', { body: { ref: invoiceNum } })).body;
  return (await t.api('GET', `/v1/payment-requests/${id}`)).body;
};

describe('mobile money: asynchronous', () => {
  it('processPayment answers PENDING (a prompt to the wallet); the holder approves: FULFILLED, the invoice CLOSED', async () => {
    const invoice = await open('pay-momo-1');
    const started = await momo(invoice.invoiceNum, 'tx-momo-1');
    expect(started.status).toBe(200);
    expect(started.body.result).toMatchObject({
      status: 'PENDING', success: false, transactionId: 'tx-momo-1', invoiceNum: invoice.invoiceNum, orderId: 'pay-momo-1', amount: '25.00',
      currency: 'GHS', provider: 'MTN_MONEY', callerAccountNo: MTN_WALLET, callerTransId: 'tx-momo-1', creditDebitFlag: 'D', receiptNo: null,
      walletTransId: expect.stringMatching(/^\d{10}$/), paymentChannel: 'MTN Mobile Money',
    });
    expect((await nativeOf(invoice.invoiceNum))).toMatchObject({ status: 'pending', paymentMethod: 'mobile_money', paymentMethodDetails: expect.objectContaining({ provider: 'MTN', phone: MTN_WALLET }) });
    expect((await checkStatus(t, 'tx-momo-1')).body.result.status).toBe('PENDING');
    expect((await summary(t, { invoiceNum: invoice.invoiceNum })).body.result.status).toBe('OPEN');

    const approved = await decide(t, 'tx-momo-1', 'approve');
    expect(approved.body.result).toMatchObject({ status: 'FULFILLED', success: true, receiptNo: expect.stringMatching(/^\d{12}$/) });
    const status = (await checkStatus(t, 'tx-momo-1')).body.result;
    expect(status).toMatchObject({ amount: '25.00', currency: 'GHS', transactionId: 'tx-momo-1', status: 'FULFILLED', success: true, orderId: 'pay-momo-1' });
    expect((await summary(t, { invoiceNum: invoice.invoiceNum })).body.result.status).toBe('CLOSED');
    expect(await nativeOf(invoice.invoiceNum)).toMatchObject({ status: 'succeeded', amountCaptured: 2500, paymentMethod: 'mobile_money' });

    // a CLOSED invoice takes no payment, and a second decision changes nothing
    const again = await momo(invoice.invoiceNum, 'tx-momo-1b');
    expect(again.body).toMatchObject({ success: false, statusCode: 'INVALID_REQUEST', statusMessage: 'Only OPEN orders can be paid for.' });
    expect((await decide(t, 'tx-momo-1', 'decline')).body).toMatchObject({ success: false, statusCode: 'INVALID_REQUEST' });
    expect((await checkStatus(t, 'tx-momo-1')).body.result.status).toBe('FULFILLED');
  });

  it('the holder declines: the payment FAILED, the invoice stays OPEN and a new payment on it succeeds', async () => {
    const invoice = await open('pay-momo-2', '3.10');
    await momo(invoice.invoiceNum, 'tx-momo-2a');
    const declined = await decide(t, 'tx-momo-2a', 'decline');
    expect(declined.body.result).toMatchObject({ status: 'FAILED', success: false, receiptNo: null });
    expect((await checkStatus(t, 'tx-momo-2a')).body.result).toMatchObject({ status: 'FAILED', success: false });
    expect((await summary(t, { invoiceNum: invoice.invoiceNum })).body.result.status).toBe('OPEN');
    expect(await nativeOf(invoice.invoiceNum)).toMatchObject({ status: 'created', statusReason: 'payment_declined', paymentMethod: null, paymentMethodDetails: null });

    await momo(invoice.invoiceNum, 'tx-momo-2b', { provider: 'VODAFONE_CASH', walletRef: '0201234567' });
    await decide(t, 'tx-momo-2b', 'approve');
    expect((await checkStatus(t, 'tx-momo-2b')).body.result).toMatchObject({ status: 'FULFILLED', provider: 'VODAFONE_CASH', paymentChannel: 'Vodafone Cash' });
    expect((await checkStatus(t, 'tx-momo-2a')).body.result.status).toBe('FAILED');
    expect((await summary(t, { invoiceNum: invoice.invoiceNum })).body.result.status).toBe('CLOSED');
  });

  it('an invoice paid another way after a declined prompt is CLOSED; the declined payment stays FAILED', async () => {
    const invoice = await open('pay-momo-4', '6');
    await momo(invoice.invoiceNum, 'tx-momo-4');
    await decide(t, 'tx-momo-4', 'decline');
    const id = (await nativeOf(invoice.invoiceNum)).id;
    expect((await t.api('POST', `/v1/sandbox/payment-requests/${id}/pay`, { body: { outcome: 'approve', method: 'card' } })).status).toBe(200);
    expect((await summary(t, { invoiceNum: invoice.invoiceNum })).body.result.status).toBe('CLOSED');
    expect((await checkStatus(t, 'tx-momo-4')).body.result).toMatchObject({ status: 'FAILED', success: false });
  });

  it('a newer payment supersedes a PENDING one: the earlier is FAILED and can no longer be approved', async () => {
    const invoice = await open('pay-momo-3');
    await momo(invoice.invoiceNum, 'tx-momo-3a');
    await momo(invoice.invoiceNum, 'tx-momo-3b', { provider: 'AIRTELTIGO_MONEY', walletRef: '0271234567' });
    expect((await checkStatus(t, 'tx-momo-3a')).body.result.status).toBe('FAILED');
    expect((await decide(t, 'tx-momo-3a', 'approve')).body.statusCode).toBe('INVALID_REQUEST');
    expect((await checkStatus(t, 'tx-momo-3b')).body.result.status).toBe('PENDING');
  });

  it('bad payments are refused and change nothing: a walletRef of another network, a reused transactionId, a cancelled invoice', async () => {
    const invoice = await open('pay-bad');
    await momo(invoice.invoiceNum, 'tx-bad-used');
    const before = await writeCounts(t);
    const wrongNetwork = await momo(invoice.invoiceNum, 'tx-bad-1', { walletRef: '0201234567' });
    expect(wrongNetwork.status).toBe(400);
    expect(wrongNetwork.body).toMatchObject({ statusCode: 'INVALID_REQUEST', statusMessage: expect.stringContaining('walletRef') });
    expect((await momo(invoice.invoiceNum, 'tx-bad-2', { walletRef: undefined })).status).toBe(400);
    expect((await momo(invoice.invoiceNum, 'tx-bad-3', { provider: 'PAYPAL' })).status).toBe(400);
    const reused = await momo(invoice.invoiceNum, 'tx-bad-used');
    expect(reused.body).toMatchObject({ success: false, statusCode: 'INVALID_REQUEST', statusMessage: expect.stringContaining('transactionId tx-bad-used is already used') });
    expect(await writeCounts(t)).toEqual(before);
    await kowriCall(t, 'cancelInvoice', { invoiceNum: invoice.invoiceNum });
    expect((await checkStatus(t, 'tx-bad-used')).body.result).toMatchObject({ status: 'FAILED', comment: 'The invoice was cancelled' });
    expect((await momo(invoice.invoiceNum, 'tx-bad-4')).body.statusMessage).toBe('Only OPEN orders can be paid for.');
    expect((await checkStatus(t, 'tx-never-sent')).body).toMatchObject({ success: false, statusCode: 'NOT_FOUND' });
  });
});

describe('one transactionId, one payment', () => {
  it('payments naming the same transactionId on several invoices at once: exactly one is taken, the others are refused and leave their invoices untouched', async () => {
    const orderIds = ['race-1', 'race-2', 'race-3', 'race-4', 'race-5', 'race-6'];
    const invoices = await Promise.all(orderIds.map((id) => open(id)));
    const answers = await Promise.all(invoices.map((invoice) => momo(invoice.invoiceNum, 'tx-race')));
    const taken = answers.filter((a) => a.body.result?.status === 'PENDING');
    expect(taken).toHaveLength(1);
    for (const refused of answers.filter((a) => a !== taken[0]))
      expect(refused.body).toMatchObject({ success: false, statusCode: 'INVALID_REQUEST', statusMessage: expect.stringContaining('transactionId tx-race is already used') });
    const winner = taken[0]!.body.result.invoiceNum;
    expect((await checkStatus(t, 'tx-race')).body.result).toMatchObject({ status: 'PENDING', transactionId: 'tx-race', orderId: orderIds[invoices.findIndex((i) => i.invoiceNum === winner)] });
    for (const invoice of invoices.filter((i) => i.invoiceNum !== winner))
      expect(await nativeOf(invoice.invoiceNum)).toMatchObject({ status: 'created', paymentMethod: null });
  });
});

describe('card: a redirect to the pay page', () => {
  it('processPayment with CARD answers PENDING with a token and a redirectUrl to posgate\'s pay page; the patron pays there', async () => {
    const invoice = await open('pay-card-1', '40');
    const { result } = (await processPayment(t, { invoiceNum: invoice.invoiceNum, provider: 'CARD', walletRef: '', transactionId: 'tx-card-1' })).body;
    const request = await nativeOf(invoice.invoiceNum);
    expect(result).toMatchObject({ status: 'PENDING', token: invoice.invoiceNum, redirectUrl: `${t.url}/pay/${request.id}?pay_token=${invoice.invoiceNum}` });
    const page = await fetch(result.redirectUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('GHS');
    const paid = await t.api('POST', `/pay/${request.id}/decision`, { key: null, body: { outcome: 'approve' } });
    expect(paid.status).toBe(200);
    expect((await checkStatus(t, 'tx-card-1')).body.result).toMatchObject({ status: 'FULFILLED', success: true, paymentChannel: 'Card' });
    expect((await summary(t, { invoiceNum: invoice.invoiceNum })).body.result.status).toBe('CLOSED');
  });

  it('payNow creates and processes in one call (mobile money and card); checkPaymentStatus follows it', async () => {
    const momoNow = await kowriCall(t, 'payNow', { amount: '15.75', currency: 'GHS', reference: 'Lunch', customerName: 'Kofi', customerSegment: 'retail', customerMobile: '0551234567', provider: 'MTN_MONEY', walletRef: '0551234567', transactionId: 'tx-now-1', serviceCode: '225' });
    expect(momoNow.body.result).toMatchObject({ status: 'PENDING', amount: '15.75', orderId: 'tx-now-1', callerAccountNo: '0551234567' });
    await decide(t, 'tx-now-1', 'approve');
    expect((await checkStatus(t, 'tx-now-1')).body.result.status).toBe('FULFILLED');
    expect((await summary(t, { merchantOrderId: 'tx-now-1' })).body.result).toMatchObject({ status: 'CLOSED', invoiceAmount: '15.75' });

    const cardNow = await kowriCall(t, 'payNow', { amount: 8, provider: 'CARD', transactionId: 'tx-now-2', merchantOrderId: 'order-now-2' });
    expect(cardNow.body.result).toMatchObject({ status: 'PENDING', orderId: 'order-now-2', redirectUrl: expect.stringContaining('/pay/pr_') });
    expect((await summary(t, { merchantOrderId: 'order-now-2' })).body.result.status).toBe('OPEN');
  });

  it('a card declined on the pay page ends the request there: the payment FAILED, the invoice FAILED (posgate\'s name)', async () => {
    const invoice = await open('pay-card-2', '2');
    await processPayment(t, { invoiceNum: invoice.invoiceNum, provider: 'CARD', transactionId: 'tx-card-2' });
    const request = await nativeOf(invoice.invoiceNum);
    await t.api('POST', `/pay/${request.id}/decision`, { key: null, body: { outcome: 'decline' } });
    expect((await checkStatus(t, 'tx-card-2')).body.result.status).toBe('FAILED');
    expect((await summary(t, { invoiceNum: invoice.invoiceNum })).body.result.status).toBe('FAILED');
  });
});

describe('tenancy and the sandbox', () => {
  it('another merchant neither sees nor decides the demo merchant\'s payments', async () => {
    const invoice = await open('pay-tenant');
    await momo(invoice.invoiceNum, 'tx-tenant');
    const other = await secondMerchantSet(t);
    expect((await checkStatus(t, 'tx-tenant', other)).body.statusCode).toBe('NOT_FOUND');
    expect((await decide(t, 'tx-tenant', 'approve', other)).body.statusCode).toBe('NOT_FOUND');
    expect((await checkStatus(t, 'tx-tenant')).body.result.status).toBe('PENDING');
  });

  it('an invoice that expires (24 h, on the test clock) takes no payment; its PENDING payment is FAILED', async () => {
    const invoice = await open('pay-expiry');
    await momo(invoice.invoiceNum, 'tx-expiry');
    await t.api('POST', '/v1/sandbox/clock/advance', { body: { seconds: 24 * 3600 + 1 } });
    expect((await summary(t, { invoiceNum: invoice.invoiceNum })).body.result.status).toBe('EXPIRED');
    expect((await checkStatus(t, 'tx-expiry')).body.result).toMatchObject({ status: 'FAILED', comment: 'The invoice expired before it was paid' });
    expect((await decide(t, 'tx-expiry', 'approve')).body.success).toBe(false);
    expect((await momo(invoice.invoiceNum, 'tx-expiry-2')).body.statusMessage).toBe('Only OPEN orders can be paid for.');
  });
});

describe('a live-mode set', () => {
  it('cannot use the sandbox decision, and its webhookUrl must be public: both refused, nothing made', async () => {
    const admin = { authorization: 'Bearer adm_test_token_0123456789abcdef', 'content-type': 'application/json' };
    const merchant = await (await fetch(`${t.url}/admin/v1/merchants`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'Live shop' }) })).json() as { id: string };
    const issued = await fetch(`${t.url}/admin/v1/merchants/${merchant.id}/credentials/kowri`, { method: 'POST', headers: admin, body: JSON.stringify({ livemode: true }) });
    expect(issued.status).toBe(201);
    const live = ((await issued.json()) as { kowri: KowriSet }).kowri;
    const before = await writeCounts(t);
    const privateHook = await createInvoice(t, { merchantOrderId: 'live-1', amount: '5', metadata: [{ key: 'webhookUrl', value: 'http://127.0.0.1:9/hook' }] }, live);
    expect(privateHook.status).toBe(400);
    expect(privateHook.body).toMatchObject({ success: false, statusCode: 'INVALID_REQUEST' });
    expect(await writeCounts(t)).toEqual(before);
    const invoice = (await createInvoice(t, { merchantOrderId: 'live-2', amount: '5' }, live)).body.result;
    await processPayment(t, { invoiceNum: invoice.invoiceNum, provider: 'MTN_MONEY', walletRef: MTN_WALLET, transactionId: 'live-tx' }, live);
    const refused = await decide(t, 'live-tx', 'approve', live);
    expect(refused.status).toBe(403);
    expect(refused.body.statusCode).toBe('UNAUTHORIZED');
    expect((await checkStatus(t, 'live-tx', live)).body.result.status).toBe('PENDING');
  });
});
