// The error codes that come from the payment channel or from what Centrapay offers, not from the
// request's state: REFUND_DECLINED (the channel refuses a refund), NO_AVAILABLE_PAYMENT_OPTIONS
// (a currency no Centrapay asset pays) and REDIRECT_URL_INVALID.
import { describe, expect, it } from 'vitest';
import type { Connector } from '../../../src/app/ports/connector.js';
import { createSandboxConnector } from '../../../src/connectors/sandbox/connector.js';
import type { TestGateway } from '../../harness.js';
import { expectRefused, paidRequest, refundRows, resolve, rowCounts, useGateway, type Centrapay } from './client.js';

let refuseRefunds = false;
const calls: string[] = [];
const sandbox = createSandboxConnector();
const channel: Connector = {
  ...sandbox,
  refund: async (request, refund, id) => (refuseRefunds ? 'failed' : sandbox.refund(request, refund, id)),
  capture: async (request, amount, options) => {
    calls.push(`capture ${request.id} ${amount} ${options.final ? 'final' : 'part'}`);
    return 'succeeded';
  },
  release: async (request) => void calls.push(`release ${request.id}`),
};

let t: TestGateway;
let cp: Centrapay;
useGateway((gateway, client) => { t = gateway; cp = client; }, { connector: channel });

describe('codes that come from the channel and the assets', () => {
  it('REFUND_DECLINED when the channel refuses a refund: recorded as failed, nothing taken from what is refundable', async () => {
    const paid = await paidRequest(cp, '1000');
    refuseRefunds = true;
    try {
      expectRefused(await cp.refund(paid.id, '400', 'declined-1'), 403, 'REFUND_DECLINED');
    } finally {
      refuseRefunds = false;
    }
    const nativeId = await resolve(t, paid.id);
    expect(await refundRows(t, nativeId)).toBe(1);
    const [failed] = await t.query<{ status: string }>(`SELECT status FROM refunds WHERE payment_request_id = '${nativeId}'`);
    expect(failed?.status).toBe('failed');
    // all 1000 are still refundable
    const ok = await cp.refund(paid.id, '1000', 'after-decline');
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ type: 'refund', value: { amount: '1000' } });
  });

  it('NO_AVAILABLE_PAYMENT_OPTIONS for a currency posgate knows but no Centrapay asset pays; nothing is written', async () => {
    const before = await rowCounts(t);
    expectRefused(await cp.create({ value: { amount: '1050', currency: 'JPY' } }), 403, 'NO_AVAILABLE_PAYMENT_OPTIONS');
    expect(await rowCounts(t)).toEqual(before);
    expect((await cp.create({ value: { amount: '1050', currency: 'AUD' } })).status).toBe(200);
  });

  it.each(['not a url', 'ftp://example.com/done', '/relative/path'])('REDIRECT_URL_INVALID for %j; nothing is written', async (redirectUrl) => {
    const before = await rowCounts(t);
    expectRefused(await cp.create({ redirectUrl }), 403, 'REDIRECT_URL_INVALID');
    expect(await rowCounts(t)).toEqual(before);
  });

  it('a pre-auth tells the channel: confirmations keep the rest reserved, release frees it once', async () => {
    const pa = await cp.createOk({ preAuth: true }, '2000');
    const id = await resolve(t, pa.id);
    expect((await cp.pay(pa.id, { assetType: 'centrapay.nzd.test', idempotencyKey: `k-${id}` })).status).toBe(200);
    calls.length = 0;
    const confirm = (key: string, price: string) => cp.confirm(pa.id, { idempotencyKey: key, invoiceRef: 'inv', lineItems: [{ name: 'x', qty: '1', price }] });
    expect((await confirm('c1', '300')).status).toBe(200);
    expect((await confirm('c2', '200')).status).toBe(200);
    expect(calls).toEqual([`capture ${id} 300 part`, `capture ${id} 200 part`]);
    expect((await cp.release(pa.id)).body).toMatchObject({ type: 'release', value: { amount: '1500' } });
    expect(calls.slice(2)).toEqual([`release ${id}`]);
    expect(await cp.read(pa.id)).toMatchObject({ status: 'paid', paidBy: { assetTotals: [{ total: { amount: '500' } }] } });
  });

  it('a second approval while the merchant checks changes nothing; a part payment cannot be held', async () => {
    const restricted = { conditionsEnabled: true, partialAllowed: true, lineItems: [{ name: 'Wine', qty: '1', price: '1050', restricted: true }] };
    const held = await cp.createOk(restricted);
    const first = await cp.pay(held.id, { assetType: 'centrapay.nzd.test', idempotencyKey: 'h1' });
    expect(first.body.merchantConditions).toEqual([expect.objectContaining({ status: 'awaiting-merchant' })]);
    const again = await cp.pay(held.id, { assetType: 'centrapay.nzd.test', idempotencyKey: 'h2' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'new', updatedAt: first.body.updatedAt });
    const other = await cp.createOk(restricted);
    expectRefused(await cp.pay(other.id, { assetType: 'centrapay.nzd.test', idempotencyKey: 'h3', amount: '400' }), 403, 'INVALID_AMOUNT');
    expect((await cp.read(other.id)).merchantConditions).toEqual([expect.objectContaining({ status: 'awaiting-patron' })]);
  });

  it('a condition left waiting when its request ends is void', async () => {
    const pending = await cp.createOk({ conditionsEnabled: true, lineItems: [{ name: 'Wine', qty: '1', price: '1050', restricted: true }] });
    await cp.cancel(pending.id);
    expect((await cp.read(pending.id)).merchantConditions).toEqual([expect.objectContaining({ status: 'void' })]);
  });

  it('a valid redirectUrl is taken', async () => {
    expect((await cp.create({ redirectUrl: 'https://shop.example/done' })).status).toBe(200);
  });
});
