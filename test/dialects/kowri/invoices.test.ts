// Kowri invoices, written from the seed and specs/dialects.md: createInvoice (amount or items),
// getInvoiceSummary / getInvoice by invoiceNum or merchantOrderId, cancelInvoice, the envelope on
// every answer, credentials, the requestId and merchantOrderId duplicate rules, and tenancy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startGateway, type TestGateway } from '../../harness.js';
import { createInvoice, demoSet, kowriCall, rawCall, secondMerchantSet, summary, writeCounts, type KowriSet } from './client.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startGateway();
});
afterAll(async () => t.close());

const native = async (invoiceNum: string) => {
  const { id } = (await t.api('POST', '/v1/sandbox/resolve', { body: { ref: invoiceNum } })).body;
  return (await t.api('GET', `/v1/payment-requests/${id}`)).body;
};

describe('createInvoice', () => {
  it('makes an OPEN GHS invoice from an amount (number or string), in the envelope, with the set\'s serviceCode', async () => {
    const response = await createInvoice(t, { requestId: 'req-create-1', merchantOrderId: 'inv-1', amount: 7, reference: 'Table 4', callbackUrl: 'https://shop.example/back' });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ requestId: 'req-create-1', success: true, statusCode: 'SUCCESS', statusMessage: expect.any(String) });
    const invoice = response.body.result;
    expect(invoice).toMatchObject({
      serviceCode: demoSet(t).serviceCode, merchantOrderId: 'inv-1', currency: 'GHS', itemCount: 0, invoiceAmount: '7', fees: '0', grandTotal: '7',
      status: 'OPEN', callbackUrl: 'https://shop.example/back', reference: 'Table 4', invoiceItems: [],
    });
    expect(invoice.invoiceNum).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(invoice.checkoutUrl).toBe(`${t.url}/pay/${(await native(invoice.invoiceNum)).id}?pay_token=${invoice.invoiceNum}`);
    expect(await native(invoice.invoiceNum)).toMatchObject({ amount: 700, currency: 'GHS', status: 'created', reference: 'inv-1' });

    const text = (await createInvoice(t, { merchantOrderId: 'inv-1b', amount: '10.34' })).body.result;
    expect(text).toMatchObject({ invoiceAmount: '10.34', grandTotal: '10.34' });
    expect((await native(text.invoiceNum)).amount).toBe(1034);
  });

  it('makes the amount Σ subTotal of invoiceItems, each unitPrice × quantity exactly, items flat beside the invoice', async () => {
    const items = [
      { code: 'T1', name: 'Tea', description: 'Green tea', imgUrl: 'https://shop.example/tea.png', unitPrice: '2.50', quantity: 3, subTotal: '7.50' },
      { name: 'Bread', unitPrice: 0.1, quantity: 7, subTotal: 0.7 },
    ];
    const { result } = (await createInvoice(t, { merchantOrderId: 'inv-items', invoiceItems: items })).body;
    expect(result).toMatchObject({ itemCount: 2, invoiceAmount: '8.2', grandTotal: '8.2' });
    expect(result.invoiceItems).toEqual([
      { code: 'T1', name: 'Tea', description: 'Green tea', imgUrl: 'https://shop.example/tea.png', unitPrice: '2.5', quantity: 3, subTotal: '7.5' },
      { code: null, name: 'Bread', description: null, imgUrl: null, unitPrice: '0.1', quantity: 7, subTotal: '0.7' },
    ]);
    const request = await native(result.invoiceNum);
    expect(request.amount).toBe(820);
    expect(request.lineItems).toEqual([
      expect.objectContaining({ name: 'Tea', sku: 'T1', quantity: 3, unitAmount: 250 }),
      expect.objectContaining({ name: 'Bread', quantity: 7, unitAmount: 10 }),
    ]);
    // amount and items together must agree
    expect((await createInvoice(t, { merchantOrderId: 'inv-items-2', amount: '8.20', invoiceItems: items })).body.result.invoiceAmount).toBe('8.2');
  });

  it('refuses amounts that do not convert exactly ("12.345", "0", "-5", "abc", 1.005): INVALID_REQUEST naming the field, nothing created', async () => {
    const before = await writeCounts(t);
    for (const amount of ['12.345', '0', '-5', 'abc', 1.005, 0, -5, '1e3', '', ' ']) {
      const response = await createInvoice(t, { merchantOrderId: `bad-${String(amount)}`, amount });
      expect(response.status, String(amount)).toBe(400);
      expect(response.body, String(amount)).toMatchObject({ success: false, statusCode: 'INVALID_REQUEST', result: null });
      expect(response.body.statusMessage, String(amount)).toMatch(/amount/);
    }
    const item = { name: 'Tea', unitPrice: '2.505', quantity: 2, subTotal: '5.01' };
    expect((await createInvoice(t, { merchantOrderId: 'bad-item', invoiceItems: [item] })).body.statusMessage).toMatch(/invoiceItems\.0\.unitPrice/);
    expect(await writeCounts(t)).toEqual(before);
  });

  it('a number where a text field belongs is named for what it is, not as missing', async () => {
    const response = await createInvoice(t, { merchantOrderId: 42, amount: '1.00' });
    expect(response.body).toMatchObject({ success: false, statusCode: 'INVALID_REQUEST', result: null });
    expect(response.body.statusMessage).toMatch(/^merchantOrderId: /);
    expect(response.body.statusMessage).not.toMatch(/required/);
  });

  it('a repeated merchantOrderId returns the existing invoice, whatever the body', async () => {
    const first = (await createInvoice(t, { merchantOrderId: 'inv-dup', amount: '5' })).body.result;
    const again = await createInvoice(t, { merchantOrderId: 'inv-dup', amount: '9.99' });
    expect(again.body.success).toBe(true);
    expect(again.body.result).toEqual(first);
  });

  it('a reused requestId: the same body is answered as before, another body is refused (DUPLICATE_REQUEST), nothing made', async () => {
    const body = { requestId: 'req-dup-1', merchantOrderId: 'inv-req-dup', amount: '3' };
    const first = await createInvoice(t, body);
    const replay = await createInvoice(t, body);
    expect(replay.body).toEqual(first.body);
    const before = await writeCounts(t);
    const other = await createInvoice(t, { ...body, merchantOrderId: 'inv-req-dup-2' });
    expect(other.body).toMatchObject({ requestId: 'req-dup-1', success: false, statusCode: 'DUPLICATE_REQUEST', result: null });
    // the same requestId on another operation is another body too
    expect((await summary(t, { requestId: 'req-dup-1', merchantOrderId: 'inv-req-dup' })).body.statusCode).toBe('DUPLICATE_REQUEST');
    expect(await writeCounts(t)).toEqual(before);
  });
});

