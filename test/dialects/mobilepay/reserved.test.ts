// What posgate keeps for itself stays its own: refund references starting posgate: belong to its
// own returns (a void must still work), and an unknown operation names no MobilePay code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../../harness.js';
import { capturedPayment, demoClient, expectRefused, freshPos, resolve, rowCounts } from './client.js';

let t: TestGateway;
beforeAll(async () => { t = await startGateway(); });
afterAll(async () => t.close());

describe('reserved to posgate', () => {
  it('a refundOrderId starting posgate: is 400 1114 and writes nothing; the payment can still be voided', async () => {
    const mp = demoClient(t);
    const pos = await freshPos(t, mp);
    const paymentId = await capturedPayment(t, mp, pos, '50.00');
    const before = await rowCounts(t);
    expectRefused(await mp.get('refund/create', { paymentId, amount: '10.00', refundOrderId: 'posgate:return' }), 400, '1114');
    expect(await rowCounts(t)).toEqual(before);
    const voided = await t.api('POST', `/v1/payment-requests/${await resolve(t, paymentId)}/void`);
    expect(voided.status).toBe(200);
    expect(voided.body).toMatchObject({ status: 'cancelled', statusReason: 'voided', amountRefunded: 5000 });
  });

  it('an unknown operation is 404 with no MobilePay error code', async () => {
    expectRefused(await demoClient(t).get('payment/teleport', {}), 404, null);
  });
});
