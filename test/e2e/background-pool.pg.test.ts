// On PostgreSQL, background work (webhook delivery, sweeps) has connections of its own: a load of
// API requests that holds every connection of the main pool cannot starve it.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../harness.js';
import { startReceiver, type Receiver } from '../support/receiver.js';

let t: TestGateway;
let receiver: Receiver;

beforeAll(async () => {
  t = await startGateway({ env: { DATABASE_POOL_SIZE: '2', DATABASE_CONNECT_TIMEOUT_MS: '1500' } });
  receiver = await startReceiver();
});

afterAll(async () => {
  await t?.close();
  await receiver?.close();
});

it('delivers webhooks while API transactions hold every connection of the main pool', async () => {
  expect((await t.api('POST', '/v1/webhook-endpoints', { body: { url: receiver.url } })).status).toBe(201);
  const created = await t.api('POST', '/v1/payment-requests', { body: { amount: 1500, currency: 'NZD', terminalId: t.terminalId } });
  expect(created.status).toBe(201);

  // both connections of the main pool held by transactions that wait
  let letGo!: () => void;
  const held = new Promise<void>((resolve) => (letGo = resolve));
  let started = 0;
  const holders = [1, 2].map(() => t.gateway.app.db.transaction(async (tx) => {
    await tx.getMerchant(t.gateway.demo.merchantId);
    started++;
    await held;
  }));
  while (started < 2) await new Promise((next) => setImmediate(next));
  try {
    await t.gateway.tick();
    expect(receiver.received.map((r) => r.json.type)).toContain('payment_request.created');
  } finally {
    letGo();
    await Promise.all(holders);
  }
});
