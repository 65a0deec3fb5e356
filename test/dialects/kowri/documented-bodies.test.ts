// Kowri's own published examples, sent as they are: every payment example (processPayment, payNow
// MoMo and Card, checkPaymentStatus) carries `"transactionId": ""`, an item may carry an empty
// imgUrl, listPayOptions shows its limits as numbers beside a description and a preAuthNotice,
// getInvoice's merchantDetails shows callbackUrl, supportNumber and supportEmail, and a reused
// requestId is refused in Kowri's own terms (docs/dialects/kowri.md).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../../harness.js';
import { checkStatus, createInvoice, decide, kowriCall, processPayment, summary, writeCounts } from './client.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startGateway();
});
afterAll(async () => t.close());

describe('an empty transactionId, as every Kowri example sends', () => {
  it('processPayment with Kowri\'s example body: posgate makes the transactionId and answers it; checkPaymentStatus and the sandbox use it', async () => {
    const invoice = (await createInvoice(t, { merchantOrderId: 'doc-pp-1', amount: '10', reference: 'GHP12345' })).body.result;
    // the body of Kowri's processPayment example
    const paying = await processPayment(t, {
      invoiceNum: invoice.invoiceNum, transactionId: '', provider: 'MTN_MONEY', walletRef: '233541055455', customerName: 'Kofi Asamoah', customerMobile: '233261055455',
    });
    expect(paying.status).toBe(200);
    expect(paying.body).toMatchObject({ success: true, statusCode: 'SUCCESS' });
    const made = paying.body.result.transactionId;
    expect(made).toMatch(/^[A-Za-z0-9]{10,64}$/);
    expect(paying.body.result).toMatchObject({ status: 'PENDING', invoiceNum: invoice.invoiceNum, callerTransId: made });
    expect((await checkStatus(t, made)).body.result).toMatchObject({ status: 'PENDING', transactionId: made, orderId: 'doc-pp-1' });
    expect((await decide(t, made, 'approve')).body.result.status).toBe('FULFILLED');
    expect((await checkStatus(t, made)).body.result).toMatchObject({ status: 'FULFILLED', success: true });
  });

  it('processPayment without a transactionId (its parameter table lists none) is the same; each payment gets its own', async () => {
    const invoice = (await createInvoice(t, { merchantOrderId: 'doc-pp-2', amount: '3' })).body.result;
    const first = (await processPayment(t, { invoiceNum: invoice.invoiceNum, provider: 'MTN_MONEY', walletRef: '0244123456' })).body.result;
    await decide(t, first.transactionId, 'decline');
    const second = (await processPayment(t, { invoiceNum: invoice.invoiceNum, provider: 'CARD', walletRef: '', transactionId: '' })).body.result;
    expect(second).toMatchObject({ status: 'PENDING', token: invoice.invoiceNum });
    expect(second.transactionId).toMatch(/^[A-Za-z0-9]{10,64}$/);
    expect(second.transactionId).not.toBe(first.transactionId);
    expect((await checkStatus(t, first.transactionId)).body.result.status).toBe('FAILED');
    expect((await checkStatus(t, second.transactionId)).body.result.status).toBe('PENDING');
  });

  it('payNow MoMo with Kowri\'s example body: PENDING, the made transactionId is the order\'s id too; a retry with the same requestId answers the same id', async () => {
    const body = {
      requestId: 'doc-paynow-momo', amount: 10, currency: 'GHS', customerName: 'Kofi Asamoah', customerSegment: 'Test', reference: 'APSU 1',
      transactionId: '', provider: 'MTN_MONEY', walletRef: '233244733999', customerMobile: '0208418857',
    };
    const paid = await kowriCall(t, 'payNow', body);
    expect(paid.status).toBe(200);
    const result = paid.body.result;
    expect(result).toMatchObject({ status: 'PENDING', amount: '10.00', callerAccountNo: '233244733999', creditDebitFlag: 'D' });
    expect(result.transactionId).toMatch(/^[A-Za-z0-9]{10,64}$/);
    expect(result).toMatchObject({ callerTransId: result.transactionId, orderId: result.transactionId });
    expect((await kowriCall(t, 'payNow', body)).body).toEqual(paid.body); // the requestId's replay: nothing made again
    expect((await summary(t, { merchantOrderId: result.transactionId })).body.result).toMatchObject({ status: 'OPEN', invoiceAmount: '10', reference: 'APSU 1' });
    expect((await checkStatus(t, result.transactionId)).body.result).toMatchObject({ status: 'PENDING', amount: '10.00' });
  });

  it('payNow Card with Kowri\'s example body (walletRef and transactionId empty): PENDING with the pay page', async () => {
    const paid = await kowriCall(t, 'payNow', {
      amount: 10, currency: 'GHS', customerName: 'Dolly Kyei', customerSegment: 'Test', reference: 'TEST 1', transactionId: '', provider: 'CARD', walletRef: '', customerMobile: '0208418857',
    });
    expect(paid.status).toBe(200);
    expect(paid.body.result).toMatchObject({ status: 'PENDING', reference: 'TEST 1', redirectUrl: expect.stringContaining('/pay/pr_') });
    expect((await checkStatus(t, paid.body.result.transactionId)).body.result.status).toBe('PENDING');
  });

  it('checkPaymentStatus (and the sandbox decision) with an empty transactionId is a clear refusal that says which transactionId to send', async () => {
    const before = await writeCounts(t);
    for (const [operation, extra] of [['checkPaymentStatus', {}], ['sandbox/decidePayment', { outcome: 'approve' }]] as const) {
      const response = await kowriCall(t, operation, { transactionId: '', ...extra });
      expect(response.status, operation).toBe(400);
      expect(response.body, operation).toMatchObject({ success: false, statusCode: 'INVALID_REQUEST', result: null });
      expect(response.body.statusMessage, operation).toBe('transactionId: must not be empty: send the transactionId that processPayment or payNow answered (posgate makes one when a payment is started without it).');
    }
    expect((await kowriCall(t, 'checkPaymentStatus', {})).body.statusMessage).toBe('transactionId is required.');
    expect(await writeCounts(t)).toEqual(before);
  });
});

