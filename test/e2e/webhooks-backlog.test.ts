// A backlog larger than the worker's slots drains without waiting for the next tick of the
// interval: with `selfFeeding` (the background loop's setting) freed slots are claimed again at
// once. Without it (tests that drive ticks themselves) one tick takes only what its slots allow:
// the control case below shows the difference is the setting's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimDeliveries, recordAttempts } from '../../src/app/use-cases/deliveries.js';
import type { App } from '../../src/app/context.js';
import type { Tx } from '../../src/app/ports/persistence.js';
import { createDeliveryWorker } from '../../src/delivery/worker.js';
import { createBody, startGateway, type TestGateway } from '../harness.js';
import { startReceiver, type Receiver } from '../support/receiver.js';

const SLOTS = 4;
const BACKLOG = 5 * SLOTS;

let t: TestGateway;
let receiver: Receiver;

beforeAll(async () => {
  t = await startGateway();
  receiver = await startReceiver();
  const endpoint = await t.api('POST', '/v1/webhook-endpoints', { body: { url: receiver.url, eventTypes: ['payment_request.created'] } });
  expect(endpoint.status).toBe(201);
});

afterAll(async () => {
  await t.close();
  await receiver.close();
});

async function makeRequests(count: number): Promise<void> {
  for (let i = 0; i < count; i++) expect((await t.api('POST', '/v1/payment-requests', { body: createBody(t, { allowConcurrent: true }) })).status).toBe(201);
}
const makeBacklog = () => makeRequests(BACKLOG);

const worker = (selfFeeding: boolean, options: { perTarget?: number } = {}) =>
  createDeliveryWorker({ app: t.gateway.app, render: async (job) => ({ body: JSON.stringify({ id: job.event.id }), headers: {} }), concurrency: SLOTS, perTarget: options.perTarget ?? SLOTS, selfFeeding });

/** Delivers whatever is due now, so that a case starts with no backlog of the cases before it; how many it took. */
async function drainOthersCount(): Promise<number> {
  const drain = worker(false);
  let taken = 0;
  for (let round = 0, got = 1; round < 100 && got > 0; round++) taken += got = await drain.tick();
  await drain.stop();
  return taken;
}
const drainOthers = async () => void (await drainOthersCount());

