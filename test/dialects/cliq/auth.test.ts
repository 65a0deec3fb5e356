// Who may call: the body's key and its MD5 hash ending in the api_secret (each call's formula);
// bad input named in CLIQ's envelope; tenants never see each other's payments; secrets never logged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../../harness.js';
import { ADMIN, cliqCall, createPayment, demoSet, getPayment, getUpdate, issueSet, md5, refund, sandboxPay, secondMerchant, type CliqSet } from './client.js';

let t: TestGateway;
let other: CliqSet;
let otherMerchant: string;
beforeAll(async () => {
  t = await startGateway();
  ({ set: other, merchantId: otherMerchant } = await secondMerchant(t));
});
afterAll(async () => t.close());

const errorOf = async (call: Promise<{ status: number; body: any }>) => {
  const response = await call;
  expect(response.body).toMatchObject({ status: 'nok', validated: false });
  return [response.status, response.body.error as string] as const;
};

describe('cliq auth and bad input', () => {
  it('names each problem of a create, in CLIQ\'s envelope', async () => {
    const cases: Array<[Record<string, unknown>, number, RegExp]> = [
      [{ amount: '12.345' }, 400, /"12.345" has more than the 2 decimals USD has/],
      [{ amount: '0' }, 400, /amount must be more than 0/],
      [{ amount: '-1.00' }, 400, /amount must be a positive decimal number of USD/],
      [{ amount: 'abc' }, 400, /amount must be a positive decimal number of USD, such as "12.50" \(got "abc"\)/],
      [{ amount: '1.00', asset: 'XYZ' }, 400, /The asset not allow for POS create payment/],
      // BTC is what the customer pays (requested_asset), never the settlement asset
      [{ amount: '1.00', asset: 'BTC' }, 400, /^The asset not allow for POS create payment: BTC is not a settlement asset/],
      [{ amount: '0.001', asset: 'BTC' }, 400, /^The asset not allow for POS create payment: BTC is not a settlement asset/],
      [{ amount: '1.00', requested_asset: 'LTC' }, 400, /requested_asset must be BTC/],
      [{ amount: '100', asset: 'XOF' }, 400, /The asset not allow for POS create payment: there is no BTC rate for XOF/],
      [{ amount: '1.00', reference: 'has space' }, 400, /reference must be 1 to 64/],
      [{ amount: '1.00', shoe_size: '42' }, 400, /Unknown field shoe_size/],
    ];
    for (const [fields, status, message] of cases) {
      const [got, error] = await errorOf(createPayment(t, { reference: 'bad', ...fields } as never));
      expect([got, error], JSON.stringify(fields)).toEqual([status, expect.stringMatching(message)]);
    }
    // JPY has no decimals: "100.5" is refused, "100" taken
    expect((await errorOf(createPayment(t, { amount: '100.5', asset: 'JPY', reference: 'jpy' })))[1]).toMatch(/more than the 0 decimals JPY has/);
    expect((await createPayment(t, { amount: '100', asset: 'JPY', reference: 'jpy' })).body.status).toBe('ok');
    expect((await getPayment(t, { reference: 'bad' }, '1.00')).status).toBe(404); // none of them made a payment
  });

  it('refuses a missing key or hash, an unknown key, and a hash over the wrong fields or secret', async () => {
    const { key, apiSecret } = demoSet(t);
    expect(await errorOf(cliqCall(t, '/api/validate', { key }))).toEqual([401, expect.stringMatching(/key and hash are required/)]);
    expect((await errorOf(cliqCall(t, '/api/validate', { key: 'tk_test_nope', hash: md5(apiSecret) })))[0]).toBe(401);
    // the native merchant secret key is not a terminal key; the native terminal key is not the set's key
    expect((await errorOf(cliqCall(t, '/api/validate', { key: t.secretKey, hash: md5(apiSecret) })))[1]).toMatch(/terminal API key/);
    expect((await errorOf(cliqCall(t, '/api/validate', { key: t.terminalKey, hash: md5(apiSecret) })))[1]).toMatch(/not the key of a CLIQ credential set/);
    const [status, error] = await errorOf(createPayment(t, { amount: '1.00', reference: 'h-1' }, { hash: md5(key, 'USD', '1.00', 'wrong') }));
    expect(status).toBe(401);
    expect(error).toBe('The hash does not match: it must be md5(key+asset+amount+api_secret), in lower-case hex.');
    expect(error).not.toContain(apiSecret);
    // a hash that is not 32 hex digits (here: 32 two-byte characters) is simply wrong
    expect((await errorOf(createPayment(t, { amount: '1.00', reference: 'h-3' }, { hash: 'é'.repeat(32) })))[0]).toBe(401);
    // upper-case hex is the same hash

    expect((await createPayment(t, { amount: '1.00', reference: 'h-2' }, { hash: md5(key, 'USD', '1.00', apiSecret).toUpperCase() })).body.status).toBe('ok');
  });

  it('tenancy: another merchant\'s payments are not found, whoever hashes right', async () => {
    const mine = (await createPayment(t, { amount: '7.00', reference: 'tenant-1' })).body;
    expect((await getPayment(t, { reference: 'tenant-1' }, '7.00', { set: other })).status).toBe(404);
    expect((await getUpdate(t, { payment_code: mine.payment_code }, '7.00', { set: other })).status).toBe(404);
    expect((await refund(t, { payment_code: mine.payment_code, refund_type: 'full', amount: '7.00' }, { set: other })).status).toBe(404);
    expect((await sandboxPay(t, mine.payment_code, '700', {}, other)).status).toBe(404);
    // the same reference is free for the other merchant: a payment of its own
    const theirs = await createPayment(t, { amount: '7.00', reference: 'tenant-1' }, { set: other });
    expect(theirs.body.status).toBe('ok');
    expect(theirs.body.payment_code).not.toBe(mine.payment_code);
    expect((await getPayment(t, { reference: 'tenant-1' }, '7.00')).body.payment.paymentId).toBe(mine.paymentId);
  });

  it('the api_secret and the key never reach a log', async () => {
    const { key, apiSecret } = demoSet(t);
    await cliqCall(t, '/api/validate', { key, hash: md5(apiSecret) });
    await cliqCall(t, '/api/validate', { key, hash: md5(apiSecret) }, { form: true });
    expect(t.logs()).not.toContain(apiSecret);
    expect(t.logs()).not.toContain(key);
    expect(t.logs()).not.toContain(other.apiSecret);
  });

  it('the sets differ per merchant; the admin API makes them, and revoking one stops its key at once', async () => {
    expect(other.key).toMatch(/^tk_test_/);
    expect(other.apiSecret).not.toBe(demoSet(t).apiSecret);
    const validate = (set: CliqSet) => cliqCall(t, '/api/validate', { key: set.key, hash: md5(set.apiSecret) });
    expect((await validate(other)).status).toBe(200);
    const revoked = await fetch(`${t.url}/admin/v1/merchants/${otherMerchant}/credentials/cliq`, { method: 'DELETE', headers: { authorization: ADMIN.authorization } });
    expect(revoked.status).toBe(200);
    expect((await validate(other)).status).toBe(401);
    const fresh = await issueSet(t, otherMerchant);
    expect(fresh.apiSecret).not.toBe(other.apiSecret);
    expect((await validate(fresh)).status).toBe(200);
    other = fresh;
  });
});
