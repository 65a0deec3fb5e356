// A retry that takes over its operation in flight after writing first (Work.resuming): what it
// must not do when the command is finished by another (its first asker, the sweep, a second
// retry) while it asks the channel again, or when another operation shares the command's kind,
// amount and reference (the return of what a request owes).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyTotals } from '../../src/app/use-cases/verify.js';
import { startGateway, type TestGateway } from '../harness.js';
import { scenarioCalls, scriptedChannel } from '../support/scripted-channel.js';

const channel = scriptedChannel();

const clock = { offsetMs: 0, now: () => Date.now() + clock.offsetMs };
let t: TestGateway;
/** Runs once, right after the next transaction that stopped for a channel's answer has rolled back. */
let afterStopped: (() => Promise<void>) | null = null;
beforeAll(async () => {
  t = await startGateway({ connector: channel.connector, clock });
  const db = t.gateway.app.db;
  const transaction = db.transaction.bind(db);
  db.transaction = (async (work: never) => {
    try {
      return await transaction(work);
    } catch (error) {
      const hook = afterStopped;
      if (hook && (error as Error).name === 'ChannelAnswerNeeded') {
        afterStopped = null;
        await hook();
      }
      throw error;
    }
  }) as typeof db.transaction;
});
afterAll(async () => t?.close());

const { create, pay, voidRequest, read, held, open, refundIdsAsked, sweepAfterLease, whileAway } = scenarioCalls(() => t, channel, clock);
async function clean(): Promise<void> {
  expect((await verifyTotals(t.gateway.app.db)).mismatches).toEqual([]);
}

describe('a resuming retry and its command finished by another', () => {
  it('R1: the command applied by the sweep while the resuming void asks the channel again leaves the request free', async () => {
    const { body: request } = await create({ partialAllowed: false });
    await pay(request.id);
    const before = refundIdsAsked().size;
    expect((await whileAway(() => voidRequest(request.id))).status).toBe(503);
    // the retry waits 10 s, then runs acting for the void in flight: it stops for the channel's
    // answer; just then the sweep (the lease out) finishes the void
    afterStopped = sweepAfterLease;
    const retried = await voidRequest(request.id);
    expect(afterStopped).toBeNull();
    // its run after that is an ordinary one: the request is voided, a second void is refused as such
    // (not "another operation is still waiting for the payment channel")
    expect([retried.status, retried.body.code]).toEqual([409, 'invalid_state']);
    expect(await read(request.id)).toMatchObject({ status: 'cancelled', statusReason: 'voided', amountRefunded: 1500 });
    expect(refundIdsAsked().size).toBe(before + 1);
    expect(await held(request.id)).toBeNull(); // not held for good by a command already applied
    expect(await open(request.id)).toEqual([]);
    // the request takes further operations
    const again = await voidRequest(request.id);
    expect(again.status).toBe(409);
    expect(again.body.code).not.toBe('conflict');
    await clean();
  }, 60_000);

  it('R2: two retries of a void resuming at once: voided and refunded once, the request free', async () => {
    const { body: request } = await create({ partialAllowed: false });
    await pay(request.id);
    const before = refundIdsAsked().size;
    expect((await whileAway(() => voidRequest(request.id))).status).toBe(503);
    const [a, b] = await Promise.all([0, 1].map(() => voidRequest(request.id)));
    expect([a!.status, b!.status], JSON.stringify([a!.body, b!.body])).toContain(200);
    expect(await read(request.id)).toMatchObject({ status: 'cancelled', statusReason: 'voided', amountRefunded: 1500 });
    expect(refundIdsAsked().size).toBe(before + 1);
    expect(await held(request.id)).toBeNull();
    expect(await open(request.id)).toEqual([]);
    await clean();
  }, 60_000);
});