describe('a backlog of due deliveries', () => {
  it('one tick without selfFeeding delivers only what its slots hold', async () => {
    await makeBacklog();
    const plain = worker(false);
    try {
      expect(await plain.tick()).toBe(SLOTS);
      expect(receiver.received).toHaveLength(SLOTS);
      for (let round = 0; round < BACKLOG && (await plain.tick()) > 0; round++); // the rest, for the next case
      expect(receiver.received).toHaveLength(BACKLOG);
    } finally {
      await plain.stop();
    }
  });

  it('one tick with selfFeeding drains it all: freed slots are claimed again at once', async () => {
    receiver.received.length = 0;
    await makeBacklog();
    const feeding = worker(true);
    try {
      expect(await feeding.tick()).toBe(SLOTS);
      const arrived = await receiver.waitFor(BACKLOG, 10_000);
      expect(new Set(arrived.map((r) => r.json.id)).size).toBe(BACKLOG);
    } finally {
      await feeding.stop();
    }
  });

  it('attempts recorded together: each decided alone, and a 410 among them ends the batch\'s pending ones of its endpoint', async () => {
    const gone = await startReceiver();
    try {
      const endpoint = await t.api('POST', '/v1/webhook-endpoints', { body: { url: gone.url, eventTypes: ['payment_request.created'] } });
      await makeBacklog();
      const app = t.gateway.app;
      const claimed = (await claimDeliveries(app, 2 * BACKLOG)).filter((d) => d.endpointId === endpoint.body.id).slice(0, 3);
      expect(claimed).toHaveLength(3);
      const answered = (statusCode: number) => ({ statusCode, latencyMs: 1, responseSnippet: null, error: null });
      const [first, second, third] = await recordAttempts(app, [
        { delivery: claimed[0]!, result: answered(500) },
        { delivery: claimed[1]!, result: answered(410) },
        { delivery: claimed[2]!, result: answered(200) },
      ]);
      // the 500 would be retried, but the 410 beside it disabled the endpoint: it ends with the endpoint's other pending deliveries
      expect(first).toMatchObject({ status: 'cancelled', attempts: 1 });
      expect(second).toMatchObject({ status: 'failed', attempts: 1 });
      // the receiver took this one: delivered, although its endpoint is disabled now
      expect(third).toMatchObject({ status: 'delivered', attempts: 1 });
      const stored = await app.db.read.getDeliveries(claimed.map((d) => d.id));
      expect(Object.fromEntries(stored.map((d) => [d.id, d.status]))).toEqual({ [first!.id]: 'cancelled', [second!.id]: 'failed', [third!.id]: 'delivered' });
      expect((await t.api('GET', `/v1/webhook-endpoints/${endpoint.body.id}`)).body).toMatchObject({ status: 'disabled' });
      // the lease of each is ended: the retry is claimable once due, not only once the lease runs out
      const leases = await t.query(`select lease_owner from deliveries where id in ('${claimed.map((d) => d.id).join("','")}')`);
      expect(leases.map((row) => row.lease_owner)).toEqual([null, null, null]);
    } finally {
      await gone.close();
    }
  });

  it('a delivery that waited for its turn is prepared anew: its endpoint deleted meanwhile, it is not sent', async () => {
    // the first answer takes 3 s: time enough to delete the endpoint while the other two wait
    const held = await startReceiver((index) => ({ status: 200, delayMs: index === 0 ? 3_000 : 0 }));
    const one = worker(false, { perTarget: 1 });
    try {
      const endpoint = await t.api('POST', '/v1/webhook-endpoints', { body: { url: held.url, eventTypes: ['payment_request.created'] } });
      await drainOthers();
      await makeRequests(3);
      const ticking = one.tick();
      await held.waitFor(1); // the first is on the wire; the other two wait for the target's one slot
      expect((await t.api('DELETE', `/v1/webhook-endpoints/${endpoint.body.id}`)).status).toBe(200);
      await ticking;
      expect(held.received).toHaveLength(1);
    } finally {
      await one.stop();
      await held.close();
    }
  });

  it('a target with every slot of its own taken does not hold up the others, however deep its backlog', async () => {
    const hanging = await startReceiver(() => ({ status: 200, delayMs: 20_000 }));
    const healthy = await startReceiver();
    const one = worker(false, { perTarget: 1 });
    try {
      const slow = await t.api('POST', '/v1/webhook-endpoints', { body: { url: hanging.url, eventTypes: ['payment_request.created'] } });
      await drainOthers();
      await makeRequests(3 * SLOTS); // older than the healthy endpoint's: claimed first were they not skipped
      const fast = await t.api('POST', '/v1/webhook-endpoints', { body: { url: healthy.url, eventTypes: ['payment_request.created'] } });
      await makeRequests(1);
      void one.tick(); // fills what it can (the hanging target's one slot, and its deliveries waiting for it)
      await hanging.waitFor(1);
      // the next claims leave the hanging target out (its ticks never end while it hangs: not awaited)
      let arrived = false;
      for (let tick = 0; tick < 4 * SLOTS && !arrived; tick++) {
        void one.tick();
        arrived = await healthy.waitFor(1, 250).then(() => true, () => false);
      }
      expect(arrived, 'the healthy endpoint got its event while the hanging one held its slot').toBe(true);
      for (const e of [slow, fast]) await t.api('DELETE', `/v1/webhook-endpoints/${e.body.id}`);
    } finally {
      await one.stop();
      await hanging.close();
      await healthy.close();
    }
  });

  it('stop() during a claim gives the claimed deliveries back at once, not at the end of their leases', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const app = t.gateway.app;
    let claimed = 0;
    // the claim waits at the gate, as one slow to come back from the database; its leases carry a name of their own
    const gated = {
      ...app,
      config: { ...app.config, workerId: 'w_stop' },
      db: {
        ...app.db,
        transaction: async <T>(work: (tx: Tx) => Promise<T>) => {
          await gate;
          const result = await app.db.transaction(work);
          if (Array.isArray(result)) claimed += result.length;
          return result;
        },
      },
    } as App;
    const stopping = createDeliveryWorker({ app: gated, render: async () => ({ body: '{}', headers: {} }), concurrency: SLOTS });
    await makeRequests(SLOTS);
    const ticking = stopping.tick();
    const stopped = stopping.stop();
    open();
    await Promise.all([ticking.catch(() => 0), stopped]);
    expect(claimed, 'the claim went through after stop()').toBe(SLOTS);
    const held = await t.query("select count(*) as n from deliveries where lease_owner like 'w_stop.%'");
    expect(Number(held[0].n)).toBe(0);
    await drainOthers();
  });

});
