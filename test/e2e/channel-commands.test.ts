// Money moves once (issue 11, "Money that cannot be moved twice"). Every call that moves money is a
// channel command: recorded before the channel is asked, asked outside any transaction with an id
// that the same operation always carries, and applied once. A channel that does not answer leaves
// the operation in flight (503), a retry asks again with the same id, the sweep finishes what a
// client gave up on, and an inbound channel event is taken once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { receiveChannelEvent, receiveChannelPayment } from '../../src/app/use-cases/channel-events.js';
import { createBody, startGateway, type TestGateway } from '../harness.js';
import { scriptedChannel } from '../support/scripted-channel.js';

/** A channel that acts once per idempotency id (as the protocol asks), and can be made to stop answering. */
const channel = scriptedChannel();

const clock = { offsetMs: 0, now: () => Date.now() + clock.offsetMs };
let t: TestGateway;
beforeAll(async () => { t = await startGateway({ connector: channel.connector, clock }); });
afterAll(async () => t?.close());

const create = (extra: Record<string, unknown> = {}) => t.api('POST', '/v1/payment-requests', { body: createBody(t, { allowConcurrent: true, ...extra }) });
const pay = (id: string) => t.api('POST', `/v1/sandbox/payment-requests/${id}/pay`, { body: { outcome: 'approve' } });
const read = async (id: string) => (await t.api('GET', `/v1/payment-requests/${id}`)).body;
const commandsOf = (id: string) => t.query<{ id: string; kind: string; status: string; outcome: string | null }>(`select id, kind, status, outcome from channel_commands where payment_request_id = '${id}' order by created_at, id`);

