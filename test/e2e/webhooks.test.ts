import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { verifySignature } from '../../src/delivery/signing.js';
import { createBody, startGateway, type TestGateway } from '../harness.js';
import { startReceiver, type Receiver } from '../support/receiver.js';

let t: TestGateway;
let receiver: Receiver;
beforeAll(async () => { t = await startGateway(); });
afterAll(async () => t.close());
afterEach(async () => {
  await receiver?.close();
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
