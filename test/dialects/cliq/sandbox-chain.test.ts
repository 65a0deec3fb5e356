// The sandbox chain's transaction ids (docs/dialects/cliq.md "Crypto arriving"): a txid names one
// transaction, of one amount, to one payment of one merchant. Sent again alike it is a replay that
// answers as before; sent for another payment or amount it is refused (409) and nothing is
// credited. Other merchants' txids are none of a merchant's business: the same text is a
// transaction of its own there. And a txid that is the name of a JavaScript object member is just
// an unknown txid (404), never a crash.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../../harness.js';
import { createPayment, getPayment, sandboxConfirm, sandboxPay, secondMerchant } from './client.js';

let t: TestGateway;
beforeAll(async () => { t = await startGateway(); });
afterAll(async () => t.close());

const native = async (id: string) => (await t.api('GET', `/v1/payment-requests/${id}`)).body;
const status = async (reference: string, amount: string) => (await getPayment(t, { reference }, amount)).body.payment;

describe('cliq sandbox confirm: an unknown txid', () => {
  it.each(['isPrototypeOf', 'constructor', 'toString', 'valueOf', '__proto__', 'hasOwnProperty'])('txid %s on a pending payment is 404 and credits nothing', async (txid) => {
    const reference = `proto-${txid}`;
    const created = (await createPayment(t, { amount: '20.00', reference })).body;
    const res = await sandboxConfirm(t, created.payment_code, txid);
    expect(res).toMatchObject({ status: 404, body: { status: 'nok', message: 'Sandbox Action Failed!', validated: false } });
    expect(res.body.error).toContain(txid);
    expect(await status(reference, '20.00')).toMatchObject({ payment_status: 'pending', received_asset_amount: '0.00' });
    expect(await native(created.paymentId)).toMatchObject({ status: 'created', amountReceived: 0 });
  });

  it('a seen transaction named __proto__ is its own entry: confirmed, it is credited once', async () => {
    const created = (await createPayment(t, { amount: '20.00', reference: 'proto-seen' })).body;
    expect((await sandboxPay(t, created.payment_code, '2000', { txid: '__proto__', confirmed: 'false' })).body).toMatchObject({ status: 'ok' });
    expect((await status('proto-seen', '20.00')).payment_status).toBe('unconfirmed');
    expect((await sandboxConfirm(t, created.payment_code, '__proto__')).body).toMatchObject({ status: 'ok', message: 'Transaction confirmed' });
    expect(await native(created.paymentId)).toMatchObject({ status: 'succeeded', amountReceived: 2000 });
  });
});

describe('cliq sandbox chain: a txid names one transaction', () => {
  it("another merchant's txid is no concern of this one: the same text pays its own payment", async () => {
    const mine = (await createPayment(t, { amount: '20.00', reference: 'shared-a' })).body;
    expect((await sandboxPay(t, mine.payment_code, '2000', { txid: 'tx-shared' })).status).toBe(200);
    const other = await secondMerchant(t);
    const theirs = (await createPayment(t, { amount: '20.00', reference: 'shared-b' }, { set: other.set })).body;
    const paid = await sandboxPay(t, theirs.payment_code, '500', { txid: 'tx-shared' }, other.set);
    expect(paid).toMatchObject({ status: 200, body: { status: 'ok', message: 'Transaction confirmed', txid: 'tx-shared' } });
    const read = await getPayment(t, { reference: 'shared-b' }, '20.00', { set: other.set });
    expect(read.body.payment).toMatchObject({ payment_status: 'underpaid', received_asset_amount: '5.00' });
  });

  it('the same txid on another payment of the merchant is refused (409) and credits nothing', async () => {
    const first = (await createPayment(t, { amount: '20.00', reference: 'reuse-1' })).body;
    const second = (await createPayment(t, { amount: '20.00', reference: 'reuse-2' })).body;
    expect((await sandboxPay(t, first.payment_code, '2000', { txid: 'tx-reused' })).status).toBe(200);
    const again = await sandboxPay(t, second.payment_code, '2000', { txid: 'tx-reused' });
    expect(again).toMatchObject({ status: 409, body: { status: 'nok', message: 'Sandbox Action Failed!', validated: false } });
    expect(again.body.error).toContain('tx-reused');
    expect(await native(second.paymentId)).toMatchObject({ status: 'created', amountReceived: 0 });
    expect((await status('reuse-2', '20.00')).payment_status).toBe('pending');
    // seen only (unconfirmed) counts too: the txid is taken
    const seen = await sandboxPay(t, second.payment_code, '2000', { txid: 'tx-reused', confirmed: 'false' });
    expect(seen.status).toBe(409);
    expect((await status('reuse-2', '20.00')).payment_status).toBe('pending');
    expect((await sandboxConfirm(t, second.payment_code, 'tx-reused')).status).toBe(404);
    expect(await native(second.paymentId)).toMatchObject({ amountReceived: 0 });
  });

  it('the same txid with another amount is refused (409); with the same amount it replays, credited once', async () => {
    const created = (await createPayment(t, { amount: '20.00', reference: 'replay-1' })).body;
    expect((await sandboxPay(t, created.payment_code, '500', { txid: 'tx-replay' })).status).toBe(200);
    const other = await sandboxPay(t, created.payment_code, '700', { txid: 'tx-replay' });
    expect(other).toMatchObject({ status: 409, body: { status: 'nok' } });
    const replay = await sandboxPay(t, created.payment_code, '500', { txid: 'tx-replay' });
    expect(replay).toMatchObject({ status: 200, body: { status: 'ok', message: 'Transaction confirmed', txid: 'tx-replay' } });
    expect(await native(created.paymentId)).toMatchObject({ status: 'pending', amountReceived: 500 });
    // confirming a confirmed transaction answers as before, and credits nothing more
    expect((await sandboxConfirm(t, created.payment_code, 'tx-replay')).body).toMatchObject({ status: 'ok', message: 'Transaction confirmed' });
    expect(await native(created.paymentId)).toMatchObject({ amountReceived: 500 });
  });

  it('a seen transaction: seen again alike is a replay, with another amount 409; then confirmed by pay or confirm, once', async () => {
    const created = (await createPayment(t, { amount: '20.00', reference: 'seen-1' })).body;
    expect((await sandboxPay(t, created.payment_code, '800', { txid: 'tx-seen-1', confirmed: 'false' })).body).toMatchObject({ status: 'ok', message: 'Transaction seen, unconfirmed' });
    expect((await sandboxPay(t, created.payment_code, '800', { txid: 'tx-seen-1', confirmed: 'false' })).body).toMatchObject({ status: 'ok', message: 'Transaction seen, unconfirmed' });
    expect((await sandboxPay(t, created.payment_code, '900', { txid: 'tx-seen-1', confirmed: 'false' })).status).toBe(409);
    expect((await sandboxPay(t, created.payment_code, '900', { txid: 'tx-seen-1' })).status).toBe(409);
    expect(await native(created.paymentId)).toMatchObject({ amountReceived: 0 });
    expect((await sandboxPay(t, created.payment_code, '800', { txid: 'tx-seen-1' })).body).toMatchObject({ status: 'ok', message: 'Transaction confirmed' });
    expect((await sandboxConfirm(t, created.payment_code, 'tx-seen-1')).body).toMatchObject({ status: 'ok', message: 'Transaction confirmed' });
    expect(await native(created.paymentId)).toMatchObject({ status: 'pending', amountReceived: 800 });
    expect((await status('seen-1', '20.00')).payment_status).toBe('underpaid');
  });
});
