// Centrapay against the contract every dialect passes (test/dialects/contract.ts), with the status
// names of docs/dialects/centrapay.md's table.
import type { TestGateway } from '../../harness.js';
import { runDialectContract, type DialectResponse } from '../contract.js';
import { Centrapay, demoCredentials, send } from './client.js';

/**
 * Centrapay amounts are cent strings. The contract's state cases create "10.00" (a major-unit text):
 * that one is turned into cents here so that those cases test status names, not amount parsing.
 */
function cents(amount: string): string {
  if (!amount.includes('.')) return amount;
  const [units = '0', fraction = ''] = amount.split('.');
  return (BigInt(units) * 100n + BigInt(fraction.padEnd(2, '0').slice(0, 2))).toString();
}

const asResponse = (r: { status: number; body: unknown }): DialectResponse => ({ status: r.status, body: r.body });

runDialectContract({
  name: 'centrapay',
  supportsManualCapture: true,
  client(t: TestGateway) {
    const set = demoCredentials(t);
    const cp = new Centrapay(t, set.apiKey, set);
    const create = (body: Record<string, unknown>) => cp.call('POST', '/payment-requests', { body }).then(asResponse);
    return {
      withoutCredentials: async () => asResponse(await send(t, 'GET', '/centrapay/api/payment-requests/pr_00000000000000000000000000')),
      withWrongCredentials: async () => asResponse(await send(t, 'GET', '/centrapay/api/payment-requests/pr_00000000000000000000000000', { apiKey: `${set.apiKey}x` })),
      authHeaders: () => ({ 'x-api-key': set.apiKey }),
      isRefusal: (response) => {
        const body = response.body as { statusCode?: unknown; error?: unknown; message?: unknown } | null;
        return !!body && body.statusCode === response.status && typeof body.error === 'string' && typeof body.message === 'string' && body.message.length > 0;
      },
      async create(amount, options) {
        const res = await cp.create({ preAuth: options?.manualCapture === true }, cents(amount));
        if (res.status !== 200) throw new Error(`create failed: ${res.text}`);
        return (res.body as { id: string }).id;
      },
      async read(id) {
        const body = (await cp.read(id)) as { value: { amount: string }; status: string };
        return { amount: body.value.amount, status: body.status };
      },
      // Monetary is 0 < amount < 100000000 cents (the spec): 99999999 is the largest
      amounts: [['1', 1, '1'], ['1050', 1050, '1050'], ['99', 99, '99'], ['12345678', 12345678, '12345678'], ['99999999', 99_999_999, '99999999']],
      badInputs: [
        { name: 'decimal amount', call: () => create(cp.body({}, '10.50')) },
        { name: 'negative amount', call: () => create(cp.body({}, '-5')) },
        { name: 'zero amount', call: () => create(cp.body({}, '0')) },
        { name: 'not a number', call: () => create(cp.body({}, 'abc')) },
        { name: 'a number, not a string', call: () => create({ configId: set.configId, value: { amount: 1050, currency: 'NZD' } }) },
        { name: 'above 10^12 cents', call: () => create(cp.body({}, '1000000000001')) },
        { name: '100000000 cents (the Monetary bound)', call: () => create(cp.body({}, '100000000')) },
        { name: 'unknown currency', call: () => create({ configId: set.configId, value: { amount: '1050', currency: 'XYZ' } }) },
        { name: 'no configId', call: () => create({ value: { amount: '1050', currency: 'NZD' } }) },
        { name: 'wrong configId', call: () => create(cp.body({ configId: 'cfg_00000000000000000000000000' })) },
        { name: 'expirySeconds 5', call: () => create(cp.body({ expirySeconds: 5 })) },
        { name: 'line items not summing', call: () => create(cp.body({ lineItems: [{ name: 'A', qty: '1', price: '1' }] })) },
        { name: 'unknown terminalId', call: () => create(cp.body({ terminalId: 'no-such-till' })) },
        { name: 'malformed JSON', call: async () => asResponse(await cp.call('POST', '/payment-requests', { rawBody: '{"configId":' })) },
        { name: 'unknown request', call: async () => asResponse(await cp.cancel('pr_00000000000000000000000000')) },
      ],
      statusNames: {
        created: 'new', pending: 'new', authorized: 'new', succeeded: 'paid',
        cancelled_by_merchant: 'cancelled', cancelled_by_patron: 'cancelled', declined: 'cancelled',
        expired: 'expired', authorization_expired: 'cancelled', voided: 'cancelled',
      },
    };
  },
});
