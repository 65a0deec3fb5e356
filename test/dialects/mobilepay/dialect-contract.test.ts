// MobilePay against the contract every dialect passes.
import type { MobilePayCredentials } from '../../../src/dialects/mobilepay/index.js';
import type { TestGateway } from '../../harness.js';
import { runDialectContract, type DialectResponse } from '../contract.js';

async function call(t: TestGateway, op: string, params: Record<string, string>, credentials: Partial<MobilePayCredentials> | null): Promise<DialectResponse> {
  const auth: Record<string, string> = credentials ? { accessToken: credentials.accessToken ?? "", bioCode: credentials.bioCode ?? "" } : {};
  const response = await fetch(`${t.url}/mobilepay/api/pos/${op}?${new URLSearchParams({ ...params, ...auth })}`);
  return { status: response.status, body: await response.json() };
}

runDialectContract({
  name: 'mobilepay',
  supportsManualCapture: true,
  client(t) {
    const mp = t.gateway.demo.mobilepay as MobilePayCredentials;
    const as = (op: string, params: Record<string, string>) => call(t, op, params, mp);
    const start = (amount: string) => as('payment/start', { orderId: `order-${amount}`, amount, terminalId: mp.terminalId });
    return {
      withoutCredentials: () => call(t, 'payments', {}, null),
      withWrongCredentials: () => call(t, 'payments', {}, { ...mp, accessToken: `${mp.accessToken}x` }),
      authHeaders: () => ({}),
      isRefusal: (response) => {
        const body = response.body as { success?: unknown; errors?: unknown };
        return body.success === false && Array.isArray(body.errors) && body.errors.length > 0 && typeof body.errors[0] === 'string';
      },
      async create(amount) {
        const response = await start(amount);
        if (response.status !== 200) throw new Error(`start failed: ${JSON.stringify(response.body)}`);
        return (response.body as { paymentId: string }).paymentId;
      },
      async read(paymentId) {
        const body = (await as('payment/details', { paymentId })).body as { amount: string; status: string };
        return { amount: body.amount, status: body.status };
      },
      amounts: [['0.01', 1, '0.01'], ['27.5', 2750, '27.50'], ['100', 10000, '100.00'], ['12345678.99', 1234567899, '12345678.99'], ['10000000000', 1_000_000_000_000, '10000000000.00']],
      badInputs: [
        { name: 'three decimals', call: () => start('12.345') },
        { name: 'negative', call: () => start('-1') },
        { name: 'zero', call: () => start('0') },
        { name: 'exponent', call: () => start('1e3') },
        { name: 'not a number', call: () => start('abc') },
        { name: 'comma decimal', call: () => start('12,50') },
        { name: 'above the limit', call: () => start('10000000000.01') },
        { name: 'unknown currency', call: () => as('payment/start', { orderId: 'o', amount: '1.00', terminalId: mp.terminalId, currencyCode: 'USD' }) },
        { name: 'no orderId', call: () => as('payment/start', { amount: '1.00', terminalId: mp.terminalId }) },
        { name: 'unknown terminal', call: () => as('payment/start', { orderId: 'o', amount: '1.00', terminalId: 'no-such-till' }) },
        { name: 'malformed paymentId', call: () => as('payment/capture', { paymentId: 'pr_123' }) },
      ],
      statusNames: {
        created: 'Initiated', pending: 'IssuedToUser', authorized: 'Reserved', succeeded: 'Captured',
        cancelled_by_merchant: 'CancelledByClient', cancelled_by_patron: 'CancelledByUser', declined: 'CancelledByUser',
        expired: 'CancelledByMobilePay', authorization_expired: 'ExpiredAndCancelled', voided: 'CancelledByClient',
      },
    };
  },
});