describe('channel commands', () => {
  it('record every money movement with its own id, asked once and applied once', async () => {
    const { body: request } = await create({ captureMode: 'manual' });
    await pay(request.id);
    const captured = await t.api('POST', `/v1/payment-requests/${request.id}/capture`, { body: { amount: 1000 } });
    expect(captured.body).toMatchObject({ status: 'succeeded', amountCaptured: 1000 });
    const commands = await commandsOf(request.id);
    // a final capture releases the rest at the channel itself
    expect(commands.map((c) => [c.kind, c.status, c.outcome])).toEqual([['authorize', 'applied', 'approved'], ['capture', 'applied', 'succeeded']]);
    // the channel was told each command's id, once each
    for (const command of commands) expect(channel.calls.filter((c) => c.endsWith(` ${command.id}`))).toHaveLength(1);
    expect(new Set(commands.map((c) => c.id)).size).toBe(2);
    // a cancel of an authorization releases it after its commit, as a command of its own
    const { body: cancelled } = await create({ captureMode: 'manual' });
    await pay(cancelled.id);
    await t.api('POST', `/v1/payment-requests/${cancelled.id}/cancel`, { body: {} });
    expect((await commandsOf(cancelled.id)).map((c) => [c.kind, c.status])).toEqual([['authorize', 'applied'], ['release', 'applied']]);
  });

  it('leave an operation the channel did not answer in flight: 503, nothing else may change the request, a retry asks again with the same id', async () => {
    const { body: request } = await create({ captureMode: 'manual' });
    await pay(request.id);
    channel.away = true;
    const key = { 'idempotency-key': `capture-${request.id}` };
    const first = await t.api('POST', `/v1/payment-requests/${request.id}/capture`, { body: { amount: 700 }, headers: key });
    expect([first.status, first.body.code]).toEqual([503, 'service_unavailable']);
    expect(first.headers.get('retry-after')).toBeTruthy();
    expect(await read(request.id)).toMatchObject({ status: 'authorized', amountCaptured: 0 });
    // the request is held by the capture in flight: a cancel cannot slip in between (it waits for
    // the answer, 10 s at most, then is told to retry)
    const cancel = await t.api('POST', `/v1/payment-requests/${request.id}/cancel`, { body: {} });
    expect([cancel.status, cancel.body.code]).toEqual([409, 'conflict']);
    channel.away = false;
    const retried = await t.api('POST', `/v1/payment-requests/${request.id}/capture`, { body: { amount: 700 }, headers: key });
    expect(retried.body).toMatchObject({ status: 'succeeded', amountCaptured: 700 });
    const capture = (await commandsOf(request.id)).find((c) => c.kind === 'capture')!;
    expect(channel.calls.filter((c) => c === `capture ${capture.id}`)).toHaveLength(2); // asked twice, with one id
    expect((await commandsOf(request.id)).filter((c) => c.kind === 'capture')).toHaveLength(1);
  });

  it('are finished by the sweep once their lease ran out, when the client gave up', async () => {
    const { body: request } = await create({ captureMode: 'manual' });
    await pay(request.id);
    channel.away = true;
    expect((await t.api('POST', `/v1/payment-requests/${request.id}/capture`, { body: { amount: 300 } })).status).toBe(503);
    channel.away = false;
    await t.gateway.tick(); // the lease is still running: nothing is taken over
    expect(await read(request.id)).toMatchObject({ status: 'authorized', amountCaptured: 0 });
    clock.offsetMs += 60_000;
    await t.gateway.tick();
    expect(await read(request.id)).toMatchObject({ status: 'succeeded', amountCaptured: 300 });
    const capture = (await commandsOf(request.id)).find((c) => c.kind === 'capture')!;
    expect(capture).toMatchObject({ status: 'applied', outcome: 'succeeded' });
    await t.gateway.tick();
    expect((await read(request.id)).amountCaptured).toBe(300); // applied once
  });

  it('finish a manual refund\'s capture that the channel did not answer: the sweep applies it once', async () => {
    const { body: request } = await create();
    await pay(request.id);
    const made = await t.api('POST', `/v1/payment-requests/${request.id}/refunds`, { body: { amount: 400, reference: 'manual-swept', captureMode: 'manual' } });
    expect(made.body.status).toBe('requires_capture');
    channel.away = true;
    expect((await t.api('POST', `/v1/refunds/${made.body.id}/capture`)).status).toBe(503);
    channel.away = false;
    clock.offsetMs += 60_000;
    await t.gateway.tick();
    await t.gateway.tick();
    expect((await t.api('GET', `/v1/refunds/${made.body.id}`)).body.status).toBe('succeeded');
    expect(await read(request.id)).toMatchObject({ amountRefunded: 400, refundStatus: 'partial' });
    expect((await commandsOf(request.id)).filter((c) => c.kind === 'refund')).toEqual([expect.objectContaining({ status: 'applied', outcome: 'succeeded' })]);
  });

  it('take an inbound channel event once: a refund the channel answered pending settles later', async () => {
    const { body: request } = await create();
    await pay(request.id);
    channel.refundAnswer = 'pending';
    const refund = await t.api('POST', `/v1/payment-requests/${request.id}/refunds`, { body: { amount: 400, reference: 'later' } });
    channel.refundAnswer = 'succeeded';
    expect(refund.body).toMatchObject({ status: 'pending', amount: 400 });
    const command = (await commandsOf(request.id)).find((c) => c.kind === 'refund')!;
    const event = { id: `chev_${request.id}`, commandId: command.id, outcome: 'succeeded' as const };
    expect(await receiveChannelEvent(t.gateway.app, event)).toBe(true);
    expect(await receiveChannelEvent(t.gateway.app, event)).toBe(false);
    expect((await t.api('GET', `/v1/refunds/${refund.body.id}`)).body.status).toBe('succeeded');
    expect(await read(request.id)).toMatchObject({ amountRefunded: 400 });
  });

  it('take money that arrived for a request (a transfer) once per channel event: less leaves the rest due, more settles it overpaid, an ended request refuses it', async () => {
    const { body: request } = await create({ partialAllowed: true });
    const transfer = (id: string, amount: number) => receiveChannelPayment(t.gateway.app, { id, paymentRequestId: request.id, amount, method: 'bank_transfer' });
    expect(await transfer(`trf_${request.id}_1`, 1000)).toBe(true);
    expect(await transfer(`trf_${request.id}_1`, 1000)).toBe(false); // the same event again
    expect(await read(request.id)).toMatchObject({ status: 'pending', amountReceived: 1000, paymentMethod: 'bank_transfer' });
    expect(await transfer(`trf_${request.id}_2`, 800)).toBe(true);
    expect(await read(request.id)).toMatchObject({ status: 'succeeded', amountReceived: 1800, overpaid: true });
    // a request that takes no part payments still counts money a bank has delivered
    const { body: whole } = await create();
    expect(await receiveChannelPayment(t.gateway.app, { id: `trf_${whole.id}`, paymentRequestId: whole.id, amount: 600, method: 'bank_transfer' })).toBe(true);
    expect(await read(whole.id)).toMatchObject({ status: 'pending', amountReceived: 600, partialAllowed: false });
    const { body: cancelled } = await create();
    await t.api('POST', `/v1/payment-requests/${cancelled.id}/cancel`, { body: {} });
    await expect(receiveChannelPayment(t.gateway.app, { id: `trf_${cancelled.id}`, paymentRequestId: cancelled.id, amount: 1500, method: 'bank_transfer' })).rejects.toMatchObject({ code: 'invalid_state' });
    expect(await read(cancelled.id)).toMatchObject({ status: 'cancelled', amountReceived: 0 });
  });
});
