// The patron pays by bank transfer to the virtual account: in the sandbox, POST
// /kpay/api/v1/sandbox/transfer is an inbound channel payment (less, exact, more; taken once).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotCounts, startGateway, type TestGateway } from '../../harness.js';
import { cancel, create, kpayCall, requery, secondMerchantKey } from './client.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startGateway();
});
afterAll(async () => t.close());

const transfer = (body: Record<string, unknown>, key?: string | null) => kpayCall(t, 'POST', '/kpay/api/v1/sandbox/transfer', { body, key });
const native = async (id: string) => (await t.api('GET', `/v1/payment-requests/${id}`)).body;

describe('sandbox transfers', () => {
  it('the exact amount makes the request SUCCESSFUL', async () => {
    const { data } = (await create(t, { amount: '150000' })).body;
    const paid = await transfer({ accountNumber: data.accountNumber, amount: '150000', sessionId: 'exact-1' });
    expect(paid.body).toMatchObject({ responseCode: '00', data: { status: 'SUCCESSFUL', paymentMethod: 'BANK_TRANSFER', amountPaid: '150000', amountDue: '0', overpaid: false } });
    expect(await native(data.paymentRequestRefId)).toMatchObject({ status: 'succeeded', amountReceived: 150000 });
  });

  it('less leaves it PENDING with the rest due; the rest settles it', async () => {
    const { data } = (await create(t, { amount: '10000' })).body;
    const part = await transfer({ accountNumber: data.accountNumber, amount: '4000', sessionId: 'less-1' });
    expect(part.body).toMatchObject({ responseCode: '09', data: { status: 'PENDING', amountPaid: '4000', amountDue: '6000' } });
    expect((await requery(t, data.reference)).body.data).toMatchObject({ status: 'PENDING', amountDue: '6000' });
    const rest = await transfer({ accountNumber: data.accountNumber, amount: '6000', sessionId: 'less-2' });
    expect(rest.body).toMatchObject({ responseCode: '00', data: { status: 'SUCCESSFUL', amountPaid: '10000', amountDue: '0' } });
  });

  it('more makes it SUCCESSFUL and marked overpaid', async () => {
    const { data } = (await create(t, { amount: '10000' })).body;
    const more = await transfer({ accountNumber: data.accountNumber, amount: '12500', sessionId: 'more-1' });
    expect(more.body).toMatchObject({ responseCode: '00', data: { status: 'SUCCESSFUL', amountPaid: '12500', overpaid: true } });
    expect(await native(data.paymentRequestRefId)).toMatchObject({ status: 'succeeded', overpaid: true });
  });

  it('the same transfer (sessionId) delivered twice is taken once', async () => {
    const { data } = (await create(t, { amount: '10000' })).body;
    await transfer({ accountNumber: data.accountNumber, amount: '3000', sessionId: 'twice-1' });
    const again = await transfer({ accountNumber: data.accountNumber, amount: '3000', sessionId: 'twice-1' });
    expect(again.body).toMatchObject({ responseCode: '09', data: { amountPaid: '3000', amountDue: '7000' } });
  });

  it('a cancelled request refuses a transfer (12) and takes nothing; an unknown account is 25; bad input 30', async () => {
    const { data } = (await create(t, { amount: '10000' })).body;
    await cancel(t, data.reference);
    const before = await snapshotCounts(t);
    expect((await transfer({ accountNumber: data.accountNumber, amount: '10000' })).body).toMatchObject({ responseCode: '12', data: null });
    expect((await transfer({ accountNumber: '0000000000', amount: '10000' })).body).toMatchObject({ responseCode: '25', data: null });
    const bad = await transfer({ accountNumber: data.accountNumber, amount: '1.50' });
    expect(bad.status).toBe(400);
    expect(bad.body.responseCode).toBe('30');
    expect(bad.body.responseMessage).toContain('amount');
    expect(await snapshotCounts(t)).toEqual(before);
    expect((await native(data.paymentRequestRefId)).amountReceived).toBe(0);
  });

  it("another merchant cannot pay into the first's account: 25", async () => {
    const { data } = (await create(t, { amount: '10000' })).body;
    const other = await secondMerchantKey(t);
    expect((await transfer({ accountNumber: data.accountNumber, amount: '10000' }, other)).body).toMatchObject({ responseCode: '25', data: null });
    expect((await requery(t, data.reference)).body.data.status).toBe('PENDING');
  });

  it("the pay page's bank transfer shows the same virtual account, and the sandbox patron's payment makes it SUCCESSFUL", async () => {
    const { data } = (await create(t, { amount: '2000' })).body;
    const chosen = await t.api('POST', `/pay/${data.paymentRequestRefId}/method`, { key: null, body: { channel: 'bank_transfer' } });
    expect(chosen.status).toBe(200);
    expect((await native(data.paymentRequestRefId)).paymentMethodDetails).toMatchObject({ accountNumber: data.accountNumber });
    await t.api('POST', `/v1/sandbox/payment-requests/${data.paymentRequestRefId}/pay`, { body: { outcome: 'approve' } });
    expect((await requery(t, data.reference)).body.data).toMatchObject({ status: 'SUCCESSFUL', accountNumber: data.accountNumber, paymentMethod: 'BANK_TRANSFER' });
  });
});

