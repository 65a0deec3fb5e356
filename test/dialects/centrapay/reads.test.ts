// Centrapay dialect: the reads a POS uses to find a request again (short code, externalRef with
// pages), the summary of a new request, and the activity lists (docs/dialects/centrapay.md "Reads",
// "Activities").
import { describe, expect, it } from 'vitest';
import type { TestGateway } from '../../harness.js';
import {
  advance, expectActivity, expectOk, expectRefused, otherMerchant, otherTerminal, paidRequest, rowCounts, send, uniqueName, useGateway, wrongCheckCharacter,
  Centrapay, PREFIX,
} from './client.js';

let t: TestGateway;
let cp: Centrapay;
useGateway((gateway, client) => { t = gateway; cp = client; });

/** The pages of payment-activities for the client's merchant, following nextPageKey. */
async function activityPages(client: Centrapay): Promise<any[][]> {
  const pages: any[][] = [];
  let pageKey: string | undefined;
  for (let page = 0; page < 100; page += 1) {
    const res = await client.paymentActivities({ merchantId: client.set.merchantId, ...(pageKey ? { pageKey } : {}) });
    expectOk(res);
    expect(Array.isArray(res.body.items), res.text).toBe(true);
    pages.push(res.body.items);
    pageKey = res.body.nextPageKey ?? undefined;
    if (!pageKey) return pages;
  }
  throw new Error('payment-activities never ended');
}
const allActivities = async (client: Centrapay) => (await activityPages(client)).flat();

describe('short code', () => {
  it('finds the request with or without CP-, in any case, with or without dashes', async () => {
    const pr = await cp.createOk({ externalRef: uniqueName('sc') });
    const bare = pr.shortCode.replace(/^CP-/, '');
    const forms = [pr.shortCode, bare, pr.shortCode.toLowerCase(), bare.toLowerCase(), bare.replace(/-/g, ''), bare.replace(/-/g, '').toLowerCase(), `cp-${bare.replace(/-/g, '')}`];
    for (const form of forms) {
      const res = await cp.byShortCode(form);
      expectOk(res);
      expect(res.body.id, form).toBe(pr.id);
      expect(res.body.shortCode, form).toBe(pr.shortCode);
    }
  });

  it('finds it with the CP prefix and no dashes at all ("CPABCDEFGHJ")', async () => {
    const pr = await cp.createOk();
    for (const form of [pr.shortCode.replace(/-/g, ''), pr.shortCode.replace(/-/g, '').toLowerCase()]) {
      const res = await cp.byShortCode(form);
      expectOk(res);
      expect(res.body.id, form).toBe(pr.id);
    }
  });

  it('a wrong check character is 400 CHECKSUM_FAILED, with or without CP-', async () => {
    const pr = await cp.createOk();
    const wrong = wrongCheckCharacter(pr.shortCode);
    expect(wrong).not.toBe(pr.shortCode);
    const before = await rowCounts(t);
    expectRefused(await cp.byShortCode(wrong), 400, 'CHECKSUM_FAILED');
    expectRefused(await cp.byShortCode(wrong.replace(/^CP-/, '')), 400, 'CHECKSUM_FAILED');
    expect(await rowCounts(t)).toEqual(before);
  });

  it("the short code of a paid request still finds it (a refund starts from the patron's print-out)", async () => {
    const pr = await paidRequest(cp, '900');
    const res = await cp.byShortCode(pr.shortCode);
    expectOk(res);
    expect(res.body).toMatchObject({ id: pr.id, status: 'paid' });
  });
});

