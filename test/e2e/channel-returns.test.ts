// The return of what a partly paid request holds when it expires, driven through each answer of
// the channel: the expiry read or acted on before the sweep makes it (the unit that expires it asks
// the channel for the return and runs again with the answer), and an expiry whose return the
// channel refuses. Each return is asked once, recorded once, and `posgate verify` stays clean.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connector } from '../../src/app/ports/connector.js';
import { verifyTotals } from '../../src/app/use-cases/verify.js';
import { createSandboxConnector } from '../../src/connectors/sandbox/connector.js';
import { createBody, startGateway, type TestGateway } from '../harness.js';

const sandbox = createSandboxConnector();
const calls: string[] = [];
let refundAnswer: 'succeeded' | 'failed' = 'succeeded';
const channel: Connector = {
  channels: (request) => sandbox.channels(request),
  instructions: (request, choice, amount, now) => sandbox.instructions(request, choice, amount, now),
  authorize: async (request, payment, id) => { calls.push(`authorize ${request.id} ${payment.amount} ${id}`); return 'approved'; },
  capture: async (request, amount, _options, id) => { calls.push(`capture ${request.id} ${amount} ${id}`); return 'succeeded'; },
  release: async (request, id) => { calls.push(`release ${request.id} ${id}`); },
  refund: async (request, refund, id) => { calls.push(`refund ${request.id} ${refund.amount} ${id}`); return refundAnswer; },
};

const clock = { offsetMs: 0, now: () => Date.now() + clock.offsetMs };
let t: TestGateway;
beforeAll(async () => { t = await startGateway({ connector: channel, clock }); });
afterAll(async () => t?.close());

/** A request of 1500 with 400 of it paid, past its deadline (the sweep has not run). */
async function overduePartlyPaid(extra: Record<string, unknown> = { allowConcurrent: true }): Promise<string> {
  const { body } = await t.api('POST', '/v1/payment-requests', { body: createBody(t, { expiresInSeconds: 60, partialAllowed: true, ...extra }) });
  expect((await t.api('POST', `/v1/sandbox/payment-requests/${body.id}/pay`, { body: { outcome: 'approve', amount: 400 } })).body.amountReceived).toBe(400);
  clock.offsetMs += 61_000;
  return body.id;
}
const callsOf = (id: string, kind: string) => calls.filter((c) => c.startsWith(`${kind} ${id} `));
const types = async (id: string) => (await t.api('GET', `/v1/payment-requests/${id}/events`)).body.data.map((e: { type: string }) => e.type);
const refunds = async (id: string) => (await t.api('GET', `/v1/payment-requests/${id}/refunds`)).body.data.map((r: any) => [r.reference, r.amount, r.status]);
const open = (id: string) => t.query<{ id: string }>(`select id from channel_commands where payment_request_id = '${id}' and status != 'applied'`);
const held = async (id: string) => (await t.query<{ channel_command_id: string | null }>(`select channel_command_id from payment_requests where id = '${id}'`))[0]!.channel_command_id;
const ENDED = ['payment_request.created', 'payment_request.pending', 'payment_request.partially_paid', 'payment_request.expired', 'refund.created'];

describe('the return of what an expired request held', () => {
  it('a read of an overdue partly paid request expires it with its part returned, once: never shown payable, nothing left held', async () => {
    const id = await overduePartlyPaid();
    const read = await t.api('GET', `/v1/payment-requests/${id}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ status: 'expired', statusReason: 'expired', amountReceived: 400, amountCaptured: 400, amountRefunded: 400, refundStatus: 'full' });
    expect(callsOf(id, 'refund')).toHaveLength(1);
    expect(await refunds(id)).toEqual([['posgate:return', 400, 'succeeded']]);
    expect(await types(id)).toEqual([...ENDED, 'refund.succeeded']);
    expect(await held(id)).toBeNull();
    expect(await open(id)).toEqual([]);
    // nothing holds the request: a cancel is refused as its state, at once
    const started = Date.now();
    const cancel = await t.api('POST', `/v1/payment-requests/${id}/cancel`, { body: {} });
    expect([cancel.status, cancel.body.code]).toEqual([409, 'invalid_state']);
    expect(Date.now() - started).toBeLessThan(8_000); // not the 10 s a held request makes it wait
    await t.gateway.tick();
    expect(callsOf(id, 'refund')).toHaveLength(1);
    expect((await verifyTotals(t.gateway.app.db)).mismatches).toEqual([]);
  });

  it('the rest paid on an overdue partly paid request is refused as expired: the channel takes nothing more, and the part it returned is recorded', async () => {
    const id = await overduePartlyPaid();
    const paid = await t.api('POST', `/v1/sandbox/payment-requests/${id}/pay`, { body: { outcome: 'approve' } });
    expect([paid.status, paid.body.code]).toEqual([409, 'request_expired']);
    expect(callsOf(id, 'authorize').map((c) => c.split(' ')[2])).toEqual(['400']);
    // the refused payment rolled its unit back, the expiry with it: its return, in flight, is
    // finished by the sweep once its lease has run out (asked again with the same id)
    clock.offsetMs += 60_000;
    await t.gateway.tick();
    expect((await t.api('GET', `/v1/payment-requests/${id}`)).body).toMatchObject({ status: 'expired', amountReceived: 400, amountCaptured: 400, amountRefunded: 400 });
    expect(new Set(callsOf(id, 'refund')).size).toBe(1);
    expect(await types(id)).toEqual([...ENDED, 'refund.succeeded']);
    expect(await open(id)).toEqual([]);
    expect((await verifyTotals(t.gateway.app.db)).mismatches).toEqual([]);
  });

  it('an expiry whose return the channel refuses still ends the request: the return failed, what it holds refundable, asked once, the terminal free', async () => {
    const id = await overduePartlyPaid({});
    refundAnswer = 'failed';
    try {
      await t.gateway.tick();
      await t.gateway.tick();
      const read = await t.api('GET', `/v1/payment-requests/${id}`);
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ status: 'expired', amountReceived: 400, amountCaptured: 400, amountRefunded: 0, refundStatus: 'none' });
      clock.offsetMs += 120_000; // past every lease: nothing is asked again
      await t.gateway.tick();
    } finally {
      refundAnswer = 'succeeded';
    }
    expect(callsOf(id, 'refund')).toHaveLength(1);
    expect(await refunds(id)).toEqual([['posgate:return', 400, 'failed']]);
    expect(await types(id)).toEqual([...ENDED, 'refund.failed']);
    expect(await open(id)).toEqual([]);
    // the terminal takes its next sale
    const next = await t.api('POST', '/v1/payment-requests', { body: createBody(t) });
    expect(next.status, JSON.stringify(next.body)).toBe(201);
    await t.api('POST', `/v1/payment-requests/${next.body.id}/cancel`, { body: {} });
    // what it holds is paid back by the merchant's refund, no more than that
    const over = await t.api('POST', `/v1/payment-requests/${id}/refunds`, { body: { amount: 401, reference: 'back' } });
    expect([over.status, over.body.code]).toEqual([400, 'amount_exceeds_refundable']);
    const back = await t.api('POST', `/v1/payment-requests/${id}/refunds`, { body: { amount: 400, reference: 'back' } });
    expect([back.status, back.body.status]).toEqual([201, 'succeeded']);
    expect((await t.api('GET', `/v1/payment-requests/${id}`)).body).toMatchObject({ status: 'expired', amountRefunded: 400, refundStatus: 'full' });
    expect((await verifyTotals(t.gateway.app.db)).mismatches).toEqual([]);
  });
});
