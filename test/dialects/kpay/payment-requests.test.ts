// KPAY PR API, written from the KPAY section of specs/dialects.md: create, re-query, cancel, the
// envelope and response codes, the duplicate-reference rule, bad input (30), keys (63), tenancy (25).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, snapshotCounts, startGateway, type TestGateway } from '../../harness.js';
import { cancel, create, demoKey, kpayCall, PREFIX, requery, secondMerchantKey } from './client.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startGateway();
});
afterAll(async () => t.close());

const DATA_FIELDS = ['reference', 'accountNumber', 'metaData', 'paymentMethod', 'status', 'paymentRequestRefId', 'transactionDate', 'transactionTime', 'responseCode', 'amount'];

/** The NUBAN check digit over the 9 serial digits (weights 3,7,3,3,7,3,3,7,3). */
function nubanValid(account: string): boolean {
  const weights = [3, 7, 3, 3, 7, 3, 3, 7, 3];
  const sum = [...account.slice(0, 9)].reduce((total, d, i) => total + Number(d) * weights[i]!, 0);
  return /^\d{10}$/.test(account) && (10 - (sum % 10)) % 10 === Number(account[9]);
}

const native = async (id: string) => (await t.api('GET', `/v1/payment-requests/${id}`)).body;

describe('create', () => {
  it('answers 200 with the envelope (09 while PENDING) and every field of the object', async () => {
    const response = await create(t, { reference: 'order-1001', amount: '150000', metaData: 'till 3', paymentMethod: 'BANK_TRANSFER', accountNumber: '0123456789' });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ responseCode: '09', responseMessage: expect.any(String) });
    const data = response.body.data;
    for (const field of DATA_FIELDS) expect(data, field).toHaveProperty(field);
    expect(data).toMatchObject({ reference: 'order-1001', amount: '150000', metaData: 'till 3', paymentMethod: 'BANK_TRANSFER', status: 'PENDING', responseCode: '09' });
    expect(data.paymentRequestRefId).toMatch(/^pr_/);
    expect(nubanValid(data.accountNumber)).toBe(true);
    expect(data.transactionDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(data.transactionTime).toMatch(/^\d{2}:\d{2}:\d{2}$/);
    // the request is the demo merchant's, in NGN kobo, seen by the native API
    const request = await native(data.paymentRequestRefId);
    expect(request).toMatchObject({ amount: 150000, currency: 'NGN', reference: 'order-1001', status: 'created' });
    // date and time are the creation instant in Lagos time (WAT, UTC+1)
    const lagos = new Date(Date.parse(request.createdAt) + 3600_000).toISOString();
    expect(`${data.transactionDate}T${data.transactionTime}`).toBe(lagos.slice(0, 19));
    // the request expires after 24 hours by default
    expect(Date.parse(request.expiresAt) - Date.parse(request.createdAt)).toBe(24 * 3600_000);
  });

  it("prints date and time on the merchant's own time zone once it has set one (admin API)", async () => {
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
    const merchant = await (await fetch(`${t.url}/admin/v1/merchants`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'Tokyo shop' }) })).json() as { id: string };
    const patch = (body: unknown) => fetch(`${t.url}/admin/v1/merchants/${merchant.id}`, { method: 'PATCH', headers: admin, body: JSON.stringify(body) });
    expect((await patch({ timeZone: 'Mars/Olympus' })).status).toBe(400);
    expect(await (await patch({ timeZone: 'Asia/Tokyo' })).json()).toMatchObject({ timeZone: 'Asia/Tokyo', underpaymentTolerancePercent: '0' });
    const key = ((await (await fetch(`${t.url}/admin/v1/merchants/${merchant.id}/credentials/kpay`, { method: 'POST', headers: admin, body: '{}' })).json()) as { kpay: { secretKey: string } }).kpay.secretKey;
    const { data } = (await create(t, { reference: 'tz-1', amount: '100' }, key)).body;
    const request = await t.api('GET', `/v1/payment-requests/${data.paymentRequestRefId}`, { key: (await t.api('POST', `/admin/v1/merchants/${merchant.id}/keys`, { key: ADMIN_TOKEN, body: { mode: 'test' } })).body.secretKey });
    // Tokyo is UTC+9 all year
    const tokyo = new Date(Date.parse(request.body.createdAt) + 9 * 3600_000).toISOString();
    expect(`${data.transactionDate}T${data.transactionTime}`).toBe(tokyo.slice(0, 19));
  });

  it('makes a reference when none is sent, and re-queries by it', async () => {
    const { body } = await create(t, { amount: '5000' });
    expect(body.responseCode).toBe('09');
    expect(body.data.reference).toMatch(/^KP[A-Za-z0-9]+$/);
    expect((await requery(t, body.data.reference)).body.data.paymentRequestRefId).toBe(body.data.paymentRequestRefId);
  });

  it('expiresInSeconds sets the expiry, at most 30 days', async () => {
    const { body } = await create(t, { amount: '100', expiresInSeconds: 600 });
    const request = await native(body.data.paymentRequestRefId);
    expect(Date.parse(request.expiresAt) - Date.parse(request.createdAt)).toBe(600_000);
    const tooLong = await create(t, { amount: '100', expiresInSeconds: 30 * 24 * 3600 + 1 });
    expect(tooLong.body).toMatchObject({ responseCode: '30', data: null });
    expect(tooLong.body.responseMessage).toContain('expiresInSeconds');
  });

  it('the same reference and amount replays the request; another amount is 26 and creates nothing', async () => {
    const first = await create(t, { reference: 'dup-1', amount: '2500' });
    const again = await create(t, { reference: 'dup-1', amount: '2500', metaData: 'retry' });
    expect(again.status).toBe(200);
    expect(again.body.responseCode).toBe('09');
    expect(again.body.data.paymentRequestRefId).toBe(first.body.data.paymentRequestRefId);
    const before = await snapshotCounts(t);
    const other = await create(t, { reference: 'dup-1', amount: '2600' });
    expect(other.status).toBe(200);
    expect(other.body).toMatchObject({ responseCode: '26', data: null });
    expect(other.body.responseMessage).toContain('dup-1');
    expect(await snapshotCounts(t)).toEqual(before);
  });
});

