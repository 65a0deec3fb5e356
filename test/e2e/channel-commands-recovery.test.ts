// Channel commands when the unit that asked does not come back to apply the answer (its client gave
// up after a 503, its channel answered later than its lease, a second command in the same unit), and
// when the sweep finishes them: each operation moves money once at the channel and is recorded
// once, whole (the ending of a request with the return of what it owed), and no request stays held.
// Regressions of a review of the protocol (scenarios A–F).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../harness.js';
import { scenarioCalls, scriptedChannel } from '../support/scripted-channel.js';

const channel = scriptedChannel();

const clock = { offsetMs: 0, now: () => Date.now() + clock.offsetMs };
let t: TestGateway;
beforeAll(async () => { t = await startGateway({ connector: channel.connector, clock }); });
afterAll(async () => t?.close());

const { create, pay, voidRequest, read, held, open, refundIdsAsked, sweepAfterLease, whileAway } = scenarioCalls(() => t, channel, clock);

describe('channel commands finished without the unit that asked', () => {
  it('A: a declined approval of a partly paid request returns the first part in the same operation, holding nothing after', async () => {
    const { body: request } = await create();
    expect((await pay(request.id, 400)).body.amountReceived).toBe(400);
    channel.declineAuthorizations = true;
    const started = Date.now();
    const declined = await pay(request.id, 300);
    channel.declineAuthorizations = false;
    expect(Date.now() - started).toBeLessThan(2000);
    expect(declined.status, JSON.stringify(declined.body)).toBe(200);
    expect(declined.body).toMatchObject({ status: 'failed', amountReceived: 400, amountRefunded: 400 });
    expect(await held(request.id)).toBeNull();
    expect(await open(request.id)).toEqual([]);
  });

  it('A2: a retry without a key while its payment is in flight resumes it, where the request takes the payment once (no part payments)', async () => {
    const { body: request } = await create({ partialAllowed: false });
    expect((await whileAway(() => pay(request.id))).status).toBe(503);
    const retried = await pay(request.id);
    expect(retried.status, JSON.stringify(retried.body)).toBe(200);
    expect(retried.body).toMatchObject({ status: 'succeeded', amountReceived: 1500 });
    expect(new Set(channel.calls.filter((c) => c.startsWith('authorize ') && c.includes(request.id))).size).toBe(1); // one command, asked twice
    expect(await open(request.id)).toEqual([]);
  });

  it('B: a retry under the same Idempotency-Key after the sweep finished its payment does not pay again', async () => {
    const { body: request } = await create();
    const key = { 'idempotency-key': `pay-${request.id}` };
    expect((await whileAway(() => pay(request.id, 400, key))).status).toBe(503);
    await sweepAfterLease();
    expect((await read(request.id)).amountReceived).toBe(400);
    const retried = await pay(request.id, 400, key);
    expect([retried.status, retried.body.code]).toEqual([409, 'conflict']);
    expect((await read(request.id)).amountReceived).toBe(400);
    expect(channel.calls.filter((c) => c.startsWith('authorize ') && c.includes(request.id))).toHaveLength(2); // one id, asked twice
    expect(new Set(channel.calls.filter((c) => c.startsWith('authorize ') && c.includes(request.id))).size).toBe(1);
  });

  it('C: a void whose client gave up is finished whole by the sweep: voided and refunded once', async () => {
    const { body: request } = await create({ partialAllowed: false });
    await pay(request.id);
    const before = refundIdsAsked().size;
    expect((await whileAway(() => voidRequest(request.id))).status).toBe(503);
    await sweepAfterLease();
    expect(await read(request.id)).toMatchObject({ status: 'cancelled', amountCaptured: 1500, amountRefunded: 1500 });
    const again = await voidRequest(request.id);
    expect(again.status).toBe(409);
    expect(refundIdsAsked().size).toBe(before + 1);
    expect(await held(request.id)).toBeNull();
  });

  it('D: a channel slower than the lease: the sweep applies the answer, the unit that asked does not move the money again', async () => {
    const { body: request } = await create();
    channel.duringNextCall = sweepAfterLease;
    const paid = await pay(request.id, 400);
    expect(paid.status).toBe(409);
    expect((await read(request.id)).amountReceived).toBe(400);
    expect(new Set(channel.calls.filter((c) => c.startsWith('authorize ') && c.includes(request.id))).size).toBe(1);
  });

  it('E: a cancel of a partly paid request whose client gave up: cancelled and the part returned, once', async () => {
    const { body: request } = await create();
    await pay(request.id, 400);
    expect((await whileAway(() => t.api('POST', `/v1/payment-requests/${request.id}/cancel`, { body: {} }))).status).toBe(503);
    await sweepAfterLease();
    expect(await read(request.id)).toMatchObject({ status: 'cancelled', amountReceived: 400, amountRefunded: 400 });
    expect(await open(request.id)).toEqual([]);
  });

  it('F: the expiry of a partly paid request while the channel is away returns the part once', async () => {
    const { body: request } = await create({ expiresInSeconds: 60 });
    await pay(request.id, 400);
    const before = refundIdsAsked().size;
    await whileAway(async () => {
      clock.offsetMs += 120_000;
      await t.gateway.tick();
    });
    for (let i = 0; i < 3; i++) await sweepAfterLease();
    expect(await read(request.id)).toMatchObject({ status: 'expired', amountReceived: 400, amountRefunded: 400 });
    expect(refundIdsAsked().size).toBe(before + 1);
    expect(await held(request.id)).toBeNull();
  });
});

