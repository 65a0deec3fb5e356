// A stop (SIGTERM: the gateway's close) answers what is in flight before it closes the store: a
// refund waiting on a slow channel gets its 201, a long-poll gets the request as it is at once, and
// nothing new is taken meanwhile. Cutting them off left the refund's Idempotency-Key in progress and
// its channel command leased, for a retry on another process to wait out, and ran the unit of work
// on a closed pool.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createBody, startGateway, type TestGateway } from '../harness.js';

const CHANNEL_DELAY_MS = 1500;
let t: TestGateway;
let closed = false;
beforeAll(async () => { t = await startGateway({ env: { SANDBOX_CHANNEL_DELAY_MS: String(CHANNEL_DELAY_MS) } }); });
afterAll(async () => { if (!closed) await t.close(); });

it('answers the requests in flight, then closes: a refund on a slow channel gets its 201, a long-poll answers at once', async () => {
  const made = await t.api('POST', '/v1/payment-requests', { body: createBody(t, { allowConcurrent: true }) });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  expect((await t.api('POST', `/v1/sandbox/payment-requests/${made.body.id}/pay`, { body: { outcome: 'approve' } })).body.status).toBe('succeeded');
  const other = await t.api('POST', '/v1/payment-requests', { body: createBody(t, { allowConcurrent: true }) });

  const refunding = t.api('POST', `/v1/payment-requests/${made.body.id}/refunds`, { body: { amount: 500, reference: 'in-flight' }, headers: { 'idempotency-key': 'stop-1' } });
  const polling = t.api('GET', `/v1/payment-requests/${other.body.id}?waitSeconds=25`);
  await new Promise((resolve) => setTimeout(resolve, 300)); // both are in flight: the refund waits on the channel
  const stopStarted = Date.now();
  const stopping = t.close().then(() => { closed = true; });

  const poll = await polling;
  expect(poll.status).toBe(200);
  expect(poll.body).toMatchObject({ id: other.body.id, status: 'created' });
  expect(Date.now() - stopStarted, 'the long-poll answered as the stop began, not after its 25 s').toBeLessThan(5000);
  const refund = await refunding;
  const answered = Date.now();
  expect(refund.status, JSON.stringify(refund.body)).toBe(201);
  expect(refund.body).toMatchObject({ amount: 500, status: 'succeeded' });
  expect(refund.headers.get('connection'), 'the answer closes its connection: the stop does not wait for it to idle').toBe('close');
  await stopping;
  // once the last answer is out the stop ends: not after the 10 s grace, which is for requests still running
  expect(Date.now() - answered).toBeLessThan(5000);
});
