// A channel's later answer (an inbound channel event) to a refund it had answered `pending`, when
// that first answer is recorded but not yet applied: the unit that asked never came back (its
// client got a 503) and the sweep has asked again, recorded `pending`, and not applied it yet.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callChannel } from '../../src/app/channel-commands.js';
import type { Connector } from '../../src/app/ports/connector.js';
import { receiveChannelEvent } from '../../src/app/use-cases/channel-events.js';
import { verifyTotals } from '../../src/app/use-cases/verify.js';
import { createSandboxConnector } from '../../src/connectors/sandbox/connector.js';
import { createBody, startGateway, type TestGateway } from '../harness.js';

const sandbox = createSandboxConnector();
const calls: string[] = [];
let away = false;
const channel: Connector = {
  channels: (request) => sandbox.channels(request),
  instructions: (request, choice, amount, now) => sandbox.instructions(request, choice, amount, now),
  authorize: (request, payment, id) => sandbox.authorize(request, payment, id),
  capture: (request, amount, options, id) => sandbox.capture(request, amount, options, id),
  release: (request, id) => sandbox.release(request, id),
  async refund(request, refund, id) {
    calls.push(`refund ${request.id} ${id}`);
    if (away) throw new Error('channel timeout');
    return 'pending';
  },
};

const clock = { offsetMs: 0, now: () => Date.now() + clock.offsetMs };
let t: TestGateway;
beforeAll(async () => { t = await startGateway({ connector: channel, clock }); });
afterAll(async () => t?.close());

const read = async (id: string) => (await t.api('GET', `/v1/payment-requests/${id}`)).body;
const refundCommand = async (id: string) => {
  const [row] = await t.query<{ id: string }>(`select id from channel_commands where payment_request_id = '${id}' and kind = 'refund'`);
  return (await t.gateway.app.db.read.getChannelCommand(row!.id))!;
};

describe('a channel event for a refund answered pending and not yet applied', () => {
  it('settles it: the refund made as answered, then settled by the event, taken once', async () => {
    const { body: request } = await t.api('POST', '/v1/payment-requests', { body: createBody(t, { allowConcurrent: true }) });
    await t.api('POST', `/v1/sandbox/payment-requests/${request.id}/pay`, { body: { outcome: 'approve', method: 'card' } });
    away = true;
    expect((await t.api('POST', `/v1/payment-requests/${request.id}/refunds`, { body: { amount: 500, reference: 'late' } })).status).toBe(503);
    away = false;
    // the sweep's first step: the channel asked again (same id), its answer recorded, not yet applied
    expect(await callChannel(t.gateway.app, await refundCommand(request.id))).toBe('pending');
    expect(await refundCommand(request.id)).toMatchObject({ status: 'executed', outcome: 'pending' });
    const event = { id: `chev_${request.id}`, commandId: (await refundCommand(request.id)).id, outcome: 'succeeded' as const };
    expect(await receiveChannelEvent(t.gateway.app, event)).toBe(true);
    expect(await receiveChannelEvent(t.gateway.app, event)).toBe(false);
    const [refund] = (await t.api('GET', `/v1/payment-requests/${request.id}/refunds`)).body.data;
    expect(refund).toMatchObject({ amount: 500, reference: 'late', status: 'succeeded' });
    expect(await read(request.id)).toMatchObject({ amountRefunded: 500, refundStatus: 'partial' });
    const types = (await t.api('GET', `/v1/payment-requests/${request.id}/events`)).body.data.map((e: { type: string }) => e.type);
    expect(types).toEqual(['payment_request.created', 'payment_request.pending', 'payment_request.succeeded', 'refund.created', 'refund.succeeded']);
    // the sweep finds nothing left to do: the refund is not made twice, the channel not asked again
    const asked = calls.length;
    clock.offsetMs += 60_000;
    await t.gateway.tick();
    expect(calls).toHaveLength(asked);
    expect((await t.api('GET', `/v1/refunds/${refund.id}`)).body.status).toBe('succeeded');
    expect(await refundCommand(request.id)).toMatchObject({ status: 'applied' });
    expect((await verifyTotals(t.gateway.app.db)).mismatches).toEqual([]);
  });
});
