// A backlog larger than the worker's slots drains without waiting for the next tick of the
// interval: with `selfFeeding` (the background loop's setting) freed slots are claimed again at
// once. Without it (tests that drive ticks themselves) one tick takes only what its slots allow:
// the control case below shows the difference is the setting's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
});