describe('reading and cancelling', () => {
  it('getInvoiceSummary and getInvoice find an invoice by invoiceNum or merchantOrderId; getInvoice adds merchantDetails and payOptions', async () => {
    const made = (await createInvoice(t, { merchantOrderId: 'inv-read', amount: '12.50' })).body.result;
    expect((await summary(t, { invoiceNum: made.invoiceNum })).body.result).toEqual(made);
    expect((await summary(t, { merchantOrderId: 'inv-read' })).body.result).toEqual(made);
    const full = (await kowriCall(t, 'getInvoice', { merchantOrderId: 'inv-read' })).body.result;
    expect(full).toMatchObject({ ...made, merchantDetails: { name: 'Demo merchant', serviceCode: made.serviceCode } });
    expect(full.payOptions.map((o: any) => [o.provider, o.type, o.flowType, o.fee])).toEqual([
      ['MTN_MONEY', 'MOBILE_MONEY', 'PROMPT', '0'], ['VODAFONE_CASH', 'MOBILE_MONEY', 'PROMPT', '0'], ['AIRTELTIGO_MONEY', 'MOBILE_MONEY', 'PROMPT', '0'],
      ['SLYDEPAY', 'MOBILE_MONEY', 'QR_CODE', '0'], ['STANBIC_BANK', 'BANK', 'DEBIT', '0'], ['CARD', 'CARD', 'REDIRECT', '0'],
    ]);
  });

  it('an unknown invoice is NOT_FOUND (HTTP 200, success false); neither key is INVALID_REQUEST', async () => {
    expect((await summary(t, { merchantOrderId: 'no-such-order' })).body).toMatchObject({ success: false, statusCode: 'NOT_FOUND', result: null });
    expect((await summary(t, { invoiceNum: '01a24365-0000-0000-0000-000000000000' })).body.statusCode).toBe('NOT_FOUND');
    const neither = await summary(t, {});
    expect(neither.status).toBe(400);
    expect(neither.body).toMatchObject({ statusCode: 'INVALID_REQUEST', statusMessage: expect.stringContaining('invoiceNum or merchantOrderId') });
  });

  it('listPayOptions lists the typed options with refRegex and min/max amounts', async () => {
    const { result } = (await kowriCall(t, 'listPayOptions')).body;
    expect(result.map((o: any) => o.provider)).toEqual(['MTN_MONEY', 'VODAFONE_CASH', 'AIRTELTIGO_MONEY', 'SLYDEPAY', 'STANBIC_BANK', 'CARD']);
    const mtn = result[0];
    expect(mtn).toMatchObject({ name: 'MTN Mobile Money', type: 'MOBILE_MONEY', minAmount: 1, maxAmount: 10000 });
    expect(new RegExp(mtn.refRegex).test('0244123456')).toBe(true);
    expect(new RegExp(mtn.refRegex).test('0204123456')).toBe(false);
  });

  it('cancelInvoice makes an OPEN invoice CANCELLED with callbackUrl status=-2; a second cancel is refused', async () => {
    await createInvoice(t, { merchantOrderId: 'inv-cancel', amount: '4', callbackUrl: 'https://shop.example/back?shop=1' });
    const cancelled = await kowriCall(t, 'cancelInvoice', { merchantOrderId: 'inv-cancel' });
    const invoice = cancelled.body.result;
    expect(invoice.status).toBe('CANCELLED');
    expect(invoice.callbackUrl).toBe(`https://shop.example/back?shop=1&status=-2&cust_ref=inv-cancel&pay_token=${invoice.invoiceNum}`);
    expect((await native(invoice.invoiceNum)).status).toBe('cancelled');
    const again = await kowriCall(t, 'cancelInvoice', { invoiceNum: invoice.invoiceNum });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ success: false, statusCode: 'INVALID_REQUEST', statusMessage: expect.stringContaining('Only OPEN orders') });
  });
});

