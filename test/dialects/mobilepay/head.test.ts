// MobilePay's wrapper changes state with GET (its design), so HEAD must not run its operations:
// Fastify would otherwise answer HEAD by running every GET handler. HEAD gets the dialect's 405
// (naming the methods the path answers) and changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../../harness.js';
import { demoClient, demoCredentials, expectOk, freshPos, PREFIX, query, reservedPayment, rowCounts, uniqueName, type MobilePay } from './client.js';

let t: TestGateway;
let mp: MobilePay;
beforeAll(async () => {
  t = await startGateway();
  mp = demoClient(t);
});
afterAll(async () => t.close());

const head = (op: string, params: Record<string, string>) => {
  const { bioCode, accessToken } = demoCredentials(t);
  return fetch(`${t.url}${PREFIX}${op}${query({ ...params, bioCode, accessToken })}`, { method: 'HEAD' });
};

describe('MobilePay: HEAD runs no operation', () => {
  it('HEAD payment/start is 405 with Allow: GET, POST and starts no payment (a GET start then works)', async () => {
    const pos = await freshPos(t);
    const before = await rowCounts(t);
    const res = await head('payment/start', { orderId: uniqueName('head'), amount: '10.00', terminalId: pos.terminalId });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, POST');
    expect(await rowCounts(t)).toEqual(before);
    const active = await mp.get('payments', { terminalId: pos.terminalId });
    expectOk(active);
    expect(active.body.paymentIds).toEqual([]);
    // no payment is active on the PoS: a real start is not refused with 1301
    await mp.start(uniqueName('after-head'), '10.00', pos.terminalId);
  });

  it('HEAD payment/cancel, payment/capture, refund/create and manage/delete change nothing', async () => {
    const pos = await freshPos(t);
    const paymentId = await reservedPayment(t, mp, pos, '20.00');
    const before = await rowCounts(t);
    for (const [op, params] of [
      ['payment/capture', { paymentId }],
      ['payment/cancel', { paymentId }],
      ['refund/create', { paymentId, amount: '1.00', refundOrderId: 'head-refund' }],
      ['manage/delete', { terminalId: pos.terminalId }],
    ] as const) {
      const res = await head(op, params);
      expect(res.status, op).toBe(405);
    }
    expect(await rowCounts(t)).toEqual(before);
    expect(await mp.status(paymentId)).toBe('Reserved');
    expectOk(await mp.get('manage/terminal/information', { terminalId: pos.terminalId }));
  });

  it('HEAD on an unknown path is still 404', async () => {
    const res = await head('payment/nothing', {});
    expect(res.status).toBe(404);
  });
});
