// Webhook retries through real HTTP, driven by the merchant's test clock (never by sleeping):
// per-object order under a failing receiver, 410 Gone disables an endpoint, Retry-After is honoured.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBody, startGateway, type TestGateway } from '../harness.js';
import { startReceiver, type Answer, type Receiver } from '../support/receiver.js';

let t: TestGateway;
const receivers: Receiver[] = [];
beforeAll(async () => { t = await startGateway(); });
afterAll(async () => t.close());
afterEach(async () => {
  for (const r of receivers.splice(0)) await r.close();
  for (const e of (await t.api('GET', '/v1/webhook-endpoints')).body.data) await t.api('DELETE', `/v1/webhook-endpoints/${e.id}`);
});

interface EventSummary { id: string; type: string; objectId: string; sequence: number }

async function receiver(answer?: (index: number, request: { json: any }) => Answer): Promise<Receiver> {
  const r = await startReceiver(answer);
  receivers.push(r);
  return r;
}
async function endpoint(url: string, extra: Record<string, unknown> = {}): Promise<{ id: string; secret: string }> {
  const res = await t.api('POST', '/v1/webhook-endpoints', { body: { url, ...extra } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}
/** A test-mode request that does not expire while the clock is moved (concurrent requests allowed). */
async function create(extra: Record<string, unknown> = {}): Promise<string> {
  const res = await t.api('POST', '/v1/payment-requests', { body: createBody(t, { allowConcurrent: true, expiresInSeconds: 24 * 3600, ...extra }) });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}
async function pay(id: string, extra: Record<string, unknown> = {}): Promise<void> {
  const res = await t.api('POST', `/v1/sandbox/payment-requests/${id}/pay`, { body: { outcome: 'approve', ...extra } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}
async function advance(seconds: number): Promise<void> {
  const res = await t.api('POST', '/v1/sandbox/clock/advance', { body: { seconds } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}
/** The object's events as the API lists them (ascending sequence). */
async function eventsOf(objectId: string): Promise<EventSummary[]> {
  const res = await t.api('GET', `/v1/events?objectId=${objectId}&limit=100`);
  expect(res.status).toBe(200);
  return res.body.data.map((e: EventSummary) => ({ id: e.id, type: e.type, objectId: e.objectId, sequence: e.sequence }));
}
/** What a receiver got for one object, in arrival order: [sequence, webhook-id]. */
const arrivals = (r: Receiver, objectId: string) =>
  r.received.filter((x) => x.json?.objectId === objectId).map((x) => [x.json.sequence as number, String(x.headers['webhook-id'])] as const);
const sequencesAt = (r: Receiver, objectId: string) => arrivals(r, objectId).map(([sequence]) => sequence);
const idsAt = (r: Receiver, objectId: string) => arrivals(r, objectId).map(([, id]) => id);

describe('per-object ordering under a failing receiver', () => {
  it("a failing event holds back only its own object's later events; they follow in sequence once it succeeds", async () => {
    let a = '';
    let failedA = false;
    const r = await receiver((_i, request) => {
      if (request.json?.objectId === a && !failedA) {
        failedA = true;
        return { status: 500 };
      }
      return { status: 200 };
    });
    await endpoint(r.url);

    a = await create({ partialAllowed: true });
    await t.gateway.tick();
    expect(sequencesAt(r, a), "A's first event was tried once and failed").toEqual([1]);

    // A moves on (pending, partially paid, succeeded); B is created and paid
    await pay(a, { amount: 500 });
    await pay(a);
    const b = await create();
    await pay(b);
    const eventsA = await eventsOf(a);
    const eventsB = await eventsOf(b);
    expect(eventsA.map((e) => e.sequence)).toEqual([1, 2, 3, 4]);
    expect(eventsB.length).toBeGreaterThanOrEqual(2);

    await t.gateway.tick();
    expect(idsAt(r, b), "B's events arrive, in order, while A's first is failing").toEqual(eventsB.map((e) => e.id));
    expect(sequencesAt(r, a), "A's later events wait behind its first").toEqual([1]);
    for (const later of eventsA.slice(1)) {
      expect((await t.api('GET', `/v1/events/${later.id}/deliveries`)).body.data, `${later.type} not attempted yet`).toEqual([]);
    }

    // the retry (5 s, with up to 10 % jitter) is not due after 2 s: everything of A still waits
    await advance(2);
    await t.gateway.tick();
    expect(sequencesAt(r, a)).toEqual([1]);

    // due after 6 s: A's first succeeds, then the rest of A in sequence order
    await advance(4);
    await t.gateway.tick();
    expect(sequencesAt(r, a)).toEqual([1, 1, 2, 3, 4]);
    expect(idsAt(r, a)).toEqual([eventsA[0]!.id, ...eventsA.map((e) => e.id)]);
    expect(idsAt(r, b), 'B is not sent again').toEqual(eventsB.map((e) => e.id));
    const firstAttempts = (await t.api('GET', `/v1/events/${eventsA[0]!.id}/deliveries`)).body.data;
    expect(firstAttempts.map((x: { statusCode: number }) => x.statusCode)).toEqual([500, 200]);
  });
});

describe('410 Gone', () => {
  it('disables the endpoint: nothing more is sent to it, other endpoints are unaffected, and enable turns it back on', async () => {
    let gone = true;
    const g = await receiver(() => ({ status: gone ? 410 : 200 }));
    const h = await receiver();
    const eg = await endpoint(g.url);
    const eh = await endpoint(h.url);

    // x has two events before the first tick: the first answers 410, the second (held behind it) is cancelled
    const x = await create();
    await pay(x);
    const eventsX = await eventsOf(x);
    await t.gateway.tick();
    expect(sequencesAt(g, x)).toEqual([1]);
    expect(idsAt(h, x)).toEqual(eventsX.map((e) => e.id));

    const disabled = await t.api('GET', `/v1/webhook-endpoints/${eg.id}`);
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({ id: eg.id, status: 'disabled' });
    expect(disabled.body.disabledReason).toEqual(expect.stringMatching(/410/));
    expect((await t.api('GET', `/v1/webhook-endpoints/${eh.id}`)).body).toMatchObject({ status: 'enabled', disabledReason: null });
    const attempts = (await t.api('GET', `/v1/events/${eventsX[0]!.id}/deliveries`)).body.data;
    expect(attempts.find((a: { endpointId: string }) => a.endpointId === eg.id)).toMatchObject({ statusCode: 410 });

    // new events, and time passing: nothing more for the disabled endpoint
    const y = await create();
    await advance(3600);
    await t.gateway.tick();
    expect(g.received).toHaveLength(1);
    expect(idsAt(h, y)).toEqual((await eventsOf(y)).map((e) => e.id));

    const enabled = await t.api('POST', `/v1/webhook-endpoints/${eg.id}/enable`, { body: {} });
    expect(enabled.status, JSON.stringify(enabled.body)).toBe(200);
    expect(enabled.body).toMatchObject({ id: eg.id, status: 'enabled', disabledReason: null });
    expect((await t.api('GET', `/v1/webhook-endpoints/${eg.id}`)).body).toMatchObject({ status: 'enabled', disabledReason: null });
    gone = false;
    const z = await create();
    await t.gateway.tick();
    expect(idsAt(g, z), 'new events reach the re-enabled endpoint').toEqual((await eventsOf(z)).map((e) => e.id));
    expect(sequencesAt(g, x), 'what was cancelled when it was disabled stays cancelled').toEqual([1]);
    expect(arrivals(g, y), 'nor does what happened while it was disabled').toEqual([]);
  });
});

describe('Retry-After', () => {
  it.each([429, 503])('%i with Retry-After: 120 is retried after 120 s of test clock, not on the usual 5 s schedule', async (status) => {
    const r = await receiver((i) => (i === 0 ? { status, headers: { 'retry-after': '120' } } : { status: 200 }));
    await endpoint(r.url, { eventTypes: ['payment_request.created'] });
    const pr = await create();
    await t.gateway.tick();
    expect(sequencesAt(r, pr)).toEqual([1]);

    await advance(60);
    await t.gateway.tick();
    expect(sequencesAt(r, pr), 'not due 60 s later').toEqual([1]);

    await advance(61);
    await t.gateway.tick();
    expect(sequencesAt(r, pr), 'due 121 s later').toEqual([1, 1]);
    const attempts = (await t.api('GET', `/v1/events/${r.received[0]!.json.id}/deliveries`)).body.data;
    expect(attempts.map((a: { statusCode: number }) => a.statusCode)).toEqual([status, 200]);
  });

  it('a Retry-After shorter than the schedule (0, or a date gone by) waits the schedule: a receiver cannot spend the ten attempts in seconds', async () => {
    const past = new Date(Date.now() - 3600_000).toUTCString();
    const r = await receiver((i) => (i < 2 ? { status: 503, headers: { 'retry-after': i === 0 ? '0' : past } } : { status: 200 }));
    await endpoint(r.url, { eventTypes: ['payment_request.created'] });
    const pr = await create();
    await t.gateway.tick();
    await t.gateway.tick();
    expect(sequencesAt(r, pr), 'not again at once').toEqual([1]);
    await advance(6); // the schedule's 5 s (+ up to 10% jitter)
    await t.gateway.tick();
    expect(sequencesAt(r, pr)).toEqual([1, 1]);
    await advance(60);
    await t.gateway.tick();
    expect(sequencesAt(r, pr), 'the third attempt waits the schedule\'s 5 min').toEqual([1, 1]);
    await advance(5.5 * 60);
    await t.gateway.tick();
    expect(sequencesAt(r, pr)).toEqual([1, 1, 1]);
  });
});

describe('what a receiver answers is recorded, whatever its bytes', () => {
  it('a 200 whose body holds NUL bytes (a gzip answer) is delivered once, and its attempt shows the answer', async () => {
    const r = await receiver(() => ({ status: 200, body: '\u001f\u008b\u0008\u0000ok\u0000' }));
    await endpoint(r.url, { eventTypes: ['payment_request.created', 'payment_request.succeeded'] });
    const pr = await create();
    await pay(pr);
    await t.gateway.tick();
    await t.gateway.tick();
    const events = await eventsOf(pr);
    const wanted = events.filter((e) => ['payment_request.created', 'payment_request.succeeded'].includes(e.type)).map((e) => e.sequence);
    expect(wanted).toHaveLength(2);
    expect(sequencesAt(r, pr), 'the later event was not held back behind the first').toEqual(wanted);
    const created = events[0];
    const attempts = (await t.api('GET', `/v1/events/${created!.id}/deliveries`)).body.data;
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ statusCode: 200 });
    expect(attempts[0].responseSnippet).toContain('\uFFFDok\uFFFD');
  });
});