describe('credentials and tenancy', () => {
  it('no appId, a wrong secret, a wrong appReference or an unknown appId: UNAUTHORIZED (401), nothing read or written', async () => {
    const set = demoSet(t);
    const calls = [
      rawCall(t, 'listPayOptions', JSON.stringify({ requestId: 'a1', appReference: set.appReference, secret: set.secret })),
      kowriCall(t, 'listPayOptions', {}, { ...set, secret: 'kws_wrong' }),
      kowriCall(t, 'listPayOptions', {}, { ...set, appReference: 'kwr_wrong' }),
      kowriCall(t, 'listPayOptions', {}, { ...set, appId: 'kwa_nobody' }),
      rawCall(t, 'listPayOptions', undefined, { appId: set.appId }),
    ];
    for (const response of await Promise.all(calls)) {
      expect(response.status).toBe(401);
      expect(response.body).toMatchObject({ success: false, statusCode: 'UNAUTHORIZED', result: null });
    }
    expect(t.logs()).not.toContain(set.secret);
  });

  it('another merchant\'s set neither finds nor pays nor cancels the demo merchant\'s invoices; its own work', async () => {
    const made = (await createInvoice(t, { merchantOrderId: 'inv-tenant', amount: '6' })).body.result;
    const other: KowriSet = await secondMerchantSet(t);
    expect(other.appId).not.toBe(demoSet(t).appId);
    expect((await summary(t, { invoiceNum: made.invoiceNum }, other)).body.statusCode).toBe('NOT_FOUND');
    expect((await summary(t, { merchantOrderId: 'inv-tenant' }, other)).body.statusCode).toBe('NOT_FOUND');
    expect((await kowriCall(t, 'cancelInvoice', { invoiceNum: made.invoiceNum }, other)).body.statusCode).toBe('NOT_FOUND');
    const pay = await kowriCall(t, 'processPayment', { invoiceNum: made.invoiceNum, provider: 'CARD', transactionId: 'tenant-tx' }, other);
    expect(pay.body.statusCode).toBe('NOT_FOUND');
    expect((await summary(t, { invoiceNum: made.invoiceNum })).body.result.status).toBe('OPEN');
    // the same merchantOrderId is the other merchant's own
    const own = (await createInvoice(t, { merchantOrderId: 'inv-tenant', amount: '1' }, other)).body.result;
    expect(own).toMatchObject({ invoiceAmount: '1', serviceCode: other.serviceCode });
    expect(own.invoiceNum).not.toBe(made.invoiceNum);
  });

  it('a revoked set is UNAUTHORIZED at once; a new set for the merchant works', async () => {
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
    const merchant = await (await fetch(`${t.url}/admin/v1/merchants`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'Revoked shop' }) })).json() as { id: string };
    const issue = async () => ((await (await fetch(`${t.url}/admin/v1/merchants/${merchant.id}/credentials/kowri`, { method: 'POST', headers: admin, body: '{}' })).json()) as { kowri: KowriSet }).kowri;
    const first = await issue();
    expect((await kowriCall(t, 'listPayOptions', {}, first)).body.success).toBe(true);
    expect((await fetch(`${t.url}/admin/v1/merchants/${merchant.id}/credentials/kowri`, { method: 'DELETE', headers: { authorization: admin.authorization } })).status).toBeLessThan(300);
    const refused = await kowriCall(t, 'listPayOptions', {}, first);
    expect(refused.status).toBe(401);
    expect(refused.body.statusCode).toBe('UNAUTHORIZED');
    const second = await issue();
    expect(second.appId).not.toBe(first.appId);
    expect((await kowriCall(t, 'listPayOptions', {}, second)).body.success).toBe(true);
  });

  it('an unknown operation is NOT_FOUND (404) in the envelope', async () => {
    const response = await kowriCall(t, 'refundInvoice', {});
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ success: false, statusCode: 'NOT_FOUND', result: null });
  });
});
