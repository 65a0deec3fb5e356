// A slow receiver holds its own delivery, never the others: endpoint S answers after 20 s, endpoint F
// at once; F gets each event within ~2 s while S's request is still open. Closing the gateway aborts
// the in-flight request to S (afterAll must not wait the 20 s out, nor hang).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBody, startGateway, type TestGateway } from '../harness.js';
import { startReceiver, type Receiver } from '../support/receiver.js';

const SLOW_MS = 20_000;
const FAST_DEADLINE_MS = 2_000;
/** Closing must not wait for the slow receiver: well under its 20 s. */
const CLOSE_DEADLINE_MS = 10_000;

let t: TestGateway;
let slow: Receiver;
let fast: Receiver;
const ticks: { promise: Promise<void>; settled: boolean }[] = [];

beforeAll(async () => {
  t = await startGateway();
  slow = await startReceiver(() => ({ status: 200, delayMs: SLOW_MS }));
  fast = await startReceiver();
});

afterAll(async () => {
  const started = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const closed = await Promise.race([
    t.close().then(() => true),
    new Promise<false>((done) => (timer = setTimeout(() => done(false), CLOSE_DEADLINE_MS))),
  ]);
  clearTimeout(timer);
  await fast.close();
  await slow.close();
  expect(closed, `closing the gateway with a request in flight finished within ${CLOSE_DEADLINE_MS} ms`).toBe(true);
  // the ticks that were waiting on the slow receiver end with the gateway
  await Promise.all(ticks.map((tick) => tick.promise));
  expect(Date.now() - started).toBeLessThan(CLOSE_DEADLINE_MS);
});

/** Starts gateway.tick() without waiting for it. */
function tickInBackground() {
  const tick = { promise: Promise.resolve(), settled: false };
  tick.promise = t.gateway.tick().catch(() => undefined).finally(() => (tick.settled = true));
  ticks.push(tick);
  return tick;
}

const create = async () => {
  const res = await t.api('POST', '/v1/payment-requests', { body: createBody(t, { allowConcurrent: true }) });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
};

describe('a slow receiver', () => {
  it('does not hold up deliveries to other endpoints, nor the next tick', async () => {
    for (const r of [slow, fast]) {
      const res = await t.api('POST', '/v1/webhook-endpoints', { body: { url: r.url, eventTypes: ['payment_request.created'] } });
      expect(res.status).toBe(201);
    }
    const first = await create();
    const started = Date.now();
    const tick = tickInBackground();
    const [toFast] = await fast.waitFor(1, FAST_DEADLINE_MS);
    await slow.waitFor(1, FAST_DEADLINE_MS); // S has its request too, and is sitting on it
    expect(toFast!.json.objectId).toBe(first);
    expect(toFast!.at - started).toBeLessThan(FAST_DEADLINE_MS);
    expect(tick.settled, "the tick is still waiting on S's answer").toBe(false);

    // F's attempt is recorded while S's request is still open
    const eventId = toFast!.json.id as string;
    const deadline = Date.now() + FAST_DEADLINE_MS;
    let attempts: { statusCode: number; url: string }[] = [];
    while (attempts.length === 0 && Date.now() < deadline) {
      attempts = (await t.api('GET', `/v1/events/${eventId}/deliveries`)).body.data;
      if (attempts.length === 0) await new Promise((done) => setTimeout(done, 50));
    }
    expect(attempts).toMatchObject([{ url: fast.url, statusCode: 200 }]);

    // a later event reaches F through another tick while the first is still waiting on S
    const second = await create();
    const again = Date.now();
    tickInBackground();
    const got = await fast.waitFor(2, FAST_DEADLINE_MS);
    expect(got[1]!.json.objectId).toBe(second);
    expect(got[1]!.at - again).toBeLessThan(FAST_DEADLINE_MS);
    await slow.waitFor(2, FAST_DEADLINE_MS);
    expect(slow.received.map((r) => r.json.objectId), 'S was sent both, and answered neither yet').toEqual([first, second]);
    expect(tick.settled).toBe(false);
  });
});
