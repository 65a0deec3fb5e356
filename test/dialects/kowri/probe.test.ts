import { afterAll, beforeAll, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../../harness.js';
import { deliverUntil, startReceiver } from '../../support/receiver.js';
import { createInvoice, kowriCall, processPayment, decide, MTN_WALLET, checkStatus } from './client.js';
import { create } from '../kpay/client.js';

let t: TestGateway;
beforeAll(async () => { t = await startGateway(); });
afterAll(async () => t.close());
const show = (label: string, r: any) => console.log(label, r.status ?? '', JSON.stringify(r.body ?? r));
const nativeId = async (invoiceNum: string) => (await t.api('POST', '/v1/sandbox/resolve', { body: { ref: invoiceNum } })).body.id as string;

it('probe', async () => {
  const r = await startReceiver();
  const hooked = [{ key: 'webhookUrl', value: r.url }];
  // card paid on pay page
  const inv1 = (await createInvoice(t, { merchantOrderId: 'k-1', amount: '5', metadata: hooked, callbackUrl: 'https://shop.example/back' })).body.result;
  await processPayment(t, { invoiceNum: inv1.invoiceNum, provider: 'CARD', walletRef: '', transactionId: 'k-tx-1', customerName: 'A' });
  show('pay page', await t.api('POST', `/pay/${await nativeId(inv1.invoiceNum)}/decision`, { key: null, body: { outcome: 'approve' } }));
  // card declined
  const inv2 = (await createInvoice(t, { merchantOrderId: 'k-2', amount: '5', metadata: hooked })).body.result;
  await processPayment(t, { invoiceNum: inv2.invoiceNum, provider: 'CARD', walletRef: '', transactionId: 'k-tx-2' });
  await t.api('POST', `/pay/${await nativeId(inv2.invoiceNum)}/decision`, { key: null, body: { outcome: 'decline' } });
  show('k-tx-2 status', await checkStatus(t, 'k-tx-2'));
  // payNow with webhookUrl
  const pn = await kowriCall(t, 'payNow', { amount: 7, provider: 'MTN_MONEY', walletRef: MTN_WALLET, transactionId: 'k-tx-3', metadata: hooked });
  show('paynow', pn);
  await decide(t, 'k-tx-3', 'approve');
  // processPayment with metadata webhookUrl
  const r2 = await startReceiver();
  const inv4 = (await createInvoice(t, { merchantOrderId: 'k-4', amount: '5' })).body.result;
  await processPayment(t, { invoiceNum: inv4.invoiceNum, provider: 'MTN_MONEY', walletRef: MTN_WALLET, transactionId: 'k-tx-4', metadata: [{ key: 'webhookUrl', value: r2.url }] });
  await decide(t, 'k-tx-4', 'approve');
  // patron cancels on pay page
  const inv5 = (await createInvoice(t, { merchantOrderId: 'k-5', amount: '5', metadata: hooked })).body.result;
  await processPayment(t, { invoiceNum: inv5.invoiceNum, provider: 'CARD', walletRef: '', transactionId: 'k-tx-5' });
  show('cancel on page', await t.api('POST', `/pay/${await nativeId(inv5.invoiceNum)}/decision`, { key: null, body: { outcome: 'cancel' } }));
  show('k-tx-5 status', await checkStatus(t, 'k-tx-5'));
  show('k-5 summary', await kowriCall(t, 'getInvoiceSummary', { merchantOrderId: 'k-5' }));
  await deliverUntil(() => t.gateway.tick(), () => r.received, 5);
  for (const x of r.received) console.log('CB', x.body);
  for (const x of r2.received) console.log('CB2', x.body);
  // concurrency
  const many = await Promise.all([1, 2, 3, 4, 5].map(() => createInvoice(t, { merchantOrderId: 'k-c', amount: '5' })));
  show('kowri concurrent', many.map((m) => [m.status, m.body.statusCode, m.body.result?.invoiceNum]));
  const kp = await Promise.all([1, 2, 3, 4, 5].map(() => create(t, { reference: 'kp-c', amount: '500' })));
  show('kpay concurrent', kp.map((m) => [m.status, m.body.responseCode, m.body.data?.paymentRequestRefId]));
  show('null fields', await createInvoice(t, { merchantOrderId: 'k-n', amount: '5', reference: null, description: null, metadata: null, callbackUrl: null, trustedNum: null }));
  show('amount 5.5 number', await createInvoice(t, { merchantOrderId: 'k-a', amount: 5.5 }));
  void expect;
});
