// A backlog larger than the worker's slots drains without waiting for the next tick of the
// interval: with `selfFeeding` (the background loop's setting) freed slots are claimed again at
// once. Without it (tests that drive ticks themselves) one tick takes only what its slots allow:
// the control case below shows the difference is the setting's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimDeliveries, recordAttempts } from '../../src/app/use-cases/deliveries.js';
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

async function makeBacklog(): Promise<void> {
  for (let i = 0; i < BACKLOG; i++) expect((await t.api('POST', '/v1/payment-requests', { body: createBody(t, { allowConcurrent: true }) })).status).toBe(201);
}

const worker = (selfFeeding: boolean) =>
  createDeliveryWorker({ app: t.gateway.app, render: async (job) => ({ body: JSON.stringify({ id: job.event.id }), headers: {} }), concurrency: SLOTS, perTarget: SLOTS, selfFeeding });

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
});