describe('null for an optional field, as Kowri writes an unset one ("callbackUrl": null)', () => {
  it('createInvoice and processPayment take a null field as one left out, in the body and in its items', async () => {
    const made = await createInvoice(t, {
      merchantOrderId: 'doc-null-1', amount: null, reference: null, description: null, trustedNum: null, callbackUrl: null, metadata: null,
      invoiceItems: [{ code: null, name: 'Tea', description: null, imgUrl: null, unitPrice: '2.50', quantity: 2, subTotal: '5.00' }],
    });
    expect(made.status).toBe(200);
    expect(made.body.result).toMatchObject({ merchantOrderId: 'doc-null-1', invoiceAmount: '5', reference: null, callbackUrl: null, metadata: [] });
    expect(made.body.result.invoiceItems).toEqual([{ code: null, name: 'Tea', description: null, imgUrl: null, unitPrice: '2.5', quantity: 2, subTotal: '5' }]);
    const paying = await processPayment(t, { invoiceNum: made.body.result.invoiceNum, provider: 'CARD', walletRef: null, transactionId: null, customerName: null, customerMobile: null });
    expect(paying.status).toBe(200);
    expect(paying.body.result).toMatchObject({ status: 'PENDING', token: made.body.result.invoiceNum });
    expect(paying.body.result.transactionId).toMatch(/^[A-Za-z0-9]{10,64}$/);
  });

  it('a required field that is null is named as required, and nothing is made', async () => {
    const before = await writeCounts(t);
    const response = await createInvoice(t, { merchantOrderId: null, amount: '5' });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ success: false, statusCode: 'INVALID_REQUEST', statusMessage: 'merchantOrderId is required.', result: null });
    expect(await writeCounts(t)).toEqual(before);
  });
});

