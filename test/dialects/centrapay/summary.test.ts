// Centrapay dialect: GET …/payment-requests/{id}/summary, "the summary of a Payment Request while
// the status is new" (docs/dialects/centrapay.md "Reads").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../../harness.js';
import {
  advance, demoClient, expectOk, expectRefused, otherMerchant, paidRequest, rowCounts, send, PREFIX, Centrapay,
} from './client.js';

let t: TestGateway;
let cp: Centrapay;
beforeAll(async () => {
  t = await startGateway();
  cp = demoClient(t);
});
afterAll(async () => t.close());

/** The fields of Centrapay's summary example (payment-requests-get-summary). */
const SUMMARY_FIELDS = ['id', 'url', 'merchantName', 'value', 'createdAt', 'expiresAt', 'paymentOptions', 'partialAllowed', 'basketAmount', 'remainingAmount', 'status', 'lineItems', 'liveness'];

const summary = (client: Centrapay, id: string) => client.call('GET', `/payment-requests/${encodeURIComponent(id)}/summary`);

describe('payment request summary', () => {
  it("answers a new request's summary: the example's fields, with the values GET shows", async () => {
    const lineItems = [{ name: 'Coffee Grounds', sku: 'GH1234', qty: '1', price: '4195', tax: '15.00' }, { name: 'Mug', qty: '25', price: '1995', discount: '199' }];
    const pr = await cp.createOk({ lineItems, partialAllowed: true, basketAmount: '8991', externalRef: 'summary-1' }, '6190');
    const res = await summary(cp, pr.id);
    expectOk(res);
    expect(Object.keys(res.body).sort()).toEqual([...SUMMARY_FIELDS].sort());
    const read = await cp.read(pr.id);
    for (const field of SUMMARY_FIELDS) expect(res.body[field], field).toEqual(read[field]);
    expect(res.body).toMatchObject({ id: pr.id, status: 'new', liveness: 'test', partialAllowed: true, merchantName: pr.merchantName, url: pr.url, lineItems, basketAmount: '8991', remainingAmount: '6190' });
  });

  it('a partly paid request is still new: its summary shows what remains', async () => {
    const pr = await cp.createOk({ partialAllowed: true, basketAmount: '1000' }, '1000');
    expectOk(await cp.pay(pr.id, { amount: '400' }));
    const res = await summary(cp, pr.id);
    expectOk(res);
    expect(res.body.status).toBe('new');
    expect(res.body.remainingAmount).toEqual((await cp.read(pr.id)).remainingAmount);
    expect(res.body.remainingAmount).toBe('600'); // a bignumber, as in Centrapay's example
  });

  it('once paid it is 403 REQUEST_PAID, and changes nothing', async () => {
    const pr = await paidRequest(cp, '700');
    const before = await rowCounts(t);
    expectRefused(await summary(cp, pr.id), 403, 'REQUEST_PAID');
    expect(await rowCounts(t)).toEqual(before);
  });

  it('once cancelled (by a cancel or a void) it is 403 REQUEST_CANCELLED', async () => {
    const cancelled = await cp.createOk();
    expectOk(await cp.cancel(cancelled.id));
    expectRefused(await summary(cp, cancelled.id), 403, 'REQUEST_CANCELLED');
    const voided = await paidRequest(cp, '500');
    expectOk(await cp.void(voided.id));
    expectRefused(await summary(cp, voided.id), 403, 'REQUEST_CANCELLED');
  });

  it('an unknown request, or another merchant\'s, is 403 PAYMENT_REQUEST_NOT_FOUND; no key is 401', async () => {
    expectRefused(await summary(cp, 'pr_00000000000000000000000000'), 403, 'PAYMENT_REQUEST_NOT_FOUND');
    const set = await otherMerchant(t, 'Summary Ltd');
    const theirs = await new Centrapay(t, set.apiKey, set).createOk();
    expectRefused(await summary(cp, theirs.id), 403, 'PAYMENT_REQUEST_NOT_FOUND');
    expectRefused(await send(t, 'GET', `${PREFIX}/payment-requests/${theirs.id}/summary`), 401, 'Missing authentication');
  });

  // last: the clock only moves forward
  it('once expired (as GET shows it, the moment it is due) it is 403 REQUEST_EXPIRED', async () => {
    const pr = await cp.createOk({ expirySeconds: 10 });
    expectOk(await summary(cp, pr.id));
    await advance(t, 11);
    expectRefused(await summary(cp, pr.id), 403, 'REQUEST_EXPIRED');
    expect((await cp.read(pr.id)).status).toBe('expired');
  });
});