describe('null for an optional field', () => {
  it('is the field left out, as the object posgate answers shows an unset field (a serializer that writes nulls works)', async () => {
    const response = await create(t, { reference: null, amount: '1000', accountNumber: null, paymentMethod: null, metaData: null, callbackUrl: null, expiresInSeconds: null });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ responseCode: '09', data: { amount: '1000', metaData: null, paymentMethod: 'BANK_TRANSFER', status: 'PENDING' } });
    expect(response.body.data.reference).toMatch(/^KP/);
    // a required field that is null is still named as required
    const before = await snapshotCounts(t);
    const noAmount = await create(t, { amount: null });
    expect(noAmount.status).toBe(400);
    expect(noAmount.body).toMatchObject({ responseCode: '30', data: null });
    expect(noAmount.body.responseMessage).toContain('amount is required');
    expect(await snapshotCounts(t)).toEqual(before);
  });
});

describe('bad input: 30 naming the field, nothing created', () => {
  const cases: Array<[string, () => ReturnType<typeof create>, string]> = [
    ['decimal amount', () => create(t, { amount: '15.00' }), 'amount'],
    ['negative amount', () => create(t, { amount: '-1' }), 'amount'],
    ['zero amount', () => create(t, { amount: '0' }), 'amount'],
    ['letters', () => create(t, { amount: 'abc' }), 'amount'],
    ['over the maximum', () => create(t, { amount: '1000000000001' }), 'amount'],
    ['no amount', () => create(t, { reference: 'x' }), 'amount'],
    ['unknown field', () => create(t, { amount: '100', currency: 'NGN' }), 'currency'],
    ['reference too long', () => create(t, { amount: '100', reference: 'r'.repeat(65) }), 'reference'],
    ['accountNumber not 10 digits', () => create(t, { amount: '100', accountNumber: '12345' }), 'accountNumber'],
    ['callbackUrl not a URL', () => create(t, { amount: '100', callbackUrl: 'nope' }), 'callbackUrl'],
    // no body at all: the required field it lacks is named
    ['missing body', () => kpayCall(t, 'POST', PREFIX), 'amount'],
    ['wrong content type', () => kpayCall(t, 'POST', PREFIX, { rawBody: 'amount=100', headers: { 'content-type': 'text/plain' } }), 'JSON'],
  ];
  it('a number where the amount string belongs is named for what it is, not as missing', async () => {
    const response = await create(t, { amount: 0.1 });
    expect(response.body).toMatchObject({ responseCode: '30', data: null });
    expect(response.body.responseMessage).toMatch(/amount: /);
    expect(response.body.responseMessage).not.toMatch(/required/);
  });
  for (const [name, call, field] of cases) {
    it(name, async () => {
      const before = await snapshotCounts(t);
      const response = await call();
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ responseCode: '30', data: null });
      expect(response.body.responseMessage).toContain(field);
      expect(await snapshotCounts(t)).toEqual(before);
    });
  }
});