describe('external ref', () => {
  it('lists the requests with that externalRef, newest first, 25 per page, pageKey for the next', async () => {
    const ref = uniqueName('many');
    const ids: string[] = [];
    for (let i = 0; i < 27; i += 1) {
      ids.push((await cp.createOk({ externalRef: ref, expirySeconds: 3600 }, String(100 + i))).id);
      await advance(t, 1); // distinct creation times, so "newest first" is one order
    }
    await cp.createOk({ externalRef: `${ref}-other` }); // another ref is not listed
    const first = await cp.byExternalRef(ref);
    expectOk(first);
    expect(first.body.items).toHaveLength(25);
    expect(typeof first.body.nextPageKey).toBe('string');
    const second = await cp.byExternalRef(ref, first.body.nextPageKey);
    expectOk(second);
    expect(second.body.items).toHaveLength(2);
    expect(second.body.nextPageKey ?? undefined).toBeUndefined();
    const listed = [...first.body.items, ...second.body.items];
    expect(listed.map((r: any) => r.id)).toEqual([...ids].reverse());
    for (const r of listed) expect(r).toMatchObject({ externalRef: ref, status: 'new', configId: cp.set.configId });
    expect(listed[0].value).toEqual({ amount: '126', currency: 'NZD' });
  });

  it('an externalRef nobody used lists nothing', async () => {
    const res = await cp.byExternalRef(uniqueName('none'));
    expectOk(res);
    expect(res.body.items).toEqual([]);
    expect(res.body.nextPageKey ?? undefined).toBeUndefined();
  });

  it("another merchant's requests with the same externalRef are not listed, nor theirs to us", async () => {
    const ref = uniqueName('shared');
    const mine = await cp.createOk({ externalRef: ref });
    const set = await otherMerchant(t, 'Ref Ltd');
    const other = new Centrapay(t, set.apiKey, set);
    const theirs = await other.createOk({ externalRef: ref });
    expect((await cp.byExternalRef(ref)).body.items.map((r: any) => r.id)).toEqual([mine.id]);
    expect((await other.byExternalRef(ref)).body.items.map((r: any) => r.id)).toEqual([theirs.id]);
  });
});

