// Centrapay dialect: X-Api-Key authentication, and what each key may see: a terminal key acts for
// its own terminal only, a merchant secret key for every terminal of the merchant, and nobody for
// another merchant (docs/dialects/centrapay.md "Authentication and errors").
import { beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, type TestGateway } from '../../harness.js';
import {
  Centrapay, demoCredentials, expectMalformed, expectOk, expectRefused, otherMerchant, otherTerminal, paidRequest, rowCounts,
  send, uniqueName, useGateway, type CentrapayCredentials,
} from './client.js';

let t: TestGateway;
let cp: Centrapay;
useGateway((gateway, client) => { t = gateway; cp = client; });

describe('authentication', () => {
  it('no X-Api-Key is 401 Missing authentication, for reads and writes, and writes nothing', async () => {
    const pr = await cp.createOk();
    const anonymous = new Centrapay(t, null, demoCredentials(t));
    const before = await rowCounts(t);
    expectRefused(await anonymous.get(pr.id), 401, 'Missing authentication');
    expectRefused(await anonymous.create(), 401, 'Missing authentication');
    expectRefused(await anonymous.cancel(pr.id), 401, 'Missing authentication');
    expectRefused(await anonymous.paymentActivities(), 401, 'Missing authentication');
    // a native bearer key is not Centrapay's header
    expectRefused(await send(t, 'GET', `/centrapay/api/payment-requests/${pr.id}`, { headers: { authorization: `Bearer ${t.secretKey}` } }), 401, 'Missing authentication');
    expect(await rowCounts(t)).toEqual(before);
    expect((await cp.read(pr.id)).status).toBe('new');
  });

  it('an unknown key is 401 Invalid authentication', async () => {
    const pr = await cp.createOk();
    const before = await rowCounts(t);
    for (const key of ['tk_test_nope', `${cp.set.apiKey}x`, 'f32c5497297084e5354b47c40d5ccacb109ce483', `sk_test_${'a'.repeat(43)}`]) {
      const wrong = new Centrapay(t, key, demoCredentials(t));
      expectRefused(await wrong.get(pr.id), 401, 'Invalid authentication');
      expectRefused(await wrong.create(), 401, 'Invalid authentication');
    }
    expect(await rowCounts(t)).toEqual(before);
  });

  it('a revoked terminal key is 401 Invalid authentication', async () => {
    const till = await otherTerminal(t);
    const client = new Centrapay(t, till.key, demoCredentials(t));
    const pr = await client.createOk();
    expect(pr.terminalId).toBe(till.name);
    const revoked = await t.api('DELETE', `/admin/v1/keys/${till.keyId}`, { key: ADMIN_TOKEN });
    expect(revoked.status).toBeLessThan(300);
    expectRefused(await client.get(pr.id), 401, 'Invalid authentication');
    expectRefused(await client.create(), 401, 'Invalid authentication');
  });
});

describe('the paths that take no key', () => {
  const PUBLIC = ['/centrapay/.well-known/jwks.json', '/centrapay/openapi.json'];

  it('a method they do not answer is 405 with Allow, in Centrapay\'s envelope, with a key or without', async () => {
    for (const path of PUBLIC) {
      expect((await send(t, 'GET', path)).status, path).toBe(200);
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
        for (const apiKey of [null, cp.apiKey]) {
          const res = await send(t, method, path, { apiKey });
          expectRefused(res, 405, 'Method Not Allowed');
          expect(res.headers.get('allow'), `${method} ${path}`).toBe('GET, HEAD');
        }
      }
    }
  });

  it('a path of the API asked with a method it does not answer still wants the key first: 401 without it, 405 with it', async () => {
    for (const [method, path] of [['PATCH', '/centrapay/api/payment-requests'], ['DELETE', '/centrapay/api/payment-requests/pr_00000000000000000000000000'], ['GET', '/centrapay/api/payment-requests/pr_00000000000000000000000000/void']]) {
      expectRefused(await send(t, method!, path!), 401, 'Missing authentication');
      const res = await send(t, method!, path!, { apiKey: cp.apiKey });
      expectRefused(res, 405, 'Method Not Allowed');
      expect(res.headers.get('allow')).toBeTruthy();
    }
    // and a path the API does not have: the key first as well
    expectRefused(await send(t, 'GET', '/centrapay/api/nothing-here'), 401, 'Missing authentication');
    expectRefused(await send(t, 'GET', '/centrapay/api/nothing-here', { apiKey: cp.apiKey }), 404, 'Not Found');
  });

  it('a path outside the API that nothing answers is 404 in Centrapay\'s envelope, with no key asked', async () => {
    for (const path of ['/centrapay/.well-known/other.json', '/centrapay/nothing-here']) expectRefused(await send(t, 'GET', path), 404, 'Not Found');
  });
});

