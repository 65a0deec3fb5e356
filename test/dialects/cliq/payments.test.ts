// The CLIQ calls, from the seed and the spec: validate, payment-pos/post, getupdate and
// payment/get, with each call's hash formula, JSON and form bodies.
import bolt11 from 'bolt11';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../../harness.js';
import { cliqCall, createPayment, demoSet, getPayment, getUpdate, md5 } from './client.js';

let t: TestGateway;
beforeAll(async () => { t = await startGateway(); });
afterAll(async () => t.close());

const TESTNET = { bech32: 'tb', pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1] };

describe('cliq payments', () => {
  it('validate: ok with md5(api_secret), nok with any other hash', async () => {
    const { key, apiSecret } = demoSet(t);
    expect(await cliqCall(t, '/api/validate', { key, hash: md5(apiSecret) })).toMatchObject({ status: 200, body: { status: 'ok' } });
    const wrong = await cliqCall(t, '/api/validate', { key, hash: md5('nope') });
    expect(wrong).toMatchObject({ status: 401, body: { status: 'nok', message: 'Validate Credentials Failed!' } });
    expect(wrong.body.error).toMatch(/hash/);
  });

  it('payment-pos/post quotes the amount in BTC: amount ÷ rate in satoshi rounded up, an address, a BOLT11 invoice, an expiry', async () => {
    const clockSeconds = async () => Math.floor(Date.parse((await t.api('GET', '/v1/sandbox/clock')).body.now) / 1000);
    const before = await clockSeconds();
    const created = await createPayment(t, { amount: '20.00', reference: 'pay-1', description: 'Two coffees' });
    const after = await clockSeconds();
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      status: 'ok', message: 'Create POS Payment Successfully', payment_amount: '0.00039304', payment_amount_asset: 'BTC', exchange_rate: '50885.41',
    });
    expect(created.body.paymentId).toMatch(/^pr_/);
    expect(created.body.payment_code).toMatch(/^[A-Za-z0-9]{10}$/);
    expect(created.body.payment_address).toMatch(/^tb1q/);
    // 15 minutes from when it was made, on the merchant's clock
    expect(created.body.expires_at).toBeGreaterThanOrEqual(before + 15 * 60);
    expect(created.body.expires_at).toBeLessThanOrEqual(after + 15 * 60);
    const invoice = bolt11.decode(created.body.payment_payreq, TESTNET);
    expect(invoice.satoshis).toBe(39_304);
    expect(invoice.timeExpireDate).toBe(created.body.expires_at);
    // the request itself is kept in the settlement asset's minor units
    const native = (await t.api('GET', `/v1/payment-requests/${created.body.paymentId}`)).body;
    expect(native).toMatchObject({ amount: 2000, currency: 'USD', reference: 'pay-1', status: 'created', description: 'Two coffees' });
  });

  it('a form body works as JSON does, and the same reference and body answers the same payment', async () => {
    const form = await createPayment(t, { amount: '5', reference: 'pay-form', personal_email: 'a@example.com', cart_items: 'Tea,green,1,5.00' }, { form: true });
    expect(form.body).toMatchObject({ status: 'ok', payment_amount: '0.00009826' });
    const again = await createPayment(t, { amount: '5', reference: 'pay-form', personal_email: 'a@example.com', cart_items: 'Tea,green,1,5.00' }, { form: true });
    expect(again.body.payment_code).toBe(form.body.payment_code);
    const other = await createPayment(t, { amount: '6', reference: 'pay-form' });
    expect(other).toMatchObject({ status: 409, body: { status: 'nok' } });
    const get = await getPayment(t, { payment_code: form.body.payment_code }, '5', { form: true });
    expect(get.body.payment).toMatchObject({ amount: '5.00', asset: 'USD', payment_status: 'pending', reference: 'pay-form', received_amount: '0.00000000' });
  });

  it('a form field given twice is refused, naming it, and no payment is made (it was read as its last value)', async () => {
    const { key, apiSecret } = demoSet(t);
    const payments = async () => Number((await t.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM payment_requests'))[0]!.n);
    const before = await payments();
    const form = (extra: string) => `key=${key}&hash=${md5(key, 'USD', '10.00', apiSecret)}&asset=USD&requested_asset=BTC&amount=10.00&description=d&${extra}`;
    const twice = await cliqCall(t, '/api/payment-pos/post', null, { rawBody: form('reference=dup-a&reference=dup-b'), contentType: 'application/x-www-form-urlencoded' });
    expect(twice).toMatchObject({ status: 400, body: { status: 'nok', error: 'reference is given more than once in the form; give it once.' } });
    // the hash's own fields too: which amount was signed is not for the server to guess
    const amounts = await cliqCall(t, '/api/payment-pos/post', null, { rawBody: form('reference=dup-c&amount=10.00'), contentType: 'application/x-www-form-urlencoded' });
    expect(amounts).toMatchObject({ status: 400, body: { status: 'nok', error: 'amount is given more than once in the form; give it once.' } });
    expect(await payments()).toBe(before);
  });

  it('getupdate by reference or by payment_code, each with its own hash; the seed\'s error when neither is sent', async () => {
    const created = (await createPayment(t, { amount: '12.50', reference: 'pay-2' })).body;
    const byReference = await getUpdate(t, { reference: 'pay-2' }, '12.50');
    expect(byReference.body).toMatchObject({
      status: 'ok', message: 'Get payment detail successfully',
      payment: { paymentId: created.paymentId, payment_code: created.payment_code, payment_address: created.payment_address, payment_amount: created.payment_amount,
        payment_missing_amount: created.payment_amount, payment_amount_asset: 'BTC', payment_payreq: created.payment_payreq, expires_at: created.expires_at, exchange_rate: '50885.41' },
    });
    const byCode = await getUpdate(t, { payment_code: created.payment_code }, '12.50');
    expect(byCode.body.payment).toEqual(byReference.body.payment);
    // the hash is over the amount as created: "12.5" is another text
    expect((await getUpdate(t, { reference: 'pay-2' }, '12.5')).status).toBe(401);
    const { key, apiSecret } = demoSet(t);
    const neither = await cliqCall(t, '/api/payment-pos/getupdate', { key, hash: md5(key, '12.50', apiSecret) });
    expect(neither).toEqual({ status: 400, body: { status: 'nok', message: 'Get Payment Detail Failed!', error: 'Payment Reference or Payment Code is required', validated: false } });
    const both = await cliqCall(t, '/api/payment-pos/getupdate', { key, reference: 'pay-2', payment_code: created.payment_code, hash: md5(key, 'pay-2', '12.50', apiSecret) });
    expect(both.status).toBe(400);
    expect(both.body.error).toMatch(/only one of reference or payment_code/);
  });

  it('a body neither JSON nor a form (multipart) is 415, naming the two types CLIQ takes', async () => {
    const { key, apiSecret } = demoSet(t);
    const form = new FormData();
    for (const [name, value] of Object.entries({ key, hash: md5(apiSecret) })) form.set(name, value);
    const response = await fetch(`${t.url}/cliq/api/validate`, { method: 'POST', body: form });
    const body = await response.json() as { status: string; error: string };
    expect(response.status).toBe(415);
    expect(body).toMatchObject({ status: 'nok', message: 'Validate Credentials Failed!', validated: false });
    expect(body.error).toContain('application/x-www-form-urlencoded');
    expect(body.error).toContain('application/json');
  });
});