describe('keys and tenancy', () => {
  it('a wrong or missing key is 63, and creates nothing', async () => {
    const before = await snapshotCounts(t);
    for (const key of [null, `${demoKey(t)}x`, 'garbage']) {
      const response = await create(t, { amount: '100' }, key);
      expect(response.status).toBe(401);
      expect(response.body).toMatchObject({ responseCode: '63', data: null });
    }
    expect(await snapshotCounts(t)).toEqual(before);
  });

  it('its OpenAPI document takes no key: another method on it is 405 with Allow in KPAY\'s envelope (was 401), while the API still wants the key first', async () => {
    expect((await kpayCall(t, 'GET', '/kpay/openapi.json', { key: null })).status).toBe(200);
    for (const key of [null, undefined]) {
      const refused = await kpayCall(t, 'POST', '/kpay/openapi.json', { key, body: {} });
      expect(refused).toMatchObject({ status: 405, body: { responseCode: '25', data: null } });
      expect(refused.headers.get('allow')).toBe('GET, HEAD');
      expect(await kpayCall(t, 'GET', '/kpay/nothing-here', { key })).toMatchObject({ status: 404, body: { responseCode: '25', data: null } });
    }
    // under /kpay/api the key comes first, on a path it has and on one it has not
    for (const [method, path] of [['DELETE', PREFIX], ['GET', '/kpay/api/v1/nothing-here']] as const) {
      expect(await kpayCall(t, method, path, { key: null })).toMatchObject({ status: 401, body: { responseCode: '63', data: null } });
    }
    const wrongMethod = await kpayCall(t, 'DELETE', PREFIX);
    expect([wrongMethod.status, wrongMethod.headers.get('allow')]).toEqual([405, 'POST']);
    expect((await kpayCall(t, 'PUT', `${PREFIX}/some-ref`)).headers.get('allow')).toBe('GET, HEAD');
  });

  it("a second merchant's key sees 25 for the first's requests, by reference and by paymentRequestRefId, and cannot cancel them", async () => {
    const { body } = await create(t, { reference: 'mine-1', amount: '700' });
    const other = await secondMerchantKey(t);
    for (const ref of ['mine-1', body.data.paymentRequestRefId]) {
      expect((await requery(t, ref, other)).body).toMatchObject({ responseCode: '25', data: null });
      expect((await cancel(t, ref, other)).body).toMatchObject({ responseCode: '25', data: null });
    }
    expect((await requery(t, 'mine-1')).body.data.status).toBe('PENDING');
    // the same reference is free for the other merchant
    expect((await create(t, { reference: 'mine-1', amount: '900' }, other)).body).toMatchObject({ responseCode: '09', data: { amount: '900' } });
  });

  it('a revoked set is 63 at once; a new set for the merchant works and sees its requests', async () => {
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
    const merchant = await (await fetch(`${t.url}/admin/v1/merchants`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'Revoking shop' }) })).json() as { id: string };
    const setPath = `${t.url}/admin/v1/merchants/${merchant.id}/credentials/kpay`;
    const issue = async () => ((await (await fetch(setPath, { method: 'POST', headers: admin, body: '{}' })).json()) as { kpay: { secretKey: string } }).kpay.secretKey;
    const first = await issue();
    expect((await create(t, { reference: 'rev-1', amount: '100' }, first)).body.responseCode).toBe('09');
    expect((await fetch(setPath, { method: 'DELETE', headers: { authorization: admin.authorization } })).status).toBe(200);
    expect(await requery(t, 'rev-1', first)).toMatchObject({ status: 401, body: { responseCode: '63', data: null } });
    const second = await issue();
    expect(second).not.toBe(first);
    expect((await requery(t, 'rev-1', second)).body).toMatchObject({ responseCode: '09', data: { reference: 'rev-1' } });
  });
});