describe('terminal keys and the merchant secret key', () => {
  it("a terminal key of another terminal cannot read or act on this terminal's request (403 PAYMENT_REQUEST_NOT_FOUND), and vice versa", async () => {
    const mine = await paidRequest(cp, '1000', { externalRef: uniqueName('mine') });
    const fresh = await cp.createOk();
    const till = await otherTerminal(t);
    const other = new Centrapay(t, till.key, demoCredentials(t));
    const before = await rowCounts(t);
    expectRefused(await other.get(mine.id), 403, 'PAYMENT_REQUEST_NOT_FOUND');
    expectRefused(await other.byShortCode(mine.shortCode), 403, 'PAYMENT_REQUEST_NOT_FOUND');
    expectRefused(await other.activities(mine.id), 403, 'PAYMENT_REQUEST_NOT_FOUND');
    expectRefused(await other.refund(mine.id, '100'), 403, 'PAYMENT_REQUEST_NOT_FOUND');
    expectRefused(await other.void(mine.id), 403, 'PAYMENT_REQUEST_NOT_FOUND');
    expectRefused(await other.cancel(fresh.id), 403, 'PAYMENT_REQUEST_NOT_FOUND');
    expectRefused(await other.pay(fresh.id), 403, 'PAYMENT_REQUEST_NOT_FOUND');
    expect(await rowCounts(t)).toEqual(before);
    const listed = await other.byExternalRef(mine.externalRef);
    expectOk(listed);
    expect(listed.body.items).toEqual([]);
    expect((await cp.read(fresh.id)).status).toBe('new');
    // its own request is its own: the demo terminal key cannot see it
    const theirs = await other.createOk({}, '500');
    expect(theirs.terminalId).toBe(till.name);
    expectRefused(await cp.get(theirs.id), 403, 'PAYMENT_REQUEST_NOT_FOUND');
  });

  it("a terminal key cannot create on another terminal (403 TERMINAL_NOT_FOUND)", async () => {
    const till = await otherTerminal(t);
    const other = new Centrapay(t, till.key, demoCredentials(t));
    const before = await rowCounts(t);
    expectRefused(await other.create({ terminalId: cp.set.terminalId }), 403, 'TERMINAL_NOT_FOUND');
    expect(await rowCounts(t)).toEqual(before);
  });

  it('a merchant secret key acts for every terminal; with it terminalId is required', async () => {
    const till = await otherTerminal(t);
    const theirs = await new Centrapay(t, till.key, demoCredentials(t)).createOk();
    const secret = new Centrapay(t, t.secretKey, demoCredentials(t));
    expect((await secret.read(theirs.id)).id).toBe(theirs.id);
    const before = await rowCounts(t);
    expectMalformed(await secret.create(), 'terminalId');
    expect(await rowCounts(t)).toEqual(before);
    const onTill = await secret.createOk({ terminalId: till.name });
    expect(onTill.terminalId).toBe(till.name);
    const onDemo = await secret.createOk({ terminalId: cp.set.terminalId });
    expect(onDemo.terminalId).toBe(cp.set.terminalId);
    expectOk(await secret.cancel(onTill.id));
    expectRefused(await secret.create({ terminalId: 'no-such-till' }), 403, 'TERMINAL_NOT_FOUND');
  });
});

describe('another merchant', () => {
  let otherSet: CentrapayCredentials;
  let other: Centrapay;
  beforeAll(async () => {
    otherSet = await otherMerchant(t, 'Other Ltd');
    other = new Centrapay(t, otherSet.apiKey, otherSet);
  });

  it('has its own set', () => {
    expect(otherSet.merchantId).not.toBe(cp.set.merchantId);
    expect(otherSet.configId).not.toBe(cp.set.configId);
    expect(otherSet.apiKey).not.toBe(cp.set.apiKey);
  });

  it("cannot read, find or act on the demo merchant's requests (403 PAYMENT_REQUEST_NOT_FOUND), and changes nothing", async () => {
    const paid = await paidRequest(cp, '1000', { externalRef: uniqueName('demo') });
    const fresh = await cp.createOk();
    const before = await rowCounts(t);
    for (const res of [
      await other.get(paid.id), await other.byShortCode(paid.shortCode), await other.activities(paid.id), await other.refund(paid.id, '100'),
      await other.void(paid.id), await other.cancel(fresh.id), await other.pay(fresh.id), await other.release(fresh.id),
    ]) expectRefused(res, 403, 'PAYMENT_REQUEST_NOT_FOUND');
    expect(await rowCounts(t)).toEqual(before);
    expect((await other.byExternalRef(paid.externalRef)).body.items).toEqual([]);
    expect((await cp.read(fresh.id)).status).toBe('new');
    expect((await cp.read(paid.id)).status).toBe('paid');
  });

  it("cannot use the demo merchant's configId (403 MERCHANT_CONFIG_NOT_FOUND)", async () => {
    const before = await rowCounts(t);
    expectRefused(await other.create({ configId: cp.set.configId }), 403, 'MERCHANT_CONFIG_NOT_FOUND');
    expectRefused(await cp.create({ configId: otherSet.configId }), 403, 'MERCHANT_CONFIG_NOT_FOUND');
    expect(await rowCounts(t)).toEqual(before);
    const own = await other.createOk();
    expect(own).toMatchObject({ merchantId: otherSet.merchantId, configId: otherSet.configId, merchantName: 'Other Ltd' });
  });
});