describe('Kowri\'s other documented shapes', () => {
  it('an invoice item with an empty imgUrl is taken as one without an image', async () => {
    const items = [
      { name: 'Papilo Goods and Services', description: 'Purchase of Goods and services', imgUrl: 'https://test.usebillbox.com/static/images/logo/apsu.jpg', unitPrice: 83.15, quantity: 1, subTotal: 83.15 },
      { code: 'B1', name: 'Bread', description: '', imgUrl: '', unitPrice: '0.50', quantity: 2, subTotal: '1.00' },
    ];
    const made = await createInvoice(t, { merchantOrderId: 'doc-items', reference: 'GHP12345', invoiceItems: items });
    expect(made.status).toBe(200);
    expect(made.body.result).toMatchObject({ itemCount: 2, invoiceAmount: '84.15' });
    expect(made.body.result.invoiceItems[0].imgUrl).toBe('https://test.usebillbox.com/static/images/logo/apsu.jpg');
    expect(made.body.result.invoiceItems[1]).toMatchObject({ code: 'B1', name: 'Bread', imgUrl: null });
    // a non-empty imgUrl must still be a URL
    const bad = await createInvoice(t, { merchantOrderId: 'doc-items-bad', invoiceItems: [{ ...items[1], imgUrl: 'not a url' }] });
    expect(bad.body).toMatchObject({ success: false, statusCode: 'INVALID_REQUEST', statusMessage: expect.stringContaining('invoiceItems.0.imgUrl') });
  });

  it('listPayOptions shows minAmount and maxAmount as numbers of cedis, with a description and a preAuthNotice', async () => {
    const { result } = (await kowriCall(t, 'listPayOptions')).body;
    const byProvider = Object.fromEntries(result.map((o: any) => [o.provider, o]));
    expect(byProvider.MTN_MONEY).toMatchObject({ minAmount: 1, maxAmount: 10000, description: 'MTN Mobile Money', preAuthNotice: expect.any(String) });
    expect(byProvider.SLYDEPAY).toMatchObject({ minAmount: 1, maxAmount: 20000 });
    expect(byProvider.STANBIC_BANK).toMatchObject({ minAmount: 1, maxAmount: 100000, preAuthNotice: null, description: expect.stringContaining('Stanbic') });
    expect(byProvider.CARD).toMatchObject({ maxAmount: 100000, preAuthNotice: null, description: expect.any(String) });
    for (const option of result) {
      expect(typeof option.minAmount, option.provider).toBe('number');
      expect(typeof option.maxAmount, option.provider).toBe('number');
      expect(Object.keys(option).sort()).toEqual(['authNotice', 'description', 'logo', 'maxAmount', 'minAmount', 'name', 'preAuthNotice', 'provider', 'refRegex', 'type', 'walletRef']);
    }
  });

  it('getInvoice: payOptions as listPayOptions plus flowType and fee; merchantDetails with callbackUrl, supportNumber and supportEmail', async () => {
    await createInvoice(t, { merchantOrderId: 'doc-get', amount: '7' });
    const { result } = (await kowriCall(t, 'getInvoice', { merchantOrderId: 'doc-get' })).body;
    expect(result.merchantDetails).toEqual({ name: 'Demo merchant', logo: null, callbackUrl: '', supportNumber: '', supportEmail: '', serviceCode: result.serviceCode });
    const listed = (await kowriCall(t, 'listPayOptions')).body.result;
    expect(result.payOptions).toEqual(listed.map((o: any) => ({ ...o, flowType: expect.any(String), fee: '0' })));
    expect(result.payOptions[0]).toMatchObject({ minAmount: 1, maxAmount: 10000 });
  });

  it('a reused requestId is refused in Kowri\'s terms: the message speaks of the requestId', async () => {
    await createInvoice(t, { requestId: 'doc-dup', merchantOrderId: 'doc-dup-1', amount: '2' });
    const other = await createInvoice(t, { requestId: 'doc-dup', merchantOrderId: 'doc-dup-2', amount: '2' });
    expect(other.body).toMatchObject({ requestId: 'doc-dup', success: false, statusCode: 'DUPLICATE_REQUEST', result: null });
    expect(other.body.statusMessage).toBe('This requestId was already used with a different request; send a new requestId for a new request.');
    expect(other.body.statusMessage).not.toContain('Idempotency');
  });
});