describe('re-query and cancel', () => {
  it('re-queries by reference and by paymentRequestRefId; an unknown one is 25', async () => {
    const { body } = await create(t, { reference: 'rq-1', amount: '1200' });
    const byRef = await requery(t, 'rq-1');
    const byId = await requery(t, body.data.paymentRequestRefId);
    expect(byRef.status).toBe(200);
    expect(byRef.body).toEqual(byId.body);
    expect(byRef.body.data).toEqual(body.data);
    const missing = await requery(t, 'no-such-ref');
    expect(missing.status).toBe(200);
    expect(missing.body).toMatchObject({ responseCode: '25', data: null });
  });

  it('cancels a pending request (00, CANCELLED); a second cancel is refused (12) and changes nothing', async () => {
    const { body } = await create(t, { reference: 'cx-1', amount: '1300' });
    const cancelled = await cancel(t, 'cx-1');
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ responseCode: '00', data: { status: 'CANCELLED', responseCode: '00', reference: 'cx-1' } });
    expect(await native(body.data.paymentRequestRefId)).toMatchObject({ status: 'cancelled', statusReason: 'cancelled_by_merchant' });
    const before = await snapshotCounts(t);
    const again = await cancel(t, body.data.paymentRequestRefId);
    expect(again.body).toMatchObject({ responseCode: '12', data: null });
    expect(await snapshotCounts(t)).toEqual(before);
    expect((await cancel(t, 'no-such-ref')).body.responseCode).toBe('25');
  });

  it('a cancel takes no fields: a body with one, or one that is no object, is 30 and the request stays PENDING; {} and no body cancel', async () => {
    const { body } = await create(t, { reference: 'cx-body', amount: '1300' });
    const path = `${PREFIX}/cx-body/cancel`;
    const before = await snapshotCounts(t);
    for (const [sent, message] of [
      [{ reason: 'customer left' }, 'Unknown field reason.'], [[1, 2], 'The body must be a JSON object.'], ['cancel', 'The body must be a JSON object.'],
    ] as const) {
      const refused = await kpayCall(t, 'POST', path, { body: sent });
      expect(refused.status, JSON.stringify(sent)).toBe(400);
      expect(refused.body, JSON.stringify(sent)).toEqual({ responseCode: '30', responseMessage: `Format error: ${message}`, data: null });
    }
    expect(await snapshotCounts(t)).toEqual(before);
    expect((await requery(t, 'cx-body')).body.data.status).toBe('PENDING');
    expect((await kpayCall(t, 'POST', path, { body: {} })).body).toMatchObject({ responseCode: '00', data: { status: 'CANCELLED' } });
    const other = (await create(t, { amount: '1300' })).body.data;
    expect((await kpayCall(t, 'POST', `${PREFIX}/${other.paymentRequestRefId}/cancel`, { headers: { 'content-type': 'application/json' } })).body)
      .toMatchObject({ responseCode: '00', data: { status: 'CANCELLED' } });
    expect(body.data.status).toBe('PENDING');
  });

  it('statuses come from the one stored state: SUCCESSFUL after a sandbox payment, FAILED after a decline, EXPIRED after the clock passes', async () => {
    const paid = (await create(t, { amount: '400' })).body.data;
    await t.api('POST', `/v1/sandbox/payment-requests/${paid.paymentRequestRefId}/pay`, { body: { outcome: 'approve' } });
    expect((await requery(t, paid.reference)).body).toMatchObject({ responseCode: '00', data: { status: 'SUCCESSFUL', responseCode: '00' } });
    const declined = (await create(t, { amount: '400' })).body.data;
    await t.api('POST', `/v1/sandbox/payment-requests/${declined.paymentRequestRefId}/pay`, { body: { outcome: 'decline' } });
    expect((await requery(t, declined.reference)).body).toMatchObject({ responseCode: '00', data: { status: 'FAILED' } });
    const expiring = (await create(t, { amount: '400', expiresInSeconds: 60 })).body.data;
    await t.api('POST', '/v1/sandbox/clock/advance', { body: { seconds: 61 } });
    expect((await requery(t, expiring.reference)).body).toMatchObject({ responseCode: '00', data: { status: 'EXPIRED' } });
    expect((await cancel(t, expiring.reference)).body.responseCode).toBe('12');
  });

  it('an unknown route under /kpay is 25 in the KPAY envelope', async () => {
    const response = await kpayCall(t, 'GET', '/kpay/api/v1/nothing');
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ responseCode: '25', data: null });
  });
});
