// KPAY against the contract every dialect passes.
import type { TestGateway } from '../../harness.js';
import { runDialectContract, type DialectResponse } from '../contract.js';
import { create, demoKey, kpayCall, PREFIX, requery } from './client.js';

/** The suite speaks in major units ("10.00"); KPAY takes kobo strings. */
const koboOf = (amount: string) => (amount.includes('.') ? String(Math.round(Number(amount) * 100)) : amount);

runDialectContract({
  name: 'kpay',
  supportsManualCapture: false,
  client(t: TestGateway) {
    let n = 0;
    const make = (body: Record<string, unknown>) => create(t, body);
    return {
      withoutCredentials: () => requery(t, 'nothing', null),
      withWrongCredentials: () => requery(t, 'nothing', `${demoKey(t)}x`),
      authHeaders: () => ({ authorization: `Bearer ${demoKey(t)}` }),
      isRefusal: (response: DialectResponse) => {
        const body = response.body as { responseCode?: unknown; responseMessage?: unknown; data?: unknown };
        return typeof body.responseCode === 'string' && !['00', '09'].includes(body.responseCode) && typeof body.responseMessage === 'string' && body.data === null;
      },
      async create(amount) {
        const response = await make({ reference: `contract-${++n}`, amount: koboOf(amount) });
        if (response.status !== 200 || response.body.responseCode !== '09') throw new Error(`create failed: ${JSON.stringify(response.body)}`);
        return response.body.data.reference as string;
      },
      async read(reference) {
        const { body } = await requery(t, reference);
        return { amount: body.data.amount, status: body.data.status };
      },
      amounts: [['1', 1, '1'], ['150000', 150000, '150000'], ['1000000000000', 1_000_000_000_000, '1000000000000']],
      badInputs: [
        { name: 'decimal amount', call: () => make({ amount: '15.00' }) },
        { name: 'negative', call: () => make({ amount: '-1' }) },
        { name: 'zero', call: () => make({ amount: '0' }) },
        { name: 'not a number', call: () => make({ amount: 'abc' }) },
        { name: 'number, not string', call: () => make({ amount: 150000 }) },
        { name: 'over the maximum', call: () => make({ amount: '1000000000001' }) },
        { name: 'no amount', call: () => make({ reference: 'no-amount' }) },
        { name: 'unknown field', call: () => make({ amount: '100', currency: 'NGN' }) },
        { name: 'reference too long', call: () => make({ amount: '100', reference: 'r'.repeat(65) }) },
        { name: 'missing body', call: () => kpayCall(t, 'POST', PREFIX) },
        { name: 'wrong content type', call: () => kpayCall(t, 'POST', PREFIX, { rawBody: 'amount=100', headers: { 'content-type': 'application/x-www-form-urlencoded' } }) },
        { name: 'not JSON', call: () => kpayCall(t, 'POST', PREFIX, { rawBody: '{"amount":' }) },
      ],
      statusNames: {
        created: 'PENDING', pending: 'PENDING', authorized: 'PENDING', succeeded: 'SUCCESSFUL',
        cancelled_by_merchant: 'CANCELLED', cancelled_by_patron: 'CANCELLED', declined: 'FAILED',
        expired: 'EXPIRED', authorization_expired: 'EXPIRED', voided: 'CANCELLED',
      },
    };
  },
});
