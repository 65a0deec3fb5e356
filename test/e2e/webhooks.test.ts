import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { verifySignature } from '../../src/delivery/signing.js';
import { prepareDelivery } from '../../src/app/use-cases/deliveries.js';
import { ADMIN_TOKEN, createBody, startGateway, type TestGateway } from '../harness.js';
import { startReceiver, type Received, type Receiver } from '../support/receiver.js';

let t: TestGateway;
let receiver: Receiver;
/** More receivers of one test, closed after it. */
const others: Receiver[] = [];
beforeAll(async () => { t = await startGateway(); });
afterAll(async () => t.close());
afterEach(async () => {
  await receiver?.close();
  for (const r of others.splice(0)) await r.close();
  for (const e of (await t.api('GET', '/v1/webhook-endpoints')).body.data) await t.api('DELETE', `/v1/webhook-endpoints/${e.id}`);
});

const create = (extra: Record<string, unknown> = {}) => t.api('POST', '/v1/payment-requests', { body: createBody(t, { allowConcurrent: true, ...extra }) });
const advance = (seconds: number) => t.api('POST', '/v1/sandbox/clock/advance', { body: { seconds } });

describe('webhook delivery', () => {
  it('delivers signed Standard Webhooks that verify with the secret shown once', async () => {
    receiver = await startReceiver();
    const endpoint = await t.api('POST', '/v1/webhook-endpoints', { body: { url: receiver.url } });
    expect(endpoint.status).toBe(201);
    expect(endpoint.body).toMatchObject({ object: 'webhook_endpoint', url: receiver.url, status: 'enabled', format: 'native', eventTypes: null });
    expect(endpoint.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect((await t.api('GET', `/v1/webhook-endpoints/${endpoint.body.id}`)).body.secret).toBeUndefined();
    const { body: pr } = await create();
    await t.gateway.tick();
    const [first] = await receiver.waitFor(1);
    expect(first!.json).toMatchObject({ object: 'event', type: 'payment_request.created', objectId: pr.id, sequence: 1, data: { object: { id: pr.id } } });
    expect(first!.headers['webhook-id']).toBe(first!.json.id);
    expect(verifySignature({
      id: String(first!.headers['webhook-id']), timestamp: String(first!.headers['webhook-timestamp']), body: first!.body,
      signatureHeader: String(first!.headers['webhook-signature']), secret: endpoint.body.secret,
    })).toBe(true);
    const attempts = await t.api('GET', `/v1/events/${first!.json.id}/deliveries`);
    expect(attempts.body.data).toMatchObject([{ eventId: first!.json.id, endpointId: endpoint.body.id, url: receiver.url, statusCode: 200, error: null }]);
  });

  it('a receiver that fails 3 times then succeeds gets the event 4 times with one webhook-id (test clock, no sleeping)', async () => {
    receiver = await startReceiver((i) => ({ status: i < 3 ? 500 : 204 }));
    await t.api('POST', '/v1/webhook-endpoints', { body: { url: receiver.url, eventTypes: ['payment_request.created'] } });
    await create();
    await t.gateway.tick();
    for (const seconds of [6, 5.5 * 60, 33 * 60]) {
      await advance(Math.ceil(seconds));
      await t.gateway.tick();
    }
    const got = await receiver.waitFor(4);
    expect(new Set(got.map((r) => r.headers['webhook-id'])).size).toBe(1);
    await advance(3 * 3600);
    await t.gateway.tick();
    expect(receiver.received).toHaveLength(4);
    const attempts = await t.api('GET', `/v1/events/${got[0]!.json.id}/deliveries`);
    expect(attempts.body.data.map((a: { statusCode: number }) => a.statusCode)).toEqual([500, 500, 500, 204]);
  });
});

interface EventSummary { id: string; type: string; objectId: string; sequence: number }

const pay = async (id: string) => {
  const res = await t.api('POST', `/v1/sandbox/payment-requests/${id}/pay`, { body: { outcome: 'approve' } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
};
/** An object's events as the API lists them, ascending. */
async function eventsOf(objectId: string): Promise<EventSummary[]> {
  const res = await t.api('GET', `/v1/events?objectId=${objectId}&limit=100`);
  expect(res.status).toBe(200);
  return res.body.data.map((e: EventSummary) => ({ id: e.id, type: e.type, objectId: e.objectId, sequence: e.sequence }));
}
async function addEndpoint(url: string, extra: Record<string, unknown> = {}): Promise<{ id: string; secret: string }> {
  const res = await t.api('POST', '/v1/webhook-endpoints', { body: { url, ...extra } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}
const verifies = (r: Received, secret: string, signatureHeader = String(r.headers['webhook-signature'])) =>
  verifySignature({ id: String(r.headers['webhook-id']), timestamp: String(r.headers['webhook-timestamp']), body: r.body, signatureHeader, secret });
/** The `v1,…` entries of a delivery's webhook-signature header. */
const signatures = (r: Received) => String(r.headers['webhook-signature']).split(' ');
const about = (r: Receiver, objectId: string) => r.received.filter((x) => x.json?.objectId === objectId);

describe('redelivery', () => {
  it('POST /v1/events/{id}/redeliver sends the event again with the same webhook-id; both attempts are listed', async () => {
    receiver = await startReceiver();
    const endpoint = await addEndpoint(receiver.url, { eventTypes: ['payment_request.created'] });
    const { body: pr } = await create();
    await t.gateway.tick();
    const [first] = await receiver.waitFor(1);
    const eventId = first!.json.id as string;
    expect(first!.json.objectId).toBe(pr.id);

    const redelivered = await t.api('POST', `/v1/events/${eventId}/redeliver`, { body: {} });
    expect(redelivered.status, JSON.stringify(redelivered.body)).toBe(202);
    expect(redelivered.body.data).toMatchObject([{ eventId, endpointId: endpoint.id, url: receiver.url, status: 'pending' }]);
    await t.gateway.tick();
    const [, second] = await receiver.waitFor(2);
    expect(receiver.received).toHaveLength(2);
    expect(second!.headers['webhook-id']).toBe(eventId);
    expect(second!.json).toStrictEqual(first!.json);
    expect(verifies(second!, endpoint.secret)).toBe(true);

    const attempts = await t.api('GET', `/v1/events/${eventId}/deliveries`);
    expect(attempts.status).toBe(200);
    expect(attempts.body.data).toMatchObject([
      { eventId, endpointId: endpoint.id, url: receiver.url, statusCode: 200, error: null },
      { eventId, endpointId: endpoint.id, url: receiver.url, statusCode: 200, error: null },
    ]);
    expect(Date.parse(attempts.body.data[0].attemptedAt)).toBeLessThanOrEqual(Date.parse(attempts.body.data[1].attemptedAt));
    expect(attempts.body.data[0].id).not.toBe(attempts.body.data[1].id);
  });

  it("an event a format never sends is neither queued for its endpoints nor redelivered to them: the answer lists only what will be sent", async () => {
    receiver = await startReceiver();
    const native = await addEndpoint(receiver.url);
    const centrapay = (await t.api('POST', '/v1/webhook-endpoints', { body: { url: receiver.url, format: 'centrapay' } })).body;
    expect(centrapay).toMatchObject({ format: 'centrapay', status: 'enabled' });
    const { body: pr } = await create();
    const cancelled = await t.api('POST', `/v1/payment-requests/${pr.id}/cancel`);
    expect(cancelled.status).toBe(200);
    const events = (await t.api('GET', `/v1/payment-requests/${pr.id}/events`)).body.data as { id: string; type: string }[];
    const event = events.find((e) => e.type === 'payment_request.cancelled')!;
    // Centrapay's webhooks are paid and refund ones: its endpoint gets no delivery of a cancellation at all
    const queued = await t.query<{ endpoint_id: string }>(`select endpoint_id from deliveries where event_id = '${event.id}'`);
    expect(queued.map((row) => row.endpoint_id)).toEqual([native.id]);
    const redelivered = await t.api('POST', `/v1/events/${event.id}/redeliver`, { body: {} });
    expect(redelivered.status).toBe(202);
    expect(redelivered.body.data.map((d: { endpointId: string }) => d.endpointId)).toEqual([native.id]);
  });

  it('an unknown event answers 404 to redeliver and to deliveries', async () => {
    expect((await t.api('POST', '/v1/events/evt_00000000000000000000000000/redeliver', { body: {} })).status).toBe(404);
    expect((await t.api('GET', '/v1/events/evt_00000000000000000000000000/deliveries')).status).toBe(404);
  });
});

describe("a request's own webhookUrl", () => {
  it("receives the request's and its refunds' events, in order, signed with the merchant's request-webhook secret", async () => {
    receiver = await startReceiver();
    const unrelated = await startReceiver();
    others.push(unrelated);
    const { body: pr } = await create({ webhookUrl: receiver.url });
    expect(pr.webhookUrl).toBe(receiver.url);
    await create({ webhookUrl: unrelated.url }); // another request's events go to its own URL only
    await pay(pr.id);
    const refund = await t.api('POST', `/v1/payment-requests/${pr.id}/refunds`, { body: { amount: 500, reference: 'wh-refund-1' } });
    expect(refund.status, JSON.stringify(refund.body)).toBe(201);
    await t.gateway.tick();

    const requestEvents = await eventsOf(pr.id);
    const refundEvents = await eventsOf(refund.body.id);
    expect(requestEvents.length).toBeGreaterThanOrEqual(2);
    expect(refundEvents.length).toBeGreaterThanOrEqual(1);
    const got = await receiver.waitFor(requestEvents.length + refundEvents.length);
    expect(receiver.received).toHaveLength(requestEvents.length + refundEvents.length);
    expect(about(receiver, pr.id).map((r) => r.json.id)).toEqual(requestEvents.map((e) => e.id));
    expect(about(receiver, refund.body.id).map((r) => r.json.id)).toEqual(refundEvents.map((e) => e.id));
    const secret = t.gateway.demo.native.webhookSecret;
    for (const r of got) {
      expect(r.headers['webhook-id']).toBe(r.json.id);
      expect(r.json.data.object.id).toBe(r.json.objectId);
      expect(verifies(r, secret), `${r.json.type} verifies with native.webhookSecret`).toBe(true);
    }
    // a secret that is not the merchant's does not verify
    const other = await addEndpoint(unrelated.url, { eventTypes: ['refund.failed'] });
    expect(verifies(got[0]!, other.secret)).toBe(false);
    expect(unrelated.received.every((r) => r.json.paymentRequestId !== pr.id && r.json.objectId !== pr.id && r.json.objectId !== refund.body.id)).toBe(true);
    const attempts = (await t.api('GET', `/v1/events/${requestEvents[0]!.id}/deliveries`)).body.data;
    expect(attempts).toMatchObject([{ endpointId: null, url: receiver.url, statusCode: 200 }]);
  });
});

describe('what a terminal key sees of deliveries', () => {
  it("its request's events show only the attempts to the request's own webhookUrl, and redelivery (which calls the merchant's endpoints) needs a secret key", async () => {
    receiver = await startReceiver();
    const endpointReceiver = await startReceiver();
    others.push(endpointReceiver);
    const endpoint = await addEndpoint(endpointReceiver.url, { eventTypes: ['payment_request.created'] });
    const made = await t.api('POST', '/v1/payment-requests', { key: t.terminalKey, body: createBody(t, { allowConcurrent: true, webhookUrl: receiver.url }) });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    await t.gateway.tick();
    await receiver.waitFor(1);
    await endpointReceiver.waitFor(1);
    const [created] = await eventsOf(made.body.id);
    const path = `/v1/events/${created!.id}/deliveries`;
    const all = (await t.api('GET', path)).body.data;
    expect(all.map((a: { endpointId: string | null }) => a.endpointId).sort()).toEqual([endpoint.id, null].sort());
    const seen = await t.api('GET', path, { key: t.terminalKey });
    expect(seen.status).toBe(200);
    expect(seen.body.data).toMatchObject([{ endpointId: null, url: receiver.url }]);
    expect(seen.body.data).toHaveLength(1);
    const redelivered = await t.api('POST', `/v1/events/${created!.id}/redeliver`, { key: t.terminalKey, body: {} });
    expect(redelivered.status, JSON.stringify(redelivered.body)).toBe(403);
    expect(redelivered.body.code).toBe('permission_denied');
    await t.gateway.tick();
    expect(receiver.received).toHaveLength(1);
    expect(endpointReceiver.received).toHaveLength(1);
    await t.api('POST', `/v1/payment-requests/${made.body.id}/cancel`);
  });
});

describe("a request's webhookUrl: one request-webhook secret per mode", () => {
  it('a live request\'s webhookUrl is signed with the live secret, which comes with every live key; the test secret (handed out with test credentials) never signs live', async () => {
    const issue = (mode: string) => t.api('POST', `/admin/v1/merchants/${t.gateway.demo.merchantId}/keys`, { key: ADMIN_TOKEN, body: { mode } });
    const [live, again, test] = [await issue('live'), await issue('live'), await issue('test')];
    expect(live.status, JSON.stringify(live.body)).toBe(201);
    const liveSecret: string = live.body.webhookSecret;
    expect(liveSecret).toMatch(/^whsec_/);
    expect(liveSecret).not.toBe(t.gateway.demo.native.webhookSecret);
    expect(again.body.webhookSecret, 'the mode has one secret').toBe(liveSecret);
    expect(test.body.webhookSecret, 'test keys come with the test one').toBe(t.gateway.demo.native.webhookSecret);
    // a terminal key made by a live secret key comes with the live one too
    const terminalKey = await t.api('POST', `/v1/terminals/${t.terminalId}/keys`, { key: live.body.secretKey });
    expect(terminalKey.status, JSON.stringify(terminalKey.body)).toBe(201);
    expect(terminalKey.body).toMatchObject({ livemode: true, webhookSecret: liveSecret });

    // a public address (live mode refuses local ones): the delivery is prepared, never sent here
    const pr = await t.api('POST', '/v1/payment-requests', { key: live.body.secretKey, body: createBody(t, { allowConcurrent: true, webhookUrl: 'http://93.184.215.14/hook' }) });
    expect(pr.status, JSON.stringify(pr.body)).toBe(201);
    const [created] = (await t.api('GET', `/v1/events?objectId=${pr.body.id}`, { key: live.body.secretKey })).body.data;
    const [delivery] = await t.gateway.app.db.read.listDeliveriesForEvent(created.id);
    expect(delivery).toMatchObject({ livemode: true, endpointId: null, url: 'http://93.184.215.14/hook' });
    expect((await prepareDelivery(t.gateway.app, delivery!))?.secrets).toEqual([liveSecret]);
    await t.api('POST', `/v1/payment-requests/${pr.body.id}/cancel`, { key: live.body.secretKey });
  });
});

describe('event types and deleting an endpoint', () => {
  it('an endpoint receives only the event types it asked for', async () => {
    receiver = await startReceiver();
    const all = await startReceiver();
    others.push(all);
    await addEndpoint(receiver.url, { eventTypes: ['payment_request.succeeded', 'refund.created'] });
    await addEndpoint(all.url);
    const { body: pr } = await create();
    await pay(pr.id);
    await t.gateway.tick();
    const events = await eventsOf(pr.id);
    expect(events.map((e) => e.type)).toEqual(['payment_request.created', 'payment_request.succeeded']);
    expect(about(all, pr.id).map((r) => r.json.type)).toEqual(['payment_request.created', 'payment_request.succeeded']);
    expect(about(receiver, pr.id).map((r) => r.json.id)).toEqual([events[1]!.id]);
  });

  it('DELETE cancels what was still waiting to go to the endpoint: nothing more arrives', async () => {
    receiver = await startReceiver(() => ({ status: 500 }));
    const endpoint = await addEndpoint(receiver.url);
    const { body: pr } = await create();
    await t.gateway.tick();
    expect(about(receiver, pr.id).map((r) => r.json.sequence)).toEqual([1]);
    await pay(pr.id); // a second event, held behind the failing first
    const deleted = await t.api('DELETE', `/v1/webhook-endpoints/${endpoint.id}`);
    expect(deleted.status, JSON.stringify(deleted.body)).toBe(200);
    expect(deleted.body).toMatchObject({ id: endpoint.id, deleted: true });
    expect((await t.api('GET', `/v1/webhook-endpoints/${endpoint.id}`)).status).toBe(404);
    expect((await t.api('GET', '/v1/webhook-endpoints')).body.data.map((e: { id: string }) => e.id)).not.toContain(endpoint.id);
    const rows = await t.query<{ status: string }>(`select status from deliveries where endpoint_id = '${endpoint.id}'`);
    expect(rows.map((r) => r.status)).toEqual(['cancelled', 'cancelled']);

    await create();
    for (const seconds of [10, 600, 3 * 3600]) {
      await advance(seconds);
      await t.gateway.tick();
    }
    expect(receiver.received).toHaveLength(1);
  });
});

describe('secret rotation', () => {
  it('after rotate-secret deliveries carry two v1 signatures: one verifies with the old secret, one with the new', async () => {
    receiver = await startReceiver();
    const endpoint = await addEndpoint(receiver.url, { eventTypes: ['payment_request.created'] });
    await create();
    await t.gateway.tick();
    const [before] = await receiver.waitFor(1);
    expect(signatures(before!)).toHaveLength(1);
    expect(verifies(before!, endpoint.secret)).toBe(true);

    const rotated = await t.api('POST', `/v1/webhook-endpoints/${endpoint.id}/rotate-secret`, { body: {} });
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(200);
    expect(rotated.body).toMatchObject({ id: endpoint.id, status: 'enabled' });
    const fresh = rotated.body.secret as string;
    expect(fresh).toMatch(/^whsec_/);
    expect(fresh).not.toBe(endpoint.secret);
    expect((await t.api('GET', `/v1/webhook-endpoints/${endpoint.id}`)).body.secret).toBeUndefined();

    await create();
    await t.gateway.tick();
    const [, during] = await receiver.waitFor(2);
    const entries = signatures(during!);
    expect(entries).toHaveLength(2);
    for (const entry of entries) expect(entry).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(verifies(during!, endpoint.secret), 'a receiver holding the old secret verifies').toBe(true);
    expect(verifies(during!, fresh), 'a receiver holding the new secret verifies').toBe(true);
    // each entry is one secret's signature
    expect(entries.map((entry) => [verifies(during!, endpoint.secret, entry), verifies(during!, fresh, entry)]).sort()).toEqual([[false, true], [true, false]]);
  });

  // in test mode the 24 h overlap runs on the merchant's test clock, like the deliveries it signs
  it('a delivery cancelled while its attempt is on the wire stays cancelled whatever the receiver answers', async () => {
    receiver = await startReceiver(() => ({ status: 500, delayMs: 300 }));
    const endpoint = await t.api('POST', '/v1/webhook-endpoints', { body: { url: receiver.url, eventTypes: ['payment_request.created'] } });
    const { body: pr } = await create();
    const ticking = t.gateway.tick();
    await receiver.waitFor(1); // the attempt is on the wire; its 500 comes 300 ms later
    await t.api('DELETE', `/v1/webhook-endpoints/${endpoint.body.id}`);
    await ticking;
    const rows = await t.query<{ status: string; attempts: number }>(
      `select d.status, d.attempts from deliveries d join events e on e.id = d.event_id where e.object_id = '${pr.id}' and d.endpoint_id = '${endpoint.body.id}'`,
    );
    expect(rows).toEqual([{ status: 'cancelled', attempts: 0 }]);
  });

  it('24 h later on the test clock only the new secret signs', async () => {
    receiver = await startReceiver();
    const endpoint = await addEndpoint(receiver.url, { eventTypes: ['payment_request.created'] });
    const rotated = await t.api('POST', `/v1/webhook-endpoints/${endpoint.id}/rotate-secret`, { body: {} });
    expect(rotated.status).toBe(200);
    const fresh = rotated.body.secret as string;
    await advance(24 * 3600 + 60);
    await create();
    await t.gateway.tick();
    const [after] = await receiver.waitFor(1);
    expect(verifies(after!, fresh)).toBe(true);
    expect(signatures(after!), 'one signature once the overlap is over').toHaveLength(1);
    expect(verifies(after!, endpoint.secret), 'the old secret no longer verifies').toBe(false);
  });
});
