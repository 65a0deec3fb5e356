// CLIQ against the contract every dialect passes.
import type { TestGateway } from '../../harness.js';
import { runDialectContract, type DialectResponse } from '../contract.js';
import { cliqCall, createPayment, demoSet, getPayment, md5 } from './client.js';

runDialectContract({
  name: 'cliq',
  supportsManualCapture: false,
  client(t: TestGateway) {
    let n = 0;
    /** The amount text each payment was made with: its hashes use it. */
    const sentAmounts = new Map<string, string>();
    const { key, apiSecret } = demoSet(t);
    return {
      withoutCredentials: () => cliqCall(t, '/api/payment/get', { reference: 'nothing' }),
      withWrongCredentials: () => cliqCall(t, '/api/payment/get', { reference: 'nothing', key: `${key}x`, hash: md5(`${key}x`, 'nothing', '1.00', apiSecret) }),
      authHeaders: () => ({}),
      isRefusal: (response: DialectResponse) => {
        const body = response.body as { status?: unknown; message?: unknown; error?: unknown };
        return body.status === 'nok' && typeof body.message === 'string' && typeof body.error === 'string';
      },
      async create(amount) {
        const reference = `contract-${++n}`;
        const response = await createPayment(t, { amount, reference });
        if (response.status !== 200 || response.body.status !== 'ok') throw new Error(`create failed: ${JSON.stringify(response.body)}`);
        sentAmounts.set(reference, amount);
        return reference;
      },
      async read(reference) {
        const { body } = await getPayment(t, { reference }, sentAmounts.get(reference) ?? '');
        return { amount: body.payment.amount, status: body.payment.payment_status };
      },
      amounts: [['10.00', 1000, '10.00'], ['0.01', 1, '0.01'], ['5', 500, '5.00'], ['12.5', 1250, '12.50'], ['10000000000.00', 1_000_000_000_000, '10000000000.00']],
      badInputs: [
        { name: 'three decimals for USD', call: () => createPayment(t, { amount: '12.345', reference: 'bad-1' }) },
        { name: 'zero', call: () => createPayment(t, { amount: '0', reference: 'bad-2' }) },
        { name: 'zero with decimals', call: () => createPayment(t, { amount: '0.00', reference: 'bad-2b' }) },
        { name: 'negative', call: () => createPayment(t, { amount: '-1.00', reference: 'bad-3' }) },
        { name: 'not a number', call: () => createPayment(t, { amount: 'abc', reference: 'bad-4' }) },
        { name: 'over the maximum', call: () => createPayment(t, { amount: '10000000000.01', reference: 'bad-5' }) },
        { name: 'a number, not text', call: () => createPayment(t, { amount: 12 as unknown as string, reference: 'bad-6' }) },
        { name: 'unsupported asset', call: () => createPayment(t, { amount: '1.00', asset: 'XYZ', reference: 'bad-7' }) },
        { name: 'an asset with no BTC rate', call: () => createPayment(t, { amount: '100', asset: 'XOF', reference: 'bad-7b' }) },
        { name: 'btc as the settlement asset', call: () => createPayment(t, { amount: '1.00', asset: 'btc', reference: 'bad-8' }) },
        { name: 'BTC as the settlement asset', call: () => createPayment(t, { amount: '1.00', asset: 'BTC', reference: 'bad-8b' }) },
        { name: 'requested asset not BTC', call: () => createPayment(t, { amount: '1.00', requested_asset: 'ETH', reference: 'bad-9' }) },
        { name: 'no reference', call: () => createPayment(t, { amount: '1.00', reference: '' }) },
        { name: 'no description', call: () => createPayment(t, { amount: '1.00', reference: 'bad-10', description: '' }) },
        { name: 'postback_url not a URL', call: () => createPayment(t, { amount: '1.00', reference: 'bad-11', postback_url: 'nowhere' }) },
        { name: 'unknown field', call: () => createPayment(t, { amount: '1.00', reference: 'bad-12', currency: 'USD' }) },
        { name: 'wrong hash', call: () => createPayment(t, { amount: '1.00', reference: 'bad-13' }, { hash: md5(key, 'USD', '1.00', 'not-the-secret') }) },
        { name: 'hash over another amount', call: () => createPayment(t, { amount: '1.00', reference: 'bad-14' }, { hash: md5(key, 'USD', '2.00', apiSecret) }) },
        { name: 'getupdate with neither reference nor payment_code', call: () => cliqCall(t, '/api/payment-pos/getupdate', { key, hash: md5(key, '1.00', apiSecret) }) },
        { name: 'getupdate with both', call: () => cliqCall(t, '/api/payment-pos/getupdate', { key, reference: 'a', payment_code: 'b', hash: md5(key, 'a', '1.00', apiSecret) }) },
        { name: 'not JSON', call: () => cliqCall(t, '/api/payment-pos/post', null, { rawBody: '{"amount":', contentType: 'application/json' }) },
        { name: 'a JSON list', call: () => cliqCall(t, '/api/payment-pos/post', null, { rawBody: '[]', contentType: 'application/json' }) },
        { name: 'no body', call: () => cliqCall(t, '/api/payment-pos/post', null) },
        { name: 'plain text', call: () => cliqCall(t, '/api/payment-pos/post', null, { rawBody: 'amount=1', contentType: 'text/plain' }) },
        { name: 'a GET', call: async () => {
          const response = await fetch(`${t.url}/cliq/api/payment-pos/post`);
          return { status: response.status, body: await response.json() };
        } },
      ],
      statusNames: {
        created: 'pending', pending: 'pending', authorized: 'unconfirmed', succeeded: 'paid',
        cancelled_by_merchant: 'cancelled', cancelled_by_patron: 'cancelled', declined: 'failed',
        expired: 'expired', authorization_expired: 'expired', voided: 'refunded',
      },
    };
  },
});
