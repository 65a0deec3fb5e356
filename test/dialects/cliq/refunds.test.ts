// payment/refund: accepted, pending (the customer is asked for an address), then completed or
// failed; never more than is refundable; underpaid and overpaid refund exactly the short payment's
// money or the excess. Both hash formulas.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../../harness.js';
import { cliqCall, createPayment, demoSet, getPayment, md5, refund, sandboxPay, sandboxRefund } from './client.js';

let t: TestGateway;
beforeAll(async () => { t = await startGateway(); });
afterAll(async () => t.close());

const native = async (id: string) => (await t.api('GET', `/v1/payment-requests/${id}`)).body;
let n = 0;
async function paid(amount: string, payMinor: string) {
  const created = (await createPayment(t, { amount, reference: `rf-${++n}` })).body;
  if (payMinor !== '0') await sandboxPay(t, created.payment_code, payMinor);
  return { ...created, reference: `rf-${n}`, amount };
}
const view = async (p: { reference: string; amount: string }) => (await getPayment(t, { reference: p.reference }, p.amount)).body.payment;

describe('cliq refunds', () => {
  it('full: accepted as pending, then completed; the payment shows refunded; a second full refund answers the same one', async () => {
    const p = await paid('20.00', '2000');
    const asked = await refund(t, { payment_code: p.payment_code, refund_type: 'full', amount: '20.00', email: 'c@example.com', remarks: 'wrong size' });
    expect(asked.status).toBe(200);
    expect(asked.body).toMatchObject({ status: 'ok', refund: { refund_type: 'full', amount: '20.00', asset: 'USD', status: 'pending' } });
    expect((await view(p)).payment_status).toBe('paid'); // pending refunds change nothing yet
    const again = await refund(t, { payment_code: p.payment_code, refund_type: 'full', amount: '20.00' });
    expect(again.body.refund.refund_id).toBe(asked.body.refund.refund_id);
    const done = await sandboxRefund(t, asked.body.refund.refund_id, 'completed');
    expect(done.body).toMatchObject({ status: 'ok', refund: { status: 'completed', refund_type: 'full' } });
    const after = await view(p);
    expect(after).toMatchObject({ payment_status: 'refunded', refunded_asset_amount: '20.00' });
    expect(after.refunds).toEqual([{ refund_id: asked.body.refund.refund_id, refund_type: 'full', amount: '20.00', asset: 'USD', status: 'completed' }]);
    expect(await native(p.paymentId)).toMatchObject({ amountRefunded: 2000 });
  });

  it('partial: several, each ≤ what is refundable (pending ones count); a failed one frees its amount', async () => {
    const p = await paid('20.00', '2000');
    const first = await refund(t, { payment_code: p.payment_code, refund_type: 'partial', amount: '12.00' });
    expect(first.body.refund).toMatchObject({ status: 'pending', amount: '12.00' });
    const tooMuch = await refund(t, { payment_code: p.payment_code, refund_type: 'partial', amount: '8.01' });
    expect(tooMuch).toMatchObject({ status: 409, body: { status: 'nok', message: 'Request Refund Failed!' } });
    expect(tooMuch.body.error).toMatch(/Cannot refund USD 8.01: USD 8.00 of the USD 20.00 captured is still refundable/);
    expect((await sandboxRefund(t, first.body.refund.refund_id, 'failed')).body.refund.status).toBe('failed');
    const second = await refund(t, { payment_code: p.payment_code, refund_type: 'partial', amount: '20.00' });
    expect(second.body.refund.status).toBe('pending');
    await sandboxRefund(t, second.body.refund.refund_id, 'completed');
    expect((await view(p)).payment_status).toBe('refunded');
    // a full refund after everything went back is more than is refundable
    expect((await refund(t, { payment_code: p.payment_code, refund_type: 'full', amount: '20.00' })).status).toBe(409);
    // a settled refund is not settled twice
    expect((await sandboxRefund(t, second.body.refund.refund_id, 'completed')).status).toBe(409);
  });

  it('overpaid: exactly the excess, and only of an overpaid payment; the full amount stays refundable', async () => {
    const p = await paid('20.00', '2600');
    const wrong = await refund(t, { payment_code: p.payment_code, refund_type: 'overpaid', amount: '5.00' });
    expect(wrong).toMatchObject({ status: 400, body: { status: 'nok' } });
    expect(wrong.body.error).toMatch(/exactly 6.00 USD/);
    const excess = await refund(t, { payment_code: p.payment_code, refund_type: 'overpaid', amount: '6.00' });
    expect(excess.body.refund).toMatchObject({ refund_type: 'overpaid', amount: '6.00', status: 'pending' });
    await sandboxRefund(t, excess.body.refund.refund_id, 'completed');
    const full = await refund(t, { payment_code: p.payment_code, refund_type: 'full', amount: '20.00' });
    expect(full.body.refund.status).toBe('pending');
    await sandboxRefund(t, full.body.refund.refund_id, 'completed');
    expect(await native(p.paymentId)).toMatchObject({ amountRefunded: 2600, amountCaptured: 2600 });
    const exact = await paid('20.00', '2000');
    expect((await refund(t, { payment_code: exact.payment_code, refund_type: 'overpaid', amount: '0.01' })).body.error).toMatch(/not overpaid/);
  });

  it('underpaid: exactly what the short payment received; the payment ends and its money goes back', async () => {
    const p = await paid('20.00', '700');
    expect((await refund(t, { payment_code: p.payment_code, refund_type: 'underpaid', amount: '20.00' })).body.error).toMatch(/exactly 7.00 USD/);
    const back = await refund(t, { payment_code: p.payment_code, refund_type: 'underpaid', amount: '7.00' });
    expect(back.body).toMatchObject({ status: 'ok', refund: { refund_type: 'underpaid', amount: '7.00', status: 'pending' } });
    expect(await native(p.paymentId)).toMatchObject({ status: 'cancelled', amountCaptured: 700, amountRefunded: 0 });
    await sandboxRefund(t, back.body.refund.refund_id, 'completed');
    expect((await view(p)).payment_status).toBe('refunded');
    const whole = await paid('20.00', '2000');
    expect((await refund(t, { payment_code: whole.payment_code, refund_type: 'underpaid', amount: '20.00' })).body.error).toMatch(/not underpaid/);
  });

  it('underpaid asked again (its answer lost, or sent twice at once) answers the same refund, as full and overpaid do; a native cancel\'s return is not one', async () => {
    const p = await paid('20.00', '700');
    const ask = () => refund(t, { payment_code: p.payment_code, refund_type: 'underpaid', amount: '7.00' });
    const [first, second] = await Promise.all([ask(), ask()]);
    const again = await ask();
    for (const answer of [first, second, again]) {
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(answer.body).toMatchObject({ status: 'ok', refund: { refund_type: 'underpaid', amount: '7.00', status: 'pending' } });
    }
    expect(new Set([first, second, again].map((a) => a.body.refund.refund_id)).size).toBe(1);
    expect((await view(p)).refunds).toHaveLength(1);
    expect(await native(p.paymentId)).toMatchObject({ status: 'cancelled', amountCaptured: 700 });
    // settled, a repeat still answers it (as it is now); another amount is still refused
    await sandboxRefund(t, first.body.refund.refund_id, 'completed');
    expect((await ask()).body.refund).toMatchObject({ refund_id: first.body.refund.refund_id, status: 'completed' });
    expect((await refund(t, { payment_code: p.payment_code, refund_type: 'underpaid', amount: '6.00' })).status).toBe(409);
    // a payment a native cancel ended (its part returned) had no underpaid refund: still refused
    const cancelled = await paid('20.00', '500');
    expect((await t.api('POST', `/v1/payment-requests/${cancelled.paymentId}/cancel`, { body: {} })).status).toBe(200);
    const refused = await refund(t, { payment_code: cancelled.payment_code, refund_type: 'underpaid', amount: '5.00' });
    expect([refused.status, refused.body.error]).toEqual([409, expect.stringMatching(/not underpaid/)]);
  });

  it('the native sandbox settles a pending crypto refund too (the channel\'s later answer, taken once)', async () => {
    const p = await paid('20.00', '2000');
    const asked = (await refund(t, { payment_code: p.payment_code, refund_type: 'partial', amount: '4.00' })).body.refund;
    const settled = await t.api('POST', `/v1/sandbox/refunds/${asked.refund_id}/outcome`, { body: { outcome: 'succeeded' } });
    expect(settled.body).toMatchObject({ id: asked.refund_id, status: 'succeeded', amount: 400 });
    expect((await t.api('POST', `/v1/sandbox/refunds/${asked.refund_id}/outcome`, { body: { outcome: 'failed' } })).status).toBe(409);
    expect((await view(p)).refunds[0]).toMatchObject({ refund_id: asked.refund_id, status: 'completed' });
  });

  it('a refund of a payment not paid, an unknown type, a bad amount or a wrong hash: nok, nothing made', async () => {
    const unpaid = await paid('20.00', '0');
    expect((await refund(t, { payment_code: unpaid.payment_code, refund_type: 'partial', amount: '1.00' })).status).toBe(409);
    const p = await paid('20.00', '2000');
    expect((await refund(t, { payment_code: p.payment_code, refund_type: 'some', amount: '1.00' })).body.error).toMatch(/refund_type must be one of/);
    expect((await refund(t, { payment_code: p.payment_code, refund_type: 'partial', amount: '1.001' })).body.error).toMatch(/more than the 2 decimals/);
    expect((await refund(t, { payment_code: p.payment_code, refund_type: 'partial', amount: '1.00' }, { hash: md5('x') })).status).toBe(401);
    expect((await view(p)).refunds).toEqual([]);
  });

  it('the hash may be key+asset+amount (as documented) or key+payment_code+amount', async () => {
    const p = await paid('20.00', '2000');
    const { key, apiSecret } = demoSet(t);
    const byCode = await refund(t, { payment_code: p.payment_code, refund_type: 'partial', amount: '1.00' }, { hash: md5(key, p.payment_code, '1.00', apiSecret) });
    expect(byCode.body.status).toBe('ok');
    const byAsset = await refund(t, { payment_code: p.payment_code, refund_type: 'partial', amount: '2.00' }, { hash: md5(key, 'USD', '2.00', apiSecret) });
    expect(byAsset.body.status).toBe('ok');
    // and as a form, as every call may be
    const form = await cliqCall(t, '/api/payment/refund', { payment_code: p.payment_code, refund_type: 'partial', amount: '3.00', key, hash: md5(key, 'USD', '3.00', apiSecret) }, { form: true });
    expect(form.body).toMatchObject({ status: 'ok', refund: { amount: '3.00', status: 'pending' } });
    expect((await view(p)).refunds.map((r: { amount: string }) => r.amount)).toEqual(['1.00', '2.00', '3.00']);
  });
});
