// A request is seen by the API that made it, and by the native API (the merchant's whole view);
// a provider's API neither lists, reads nor acts on another API's requests, though every demo set
// speaks for the same terminal (docs/api-decisions.md, "Which API sees which request").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidOfId } from '../../src/core/uuid-ids.js';
import { startGateway, type TestGateway } from '../harness.js';
import * as cliq from './cliq/client.js';
import { demoClient as centrapayClient, type Centrapay } from './centrapay/client.js';
import * as kowri from './kowri/client.js';
import * as kpay from './kpay/client.js';
import { demoClient as mobilePayClient, demoPos, expectRefused, freshPos, type MobilePay, resolve } from './mobilepay/client.js';

let t: TestGateway;
let mp: MobilePay;
let cp: Centrapay;
/** One request made through each API, by its posgate id. */
const made: Record<string, string> = {};

beforeAll(async () => {
  t = await startGateway();
  mp = mobilePayClient(t);
  cp = centrapayClient(t);
  const native = await t.api('POST', '/v1/payment-requests', { body: { amount: 1500, currency: 'NZD', terminalId: t.terminalId, reference: 'native-1', allowConcurrent: true } });
  expect(native.status).toBe(201);
  made.native = native.body.id;
  const kp = await kpay.create(t, { reference: 'kpay-1', amount: '150000' });
  made.kpay = kp.body.data.paymentRequestRefId;
  made.centrapay = (await cp.createOk()).id;
  const invoice = await kowri.createInvoice(t, { requestId: 'cross-1', merchantOrderId: 'kowri-1', amount: 7 });
  made.kowri = await resolve(t, invoice.body.result.invoiceNum);
  const crypto = await cliq.createPayment(t, { amount: '20.00', reference: 'cliq-1' });
  expect(crypto.body.status).toBe('ok');
  made.cliq = await resolve(t, 'cliq-1');
  made.mobilepay = await resolve(t, await mp.start('mobilepay-1', '15.00', demoPos(t).terminalId));
  for (const [api, id] of Object.entries(made)) expect(id, api).toMatch(/^pr_/);
});
afterAll(async () => {
  await t?.close();
});

const others = (api: string) => Object.entries(made).filter(([name]) => name !== api).map(([, id]) => id);
const guid = (id: string) => uuidOfId(id) as string;

describe('which API sees which request', () => {
  it('the native API sees every request of its merchant, whichever API made it', async () => {
    for (const [api, id] of Object.entries(made)) {
      const read = await t.api('GET', `/v1/payment-requests/${id}`);
      expect([api, read.status]).toEqual([api, 200]);
    }
  });

  it('MobilePay lists only its own payments, and cannot read or cancel another API\'s', async () => {
    const listed = await mp.get('payments', { terminalId: demoPos(t).terminalId });
    expect(listed.body.paymentIds).toEqual([guid(made.mobilepay!)]);
    for (const id of others('mobilepay')) {
      expectRefused(await mp.get('payment/details', { paymentId: guid(id) }), 404, '1001');
      expectRefused(await mp.get('payment/cancel', { paymentId: guid(id) }), 404, '1001');
    }
    // the Kowri invoice it was asked to cancel is still open
    expect((await kowri.summary(t, { merchantOrderId: 'kowri-1' })).body.result).toMatchObject({ status: 'OPEN' });
  });

  it('MobilePay\'s one active payment per PoS counts its own payments, and another API\'s request on the till is not named', async () => {
    const pos = await freshPos(t);
    const nativeOnTill = await t.api('POST', '/v1/payment-requests', { body: { amount: 500, currency: 'NZD', terminalId: pos.nativeId } });
    expect(nativeOnTill.status).toBe(201);
    // the terminal engages one patron at a time: the native request holds it, and MobilePay is told so without its id
    const refused = await mp.get('payment/start', { orderId: 'busy-1', amount: '5.00', terminalId: pos.terminalId });
    expect(refused.status).toBe(409);
    expect(JSON.stringify(refused.body)).not.toContain(guid(nativeOnTill.body.id));
    expect((await mp.get('payments', { terminalId: pos.terminalId })).body.paymentIds).toEqual([]);
    // nor does the native request keep MobilePay from removing its PoS
    expect((await mp.get('manage/delete', { terminalId: pos.terminalId })).body).toMatchObject({ success: true });
  });

  it('Centrapay reads and lists only its own requests and their activities', async () => {
    for (const id of others('centrapay')) expect(await cp.get(id)).toMatchObject({ status: 403, body: { message: 'PAYMENT_REQUEST_NOT_FOUND' } });
    const feed = await cp.paymentActivities();
    expect(feed.status).toBe(200);
    const requests = new Set((feed.body.items as Array<{ paymentRequestId: string }>).map((activity) => activity.paymentRequestId));
    expect([...requests]).toEqual([made.centrapay]);
  });

  it('KPAY finds only its own requests, by id or by reference; a reference another API uses is refused without naming it', async () => {
    expect((await kpay.requery(t, made.kpay!)).body.responseCode).toBe('09');
    for (const id of others('kpay')) expect((await kpay.requery(t, id)).body.responseCode).toBe('25');
    expect((await kpay.requery(t, 'native-1')).body.responseCode).toBe('25');
    expect((await kpay.cancel(t, 'native-1')).body.responseCode).toBe('25');
    const taken = await kpay.create(t, { reference: 'native-1', amount: '150000' });
    expect(taken.body.responseCode).toBe('26');
    expect(JSON.stringify(taken.body)).not.toContain(made.native);
    expect((await t.api('GET', `/v1/payment-requests/${made.native}`)).body.status).toBe('created');
  });

  it('CLIQ and Kowri do not find another API\'s request by its reference', async () => {
    expect((await cliq.getUpdate(t, { reference: 'native-1' }, '15.00')).body).toMatchObject({ status: 'nok' });
    expect((await kowri.summary(t, { merchantOrderId: 'native-1' })).body).toMatchObject({ success: false, statusCode: 'NOT_FOUND' });
  });
});
