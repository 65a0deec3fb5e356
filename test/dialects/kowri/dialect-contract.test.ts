// Kowri WebPOS against the contract every dialect passes.
import type { TestGateway } from '../../harness.js';
import { runDialectContract, type DialectResponse } from '../contract.js';
import { createInvoice, demoSet, kowriCall, rawCall, summary } from './client.js';

runDialectContract({
  name: 'kowri',
  supportsManualCapture: false,
  client(t: TestGateway) {
    let n = 0;
    const set = () => demoSet(t);
    return {
      withoutCredentials: () => rawCall(t, 'getInvoiceSummary', JSON.stringify({ requestId: 'r-none', merchantOrderId: 'nothing' })),
      withWrongCredentials: () => kowriCall(t, 'getInvoiceSummary', { merchantOrderId: 'nothing' }, { ...set(), secret: `${set().secret}x` }),
      authHeaders: () => ({}),
      isRefusal: (response: DialectResponse) => {
        const body = response.body as { success?: unknown; statusCode?: unknown; statusMessage?: unknown; result?: unknown } | null;
        return body !== null && body.success === false && typeof body.statusCode === 'string' && body.statusCode !== 'SUCCESS'
          && typeof body.statusMessage === 'string' && body.result === null && 'requestId' in body;
      },
      async create(amount) {
        const response = await createInvoice(t, { merchantOrderId: `contract-${++n}`, amount });
        if (response.status !== 200 || response.body.success !== true) throw new Error(`create failed: ${JSON.stringify(response.body)}`);
        return response.body.result.invoiceNum as string;
      },
      async read(invoiceNum) {
        const { body } = await summary(t, { invoiceNum });
        return { amount: body.result.invoiceAmount, status: body.result.status };
      },
      amounts: [['0.01', 1, '0.01'], ['12.50', 1250, '12.5'], ['7', 700, '7'], ['10000000000', 1_000_000_000_000, '10000000000']],
      badInputs: [
        { name: 'three decimals', call: () => createInvoice(t, { merchantOrderId: 'bad-1', amount: '12.345' }) },
        { name: 'zero', call: () => createInvoice(t, { merchantOrderId: 'bad-2', amount: '0' }) },
        { name: 'negative', call: () => createInvoice(t, { merchantOrderId: 'bad-3', amount: '-5' }) },
        { name: 'not a number', call: () => createInvoice(t, { merchantOrderId: 'bad-4', amount: 'abc' }) },
        { name: 'a number with three decimals', call: () => createInvoice(t, { merchantOrderId: 'bad-5', amount: 1.005 }) },
        { name: 'over the maximum', call: () => createInvoice(t, { merchantOrderId: 'bad-6', amount: '10000000000.01' }) },
        { name: 'no amount and no items', call: () => createInvoice(t, { merchantOrderId: 'bad-7' }) },
        { name: 'subTotal is not unitPrice × quantity', call: () => createInvoice(t, { merchantOrderId: 'bad-8', invoiceItems: [{ name: 'Tea', unitPrice: '2.50', quantity: 2, subTotal: '5.01' }] }) },
        { name: 'amount is not the sum of the items', call: () => createInvoice(t, { merchantOrderId: 'bad-9', amount: '6', invoiceItems: [{ name: 'Tea', unitPrice: '2.50', quantity: 2, subTotal: '5' }] }) },
        { name: 'another currency', call: () => createInvoice(t, { merchantOrderId: 'bad-10', amount: '5', currency: 'NGN' }) },
        { name: 'no merchantOrderId', call: () => createInvoice(t, { amount: '5' }) },
        { name: 'no requestId', call: () => kowriCall(t, 'createInvoice', { requestId: undefined, merchantOrderId: 'bad-11', amount: '5' }) },
        { name: 'a webhookUrl that is not a URL', call: () => createInvoice(t, { merchantOrderId: 'bad-12', amount: '5', metadata: [{ key: 'webhookUrl', value: 'not a url' }] }) },
        { name: 'not JSON', call: () => rawCall(t, 'createInvoice', '{"amount":', { appId: set().appId }) },
        { name: 'wrong content type', call: () => rawCall(t, 'createInvoice', 'amount=5', { appId: set().appId, 'content-type': 'application/x-www-form-urlencoded' }) },
        { name: 'an unknown provider', call: () => kowriCall(t, 'payNow', { amount: '5', provider: 'BITCOIN', walletRef: '0244123456', transactionId: 'bad-tx-1' }) },
        { name: 'a wallet that is not MTN\'s', call: () => kowriCall(t, 'payNow', { amount: '5', provider: 'MTN_MONEY', walletRef: '0204123456', transactionId: 'bad-tx-2' }) },
      ],
      statusNames: {
        created: 'OPEN', pending: 'OPEN', authorized: 'OPEN', succeeded: 'CLOSED',
        cancelled_by_merchant: 'CANCELLED', cancelled_by_patron: 'CANCELLED', declined: 'FAILED',
        expired: 'EXPIRED', authorization_expired: 'EXPIRED', voided: 'CANCELLED',
      },
    };
  },
});