// A retry that comes back before the sweep: the operation left in flight by a try whose client was
// told 503 is the retry's own when the retry makes the same operation, even when the use case
// writes the request before it asks the channel (a void, a cancel that returns a part payment).
describe('a retry of an operation its first try left in flight', () => {
  it('G: a void retried after its 503 (the channel back) voids and refunds once, and answers the void', async () => {
    const { body: request } = await create({ partialAllowed: false });
    await pay(request.id);
    const before = refundIdsAsked().size;
    expect((await whileAway(() => voidRequest(request.id))).status).toBe(503);
    const retried = await voidRequest(request.id);
    expect(retried.status, JSON.stringify(retried.body)).toBe(200);
    expect(retried.body).toMatchObject({ status: 'cancelled', statusReason: 'voided', amountCaptured: 1500, amountRefunded: 1500 });
    expect(refundIdsAsked().size).toBe(before + 1); // one refund at the channel, asked twice with one id
    expect(Number((await t.query<{ n: number | string }>(`select count(*) as n from refunds where payment_request_id = '${request.id}'`))[0]!.n)).toBe(1);
    expect(await held(request.id)).toBeNull();
    expect(await open(request.id)).toEqual([]);
  });

  it('H: a cancel of a partly paid request retried after its 503 cancels it and returns the part once', async () => {
    const { body: request } = await create();
    await pay(request.id, 400);
    const before = refundIdsAsked().size;
    expect((await whileAway(() => t.api('POST', `/v1/payment-requests/${request.id}/cancel`, { body: {} }))).status).toBe(503);
    const retried = await t.api('POST', `/v1/payment-requests/${request.id}/cancel`, { body: {} });
    expect(retried.status, JSON.stringify(retried.body)).toBe(200);
    expect(retried.body).toMatchObject({ status: 'cancelled', amountReceived: 400, amountRefunded: 400 });
    expect(refundIdsAsked().size).toBe(before + 1);
    expect(await open(request.id)).toEqual([]);
  });

  it('I: another operation does not take it: a refund while a void is in flight still waits, and is refused, nothing moved', async () => {
    const { body: request } = await create({ partialAllowed: false });
    await pay(request.id);
    const before = refundIdsAsked().size;
    expect((await whileAway(() => voidRequest(request.id))).status).toBe(503);
    const refund = await t.api('POST', `/v1/payment-requests/${request.id}/refunds`, { body: { amount: 100, reference: 'while-void' } });
    expect([refund.status, refund.body.code]).toEqual([409, 'conflict']);
    expect(refundIdsAsked().size).toBe(before + 1); // the void's return was asked once, nothing else
    expect(await read(request.id)).toMatchObject({ status: 'succeeded', amountRefunded: 0 });
    await sweepAfterLease();
    expect(await read(request.id)).toMatchObject({ status: 'cancelled', statusReason: 'voided', amountRefunded: 1500 });
  });
});
