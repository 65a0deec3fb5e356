// The error codes that come from the payment channel or from what Centrapay offers, not from the
// request's state: REFUND_DECLINED (the channel refuses a refund), NO_AVAILABLE_PAYMENT_OPTIONS
// (a currency no Centrapay asset pays) and REDIRECT_URL_INVALID.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connector } from '../../../src/app/ports/connector.js';
import { createSandboxConnector } from '../../../src/connectors/sandbox/connector.js';
import { startGateway, type TestGateway } from '../../harness.js';
import { Centrapay, demoCredentials, expectRefused, paidRequest, refundRows, resolve, rowCounts } from './client.js';

let refuseRefunds = false;
const sandbox = createSandboxConnector();
const channel: Connector = { ...sandbox, refund: async (request, refund) => (refuseRefunds ? 'failed' : sandbox.refund(request, refund)) };

let t: TestGateway;
let cp: Centrapay;
beforeAll(async () => {
  t = await startGateway({ connector: channel });
  const set = demoCredentials(t);
  cp = new Centrapay(t, set.apiKey, set);
});
afterAll(async () => t.close());

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

  it('a valid redirectUrl is taken', async () => {
    expect((await cp.create({ redirectUrl: 'https://shop.example/done' })).status).toBe(200);
  });
});
