// Crypto arriving on the seam's protocol: seen (unconfirmed), then confirmed; exact, under- and
// overpaid; a payment seen after its quote expired is still credited. Quotes and re-quotes on the
// merchant's test clock (no sleeping).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../../harness.js';
import { advance, createPayment, getPayment, getUpdate, sandboxConfirm, sandboxPay } from './client.js';

let t: TestGateway;
beforeAll(async () => { t = await startGateway(); });
afterAll(async () => t.close());

const native = async (id: string) => (await t.api('GET', `/v1/payment-requests/${id}`)).body;
const status = async (reference: string, amount: string) => (await getPayment(t, { reference }, amount)).body.payment;

describe('cliq crypto payments', () => {
  it('an exact payment, seen first then confirmed: pending → unconfirmed → paid, nothing missing', async () => {
    const created = (await createPayment(t, { amount: '20.00', reference: 'cr-exact' })).body;
    expect((await status('cr-exact', '20.00')).payment_status).toBe('pending');
    const seen = await sandboxPay(t, created.payment_code, '2000', { txid: 'tx-exact', confirmed: 'false' });
    expect(seen.body).toMatchObject({ status: 'ok', txid: 'tx-exact' });
    expect(await status('cr-exact', '20.00')).toMatchObject({ payment_status: 'unconfirmed', received_amount: '0.00000000', payment_missing_amount: '0.00039304' });
    expect((await native(created.paymentId)).amountReceived).toBe(0); // not counted until confirmed
    expect((await sandboxConfirm(t, created.payment_code, 'tx-exact')).body.status).toBe('ok');
    expect(await status('cr-exact', '20.00')).toMatchObject({ payment_status: 'paid', received_amount: '0.00039304', payment_missing_amount: '0.00000000', received_asset_amount: '20.00' });
    expect(await native(created.paymentId)).toMatchObject({ status: 'succeeded', amountReceived: 2000, paymentMethod: 'crypto' });
    // the same transaction confirmed again is taken once
    await sandboxConfirm(t, created.payment_code, 'tx-exact');
    await sandboxPay(t, created.payment_code, '2000', { txid: 'tx-exact' });
    expect((await native(created.paymentId)).amountReceived).toBe(2000);
  });

  it('part of it, then the rest: underpaid with payment_missing_amount falling, then paid', async () => {
    const created = (await createPayment(t, { amount: '20.00', reference: 'cr-under' })).body;
    await sandboxPay(t, created.payment_code, '500');
    const short = await status('cr-under', '20.00');
    // $15.00 still missing at $50,885.41: 29,477.9… → 29,478 sats (up); received = price − missing
    expect(short).toMatchObject({ payment_status: 'underpaid', payment_amount: '0.00039304', payment_missing_amount: '0.00029478', received_amount: '0.00009826', received_asset_amount: '5.00' });
    expect((await native(created.paymentId)).status).toBe('pending');
    await sandboxPay(t, created.payment_code, '1500');
    expect(await status('cr-under', '20.00')).toMatchObject({ payment_status: 'paid', payment_missing_amount: '0.00000000', received_amount: '0.00039304' });
  });

  it('more than asked: paid and overpaid, received_amount above payment_amount, the excess held (refundable)', async () => {
    const created = (await createPayment(t, { amount: '20.00', reference: 'cr-over' })).body;
    await sandboxPay(t, created.payment_code, '2500');
    // $5.00 excess = 9,825.9… → 9,825 sats on top of the price
    expect(await status('cr-over', '20.00')).toMatchObject({ payment_status: 'overpaid', received_amount: '0.00049129', payment_missing_amount: '0.00000000', received_asset_amount: '25.00' });
    expect(await native(created.paymentId)).toMatchObject({ status: 'succeeded', overpaid: true, amountReceived: 2500, amountCaptured: 2500 });
  });

  it('a quote expires on the test clock; getupdate re-quotes it (new address, invoice and expiry), and a late payment is still credited', async () => {
    const created = (await createPayment(t, { amount: '20.00', reference: 'cr-late' })).body;
    const fresh = await getUpdate(t, { reference: 'cr-late' }, '20.00');
    expect(fresh.body.payment.payment_address).toBe(created.payment_address); // not expired: the same quote
    await advance(t, 15 * 60);
    expect((await status('cr-late', '20.00')).payment_status).toBe('expired');
    const renewed = (await getUpdate(t, { reference: 'cr-late' }, '20.00')).body.payment;
    expect(renewed.payment_address).not.toBe(created.payment_address);
    expect(renewed.payment_payreq).not.toBe(created.payment_payreq);
    // 15 minutes from the renewal, itself 15 minutes (and the test's own few milliseconds) later
    expect(renewed.expires_at - created.expires_at).toBeGreaterThanOrEqual(15 * 60);
    expect(renewed.expires_at - created.expires_at).toBeLessThanOrEqual(15 * 60 + 2);
    expect(renewed).toMatchObject({ payment_amount: '0.00039304', exchange_rate: '50885.41' });
    expect((await status('cr-late', '20.00')).payment_status).toBe('pending');
    // the customer paid the old quote after it ran out: credited all the same
    await advance(t, 20 * 60);
    await sandboxPay(t, created.payment_code, '2000');
    expect((await status('cr-late', '20.00')).payment_status).toBe('paid');
    // a paid payment answers getupdate ok, without a new quote
    expect((await getUpdate(t, { reference: 'cr-late' }, '20.00')).body).toMatchObject({ status: 'ok', payment: { payment_address: renewed.payment_address, payment_missing_amount: '0.00000000' } });
  });

  it('after a part payment getupdate prices the rest: a new invoice for what is missing', async () => {
    const created = (await createPayment(t, { amount: '20.00', reference: 'cr-rest' })).body;
    await sandboxPay(t, created.payment_code, '1000');
    const rest = (await getUpdate(t, { reference: 'cr-rest' }, '20.00')).body.payment;
    expect(rest).toMatchObject({ payment_amount: '0.00039304', payment_missing_amount: '0.00019652' });
    expect(rest.payment_payreq).not.toBe(created.payment_payreq);
  });

  it('a payment that ended (the payment itself expired) takes no more crypto and getupdate says so', async () => {
    const created = (await createPayment(t, { amount: '3.00', reference: 'cr-ended' })).body;
    await advance(t, 24 * 3600 + 1);
    const late = await sandboxPay(t, created.payment_code, '300');
    expect(late).toMatchObject({ status: 409, body: { status: 'nok' } });
    expect((await getUpdate(t, { reference: 'cr-ended' }, '3.00'))).toMatchObject({ status: 409, body: { status: 'nok', message: 'Get Payment Detail Failed!' } });
    expect((await status('cr-ended', '3.00')).payment_status).toBe('expired');
    expect((await native(created.paymentId)).amountReceived).toBe(0);
  });
});
