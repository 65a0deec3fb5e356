// A request's money comes through one channel: once part of it is paid, the rest is paid the same
// way. The settlement report puts a request's whole gross under one channel, and a refund goes back
// through the request's channel, so a request paid 4.00 by card and 11.00 by mobile money was
// reported as 15.00 of mobile money (the card acquirer's payout short by 4.00 on paper) and refunded
// to the patron's mobile wallet for money their card had paid.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/system/clock.js';
import { createBody, startGateway, type TestGateway } from '../harness.js';

const clock = new ManualClock(Date.UTC(2026, 4, 12, 9));
let t: TestGateway;
beforeAll(async () => { t = await startGateway({ clock }); });
afterAll(async () => t?.close());

const pub = (method: string, path: string, body?: unknown) => t.api(method, path, { key: null, body });
const sandboxPay = (id: string, body: Record<string, unknown>) => t.api('POST', `/v1/sandbox/payment-requests/${id}/pay`, { body: { outcome: 'approve', ...body } });
async function partlyPaidByCard(): Promise<string> {
  const { body } = await t.api('POST', '/v1/payment-requests', { body: createBody(t, { allowConcurrent: true, amount: 1500, partialAllowed: true }) });
  expect((await sandboxPay(body.id, { method: 'card', amount: 400 })).body).toMatchObject({ status: 'pending', amountReceived: 400, paymentMethod: 'card' });
  return body.id as string;
}

describe('a request paid in part keeps its channel', () => {
  it('the rest through another channel is refused (method_not_allowed) and changes nothing; through the same one it settles, all of it under that channel in the report', async () => {
    const id = await partlyPaidByCard();
    const before = (await t.api('GET', `/v1/payment-requests/${id}`)).body;
    const refused = await sandboxPay(id, { method: 'mobile_money', amount: 1100 });
    expect([refused.status, refused.body.code, refused.body.param]).toEqual([400, 'method_not_allowed', 'method']);
    expect(refused.body.detail).toContain('card');
    expect((await t.api('GET', `/v1/payment-requests/${id}`)).body).toMatchObject({ status: 'pending', amountReceived: 400, paymentMethod: 'card', version: before.version });

    expect((await sandboxPay(id, { method: 'card', amount: 1100 })).body).toMatchObject({ status: 'succeeded', amountCaptured: 1500, paymentMethod: 'card' });
    const report = (await t.api('GET', '/v1/reports/settlement?from=2026-05-12&to=2026-05-13')).body;
    expect(report.rows.map((r: any) => [r.channel, r.count, r.gross])).toEqual([['card', 1, 1500]]);
  });

  it('the pay page offers only the channel the first part came through, and refuses another', async () => {
    const id = await partlyPaidByCard();
    expect((await pub('GET', `/pay/${id}/state`)).body.allowedMethods).toEqual(['card']);
    const refused = await pub('POST', `/pay/${id}/method`, { channel: 'bank_transfer' });
    expect([refused.status, refused.body.code]).toEqual([400, 'method_not_allowed']);
    expect((await t.api('GET', `/v1/payment-requests/${id}`)).body.paymentMethod).toBe('card');
  });
});