// A sessionId names one transfer of the merchant's, to one account, of one amount: the same again is
// a replay answered as before; under another account or amount it is 26 and nothing is taken.
// Another merchant's sessionIds are none of this one's business.
describe('sandbox transfers: a sessionId names one transfer', () => {
  it("another merchant's sessionId is no concern of this one: the same text is a transfer of its own", async () => {
    const mine = (await create(t, { amount: '10000' })).body.data;
    expect((await transfer({ accountNumber: mine.accountNumber, amount: '10000', sessionId: 'S1' })).body.responseCode).toBe('00');
    const other = await secondMerchantKey(t);
    const theirs = (await create(t, { amount: '10000' }, other)).body.data;
    const paid = await transfer({ accountNumber: theirs.accountNumber, amount: '500', sessionId: 'S1' }, other);
    expect(paid.body).toMatchObject({ responseCode: '09', data: { status: 'PENDING', amountPaid: '500', amountDue: '9500' } });
    expect((await requery(t, theirs.reference, other)).body.data).toMatchObject({ amountPaid: '500' });
  });

  it('the same sessionId to another account of the merchant is 26, and nothing is taken', async () => {
    const first = (await create(t, { amount: '10000' })).body.data;
    const second = (await create(t, { amount: '10000' })).body.data;
    expect((await transfer({ accountNumber: first.accountNumber, amount: '3000', sessionId: 'S-reused' })).body.responseCode).toBe('09');
    const before = await snapshotCounts(t);
    const again = await transfer({ accountNumber: second.accountNumber, amount: '3000', sessionId: 'S-reused' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ responseCode: '26', data: null });
    expect(again.body.responseMessage).toContain('sessionId');
    expect(await snapshotCounts(t)).toEqual(before);
    expect((await requery(t, second.reference)).body.data).toMatchObject({ status: 'PENDING', amountPaid: '0' });
    expect((await requery(t, first.reference)).body.data).toMatchObject({ amountPaid: '3000' });
  });

  it('the same sessionId with another amount is 26; with the same amount it replays the answer, taken once', async () => {
    const { data } = (await create(t, { amount: '10000' })).body;
    expect((await transfer({ accountNumber: data.accountNumber, amount: '4000', sessionId: 'S-amount' })).body.responseCode).toBe('09');
    const before = await snapshotCounts(t);
    expect((await transfer({ accountNumber: data.accountNumber, amount: '6000', sessionId: 'S-amount' })).body).toMatchObject({ responseCode: '26', data: null });
    expect(await snapshotCounts(t)).toEqual(before);
    const replay = await transfer({ accountNumber: data.accountNumber, amount: '4000', sessionId: 'S-amount' });
    expect(replay.body).toMatchObject({ responseCode: '09', data: { status: 'PENDING', amountPaid: '4000', amountDue: '6000' } });
    expect(await snapshotCounts(t)).toEqual(before);
  });
});