describe('another operation that makes the same command', () => {
  it('R3: a cancel in flight is not taken over by an expiry made by another call: the request ends cancelled', async () => {
    const { body: request } = await create({ expiresInSeconds: 60 });
    await pay(request.id, 400);
    expect((await whileAway(() => t.api('POST', `/v1/payment-requests/${request.id}/cancel`, { body: {} }))).status).toBe(503);
    clock.offsetMs += 61_000; // overdue (the cancel's lease is out too, but nothing sweeps: the gateway runs no background loop)
    const other = await t.api('POST', `/v1/payment-requests/${request.id}/cancel`, { body: {} });
    // either the cancel's retry answered the cancel, or it was refused (the expiry it makes first is
    // not the cancel in flight) and the sweep makes the cancel; never the expiry with the cancel's return
    if (other.status !== 200) {
      expect([other.status, other.body.code]).toEqual([409, 'conflict']);
      await sweepAfterLease();
    }
    expect(await read(request.id)).toMatchObject({ status: 'cancelled', amountReceived: 400, amountRefunded: 400 });
    await clean();
  }, 60_000);

  it('R4: a payment on the overdue request while its cancel returns a part does not take the return over: the part returned is recorded', async () => {
    const { body: request } = await create({ expiresInSeconds: 60 });
    await pay(request.id, 400);
    const before = refundIdsAsked().size;
    expect((await whileAway(() => t.api('POST', `/v1/payment-requests/${request.id}/cancel`, { body: {} }))).status).toBe(503);
    clock.offsetMs += 61_000; // overdue (nothing sweeps until sweepAfterLease: no background loop)
    const paid = await pay(request.id, 1100);
    const asked = [...refundIdsAsked()].length - before; // the cancel's return, asked once or twice with one id
    expect(asked).toBe(1);
    await sweepAfterLease();
    const after = await read(request.id);
    // what the channel gave back (400) is recorded on the request, whatever the payment's answer was
    expect(after, JSON.stringify({ paid: [paid.status, paid.body.code ?? paid.body.status], after })).toMatchObject({ amountRefunded: 400 });
    expect(await open(request.id)).toEqual([]);
    expect(await held(request.id)).toBeNull();
    await clean();
  }, 60_000);

  it('R5: a patron declining while the merchant\'s cancel returns a part does not take the return over: the request ends cancelled', async () => {
    const { body: request } = await create();
    await pay(request.id, 400);
    expect((await whileAway(() => t.api('POST', `/v1/payment-requests/${request.id}/cancel`, { body: {} }))).status).toBe(503);
    const declined = await t.api('POST', `/v1/sandbox/payment-requests/${request.id}/pay`, { body: { outcome: 'decline' } });
    await sweepAfterLease();
    const after = await read(request.id);
    expect(after, JSON.stringify({ declined: [declined.status, declined.body.code ?? declined.body.status], after })).toMatchObject({ status: 'cancelled', statusReason: 'cancelled_by_merchant', amountReceived: 400, amountRefunded: 400 });
    expect(await open(request.id)).toEqual([]);
    await clean();
  }, 60_000);

  it('R6: the first asker still waiting for a slow channel (12 s) when its retry resumes: voided and refunded once, one event each', async () => {
    const { body: request } = await create({ partialAllowed: false });
    await pay(request.id);
    const before = refundIdsAsked().size;
    channel.slowNextMs = 12_000;
    const first = voidRequest(request.id);
    await new Promise((done) => setTimeout(done, 300));
    const retried = await voidRequest(request.id);
    const answered = await first;
    expect([answered.status, retried.status], JSON.stringify([answered.body, retried.body])).toContain(200);
    expect(await read(request.id)).toMatchObject({ status: 'cancelled', statusReason: 'voided', amountRefunded: 1500 });
    expect(refundIdsAsked().size).toBe(before + 1);
    expect(await held(request.id)).toBeNull();
    expect(await open(request.id)).toEqual([]);
    const events = await t.query<{ type: string }>(`select type from events where payment_request_id = '${request.id}'`);
    const types = events.map((e) => e.type);
    expect(types.filter((type) => type === 'refund.succeeded')).toHaveLength(1);
    expect(new Set(types).size, JSON.stringify(types)).toBe(types.length);
    await clean();
  }, 60_000);

  it('R7: a cancel does not sneak in while the patron\'s payment is in flight, with or without a part paid before', async () => {
    for (const partly of [false, true]) {
      const { body: request } = await create({ partialAllowed: partly });
      if (partly) await pay(request.id, 400);
      expect((await whileAway(() => pay(request.id, partly ? 300 : undefined))).status).toBe(503);
      const cancel = await t.api('POST', `/v1/payment-requests/${request.id}/cancel`, { body: {} });
      expect([cancel.status, cancel.body.code]).toEqual([409, 'conflict']);
      await sweepAfterLease();
      expect(await read(request.id)).toMatchObject(partly ? { status: 'pending', amountReceived: 700, amountRefunded: 0 } : { status: 'succeeded', amountReceived: 1500 });
      expect(await open(request.id)).toEqual([]);
    }
    await clean();
  }, 60_000);
});