describe('activities', () => {
  it("a request's activities, newest first (Centrapay: descending created date): refunds, paid, then request", async () => {
    const pr = await paidRequest(cp, '1000', { externalRef: uniqueName('act') });
    const r1 = await cp.refund(pr.id, '300');
    expectOk(r1);
    const r2 = await cp.refund(pr.id, '200');
    expectOk(r2);
    const items = await cp.activityList(pr.id);
    for (const a of items) expectActivity(a, pr, a.type);
    const types = items.map((a) => a.type);
    expect(types.at(-1)).toBe('request');
    expect(types.filter((x) => ['request', 'paid', 'refund'].includes(x))).toEqual(['refund', 'refund', 'paid', 'request']);
    const refunds = items.filter((a) => a.type === 'refund');
    expect(refunds.map((a) => a.id)).toEqual([r2.body.id, r1.body.id]);
    expect(refunds.map((a) => a.value.amount)).toEqual(['200', '300']);
    // newest first; still numbered oldest first, so the numbers descend
    const times = items.map((a) => Date.parse(a.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const numbers = items.map((a) => Number(a.activityNumber));
    expect(numbers).toEqual([...numbers].sort((a, b) => b - a));
    expect(numbers.at(-1)).toBe(1);
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(new Set(items.map((a) => a.id)).size).toBe(items.length);
  });

  it("payment-activities lists the merchant's activities newest first, 50 per page, page by page with pageKey (older ones next)", async () => {
    for (let i = 0; i < 30; i += 1) await cp.createOk({ expirySeconds: 3600 }, String(1000 + i)); // with the tests above: more than one page
    const a = await paidRequest(cp, '111');
    const b = await paidRequest(cp, '222');
    const seen = await allActivities(cp);
    expect(seen.length).toBeGreaterThan(50);
    expect(new Set(seen.map((x) => x.id)).size).toBe(seen.length);
    const times = seen.map((x) => Date.parse(x.createdAt));
    expect(times).toEqual([...times].sort((x, y) => y - x));
    for (const x of seen) expect(x.merchantId).toBe(cp.set.merchantId);
    // the newest activity heads the first page: b's paid
    expect(seen[0]).toMatchObject({ paymentRequestId: b.id, type: 'paid' });
    // everything of both requests is there, and b's paid (the newer) is listed before a's
    const ofA = (await cp.activityList(a.id)).map((x) => x.id);
    const ofB = (await cp.activityList(b.id)).map((x) => x.id);
    const listed = seen.map((x) => x.id);
    for (const id of [...ofA, ...ofB]) expect(listed).toContain(id);
    const paidA = seen.findIndex((x) => x.paymentRequestId === a.id && x.type === 'paid');
    const paidB = seen.findIndex((x) => x.paymentRequestId === b.id && x.type === 'paid');
    expect(paidB).toBeGreaterThanOrEqual(0);
    expect(paidB).toBeLessThan(paidA);
    // a request's own activities appear in the feed in the order its own list gives them
    expect(seen.filter((x) => x.paymentRequestId === a.id).map((x) => x.id)).toEqual(ofA);
  });

  it('payment-activities pages hold 50 items each; only the last may hold fewer', async () => {
    const pages = await activityPages(cp);
    expect(pages.length).toBeGreaterThan(1);
    expect(pages.slice(0, -1).map((p) => p.length)).toEqual(pages.slice(0, -1).map(() => 50));
    expect(pages.at(-1)!.length).toBeLessThanOrEqual(50);
  });

  it('a pageKey means "older than the page it came from": activities made meanwhile head a new first page, not the next one', async () => {
    const first = await cp.paymentActivities();
    expectOk(first);
    expect(typeof first.body.nextPageKey).toBe('string');
    const whole = await allActivities(cp);
    const meanwhile = await cp.createOk(); // a new request activity, newer than everything listed
    const second = await cp.paymentActivities({ merchantId: cp.set.merchantId, pageKey: first.body.nextPageKey });
    expectOk(second);
    expect(second.body.items.map((x: any) => x.paymentRequestId)).not.toContain(meanwhile.id);
    // the second page starts where the first ended: the list read before, from item 50 on
    expect(second.body.items.map((x: any) => x.id)).toEqual(whole.slice(50, 100).map((x) => x.id));
    const fresh = await cp.paymentActivities();
    expectOk(fresh);
    expect(fresh.body.items[0]).toMatchObject({ paymentRequestId: meanwhile.id, type: 'request' });
  });

  it('payment-activities with a terminal key lists its terminal only; a merchantId not the key\'s is 403 MERCHANT_NOT_FOUND', async () => {
    const mine = await cp.createOk();
    const till = await otherTerminal(t);
    const other = new Centrapay(t, till.key, cp.set);
    const theirs = await other.createOk();
    const seenByOther = await allActivities(other);
    expect(seenByOther.map((x) => x.paymentRequestId)).toContain(theirs.id);
    expect(seenByOther.map((x) => x.paymentRequestId)).not.toContain(mine.id);
    const seenByDemo = (await allActivities(cp)).map((x) => x.paymentRequestId);
    expect(seenByDemo).toContain(mine.id);
    expect(seenByDemo).not.toContain(theirs.id);
    // without merchantId: the key's merchant
    const plain = await cp.paymentActivities({});
    expectOk(plain);
    for (const x of plain.body.items) expect(x.merchantId).toBe(cp.set.merchantId);
    const set = await otherMerchant(t, 'Lookup Ltd');
    expectRefused(await cp.paymentActivities({ merchantId: set.merchantId }), 403, 'MERCHANT_NOT_FOUND');
    expectRefused(await cp.paymentActivities({ merchantId: 'mer_00000000000000000000000000' }), 403, 'MERCHANT_NOT_FOUND');
  });

  it("another merchant's activities are not listed to the demo merchant", async () => {
    const set = await otherMerchant(t, 'Activity Ltd');
    const other = new Centrapay(t, set.apiKey, set);
    const theirs = await other.createOk();
    expect((await allActivities(cp)).map((x) => x.paymentRequestId)).not.toContain(theirs.id);
    expect((await allActivities(other)).map((x) => x.paymentRequestId)).toContain(theirs.id);
    expectRefused(await cp.activities(theirs.id), 403, 'PAYMENT_REQUEST_NOT_FOUND');
  });
});

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
