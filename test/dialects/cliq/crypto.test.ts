// Crypto arriving on the seam's protocol: seen (unconfirmed), then confirmed; exact, under- and
// overpaid; a payment seen after its quote expired is still credited. Quotes and re-quotes on the
// merchant's test clock (no sleeping). And the sandbox chain's transaction ids (docs/dialects/cliq.md
// "Crypto arriving"): a txid names one transaction, of one amount, to one payment of one merchant;
// sent again alike it is a replay that answers as before; sent for another payment or amount it is
// refused (409) and nothing is credited; another merchant's same text is a transaction of its own;
// a txid that is the name of a JavaScript object member is just an unknown txid (404), never a crash.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../../harness.js';
import { advance, createPayment, getPayment, getUpdate, sandboxConfirm, sandboxPay, secondMerchant } from './client.js';

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

  it('a transaction seen and not yet confirmed keeps the quote it paid past its expiry (no new address for the whole amount again), renewed for the rest once confirmed', async () => {
    const created = (await createPayment(t, { amount: '20.00', reference: 'cr-seen-late' })).body;
    await sandboxPay(t, created.payment_code, '500', { txid: 'tx-seen-late', confirmed: 'false' });
    await advance(t, 16 * 60);
    for (let i = 0; i < 2; i += 1) await t.gateway.tick(); // the background renewal passes it by
    const kept = (await getUpdate(t, { reference: 'cr-seen-late' }, '20.00')).body.payment;
    expect(kept).toMatchObject({ payment_address: created.payment_address, payment_payreq: created.payment_payreq, expires_at: created.expires_at });
    expect((await status('cr-seen-late', '20.00')).payment_status).toBe('unconfirmed');
    await sandboxConfirm(t, created.payment_code, 'tx-seen-late');
    const rest = (await getUpdate(t, { reference: 'cr-seen-late' }, '20.00')).body.payment;
    expect(rest.payment_address).not.toBe(created.payment_address);
    expect(rest.expires_at).toBeGreaterThan(created.expires_at);
    expect(await status('cr-seen-late', '20.00')).toMatchObject({ payment_status: 'underpaid', payment_missing_amount: '0.00029478' });
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
