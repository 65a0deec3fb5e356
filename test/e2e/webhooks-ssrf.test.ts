// SSRF: in live mode webhook URLs that reach loopback, private, link-local or metadata addresses are
// refused at registration (an endpoint's url, a request's webhookUrl); test mode allows them so local
// receivers work. No real DNS here: IP literals only. The re-check at delivery time (a name that
// resolves elsewhere later) needs a resolver: src/delivery/ssrf.test.ts covers it with an injected one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeliveryWorker } from '../../src/delivery/worker.js';
import { ADMIN_TOKEN, createBody, startGateway, type TestGateway } from '../harness.js';
import { startReceiver, type Receiver } from '../support/receiver.js';

let t: TestGateway;
let liveKey: string;
beforeAll(async () => {
  t = await startGateway();
  const issued = await t.api('POST', `/admin/v1/merchants/${t.gateway.demo.merchantId}/keys`, { key: ADMIN_TOKEN, body: { mode: 'live' } });
  expect(issued.status, JSON.stringify(issued.body)).toBe(201);
  expect(issued.body).toMatchObject({ mode: 'live', livemode: true, kind: 'secret' });
  liveKey = issued.body.secretKey;
});
afterAll(async () => t.close());

const register = (url: string, key?: string) => t.api('POST', '/v1/webhook-endpoints', { key, body: { url } });

describe('SSRF guard on webhook URLs', () => {
  it.each([
    'http://127.0.0.1:9/x',
    'http://169.254.169.254/latest',
    'http://[::1]/',
    'http://10.0.0.1/',
    'http://192.168.1.10/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://0.0.0.0/',
    'http://[2001:0:4136:e378:8000:63bf:80ff:fffe]:8096/', // Teredo: its client part is 127.0.0.1
    'http://203.0.113.1/', // documentation
    'http://[2001:db8::1]/',
  ])('live mode refuses %s: 400 parameter_invalid, param url, nothing stored', async (url) => {
    const res = await register(url, liveKey);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body).toMatchObject({ code: 'parameter_invalid', param: 'url' });
    expect((await t.api('GET', '/v1/webhook-endpoints', { key: liveKey })).body.data).toEqual([]);
  });

  it('live mode accepts a public address', async () => {
    const res = await register('http://93.184.215.14/hook', liveKey);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ livemode: true, status: 'enabled' });
    expect((await t.api('DELETE', `/v1/webhook-endpoints/${res.body.id}`, { key: liveKey })).status).toBe(200);
  });

  it('an event type named twice is one subscription, stored and shown once', async () => {
    const res = await t.api('POST', '/v1/webhook-endpoints', { body: { url: 'http://127.0.0.1:9/x', eventTypes: ['payment_request.created', 'refund.created', 'payment_request.created'] } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.eventTypes).toEqual(['payment_request.created', 'refund.created']);
    expect((await t.api('GET', `/v1/webhook-endpoints/${res.body.id}`)).body.eventTypes).toEqual(['payment_request.created', 'refund.created']);
    expect((await t.api('DELETE', `/v1/webhook-endpoints/${res.body.id}`)).status).toBe(200);
  });

  it('port 0, where nothing listens, is refused in either mode', async () => {
    for (const key of [undefined, liveKey]) {
      const res = await register('http://8.8.8.8:0/hook', key);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body).toMatchObject({ code: 'parameter_invalid', param: 'url' });
    }
  });

  it('test mode accepts 127.0.0.1, so local development works', async () => {
    const res = await register('http://127.0.0.1:9/x');
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ livemode: false, url: 'http://127.0.0.1:9/x', status: 'enabled' });
    expect((await t.api('DELETE', `/v1/webhook-endpoints/${res.body.id}`)).status).toBe(200);
  });

  it('the URL is resolved before the create\'s transaction: a lookup that hangs holds up no other write', async () => {
    // the guard as a slow resolver would make it: the test decides when the lookup of this host ends
    const app = t.gateway.app as { outbound: typeof t.gateway.app.outbound };
    const guard = app.outbound;
    let lookupStarted!: () => void;
    const started = new Promise<void>((resolve) => { lookupStarted = resolve; });
    let endLookup!: () => void;
    const ended = new Promise<void>((resolve) => { endLookup = resolve; });
    app.outbound = {
      assertAllowed: async (url, livemode, param) => {
        if (url.includes('slow.example')) { lookupStarted(); await ended; return; }
        return guard.assertAllowed(url, livemode, param);
      },
    };
    try {
      const registering = register('https://slow.example/hook', liveKey);
      await started;
      // a test-mode create while that lookup hangs: on SQLite it waits for the one writer if the lookup holds it
      const outcome = await Promise.race([
        t.api('POST', '/v1/payment-requests', { body: createBody(t, { allowConcurrent: true }) }).then((res) => res.status),
        new Promise<string>((resolve) => setTimeout(() => resolve('still waiting after 5 s'), 5000).unref()),
      ]);
      endLookup();
      expect(outcome).toBe(201);
      const registered = await registering;
      expect(registered.status, JSON.stringify(registered.body)).toBe(201);
      expect((await t.api('DELETE', `/v1/webhook-endpoints/${registered.body.id}`, { key: liveKey })).status).toBe(200);
    } finally {
      endLookup();
      app.outbound = guard;
    }
  });

  it('a replay under the same Idempotency-Key answers what was stored, whatever the URL check would say now (a host that stopped resolving)', async () => {
    const app = t.gateway.app as { outbound: typeof t.gateway.app.outbound };
    const guard = app.outbound;
    let resolves = true;
    app.outbound = { assertAllowed: async (url, livemode, param) => { if (!resolves) return guard.assertAllowed('http://127.0.0.1/', true, param); } };
    try {
      const create = () => t.api('POST', '/v1/webhook-endpoints', { key: liveKey, body: { url: 'https://gone-soon.example/hook' }, headers: { 'idempotency-key': 'endpoint-replay-1' } });
      const first = await create();
      expect(first.status, JSON.stringify(first.body)).toBe(201);
      resolves = false;
      const replay = await create();
      expect(replay.status, JSON.stringify(replay.body)).toBe(201);
      expect(replay.body.id).toBe(first.body.id);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      // a new create of that host is checked, and refused
      const fresh = await t.api('POST', '/v1/webhook-endpoints', { key: liveKey, body: { url: 'https://gone-soon.example/hook' } });
      expect([fresh.status, fresh.body.param]).toEqual([400, 'url']);
      expect((await t.api('DELETE', `/v1/webhook-endpoints/${first.body.id}`, { key: liveKey })).status).toBe(200);
    } finally {
      app.outbound = guard;
    }
  });

  it("a delivery's deadline covers the lookup of its host: a resolver that never answers fails the attempt in time and frees its slot", async () => {
    const app = t.gateway.app as { outbound: typeof t.gateway.app.outbound };
    const guard = app.outbound;
    app.outbound = { assertAllowed: async () => undefined }; // the host is never resolved at registration here
    let endpointId = '';
    try {
      const endpoint = await register('https://hangs.invalid/hook', liveKey);
      expect(endpoint.status, JSON.stringify(endpoint.body)).toBe(201);
      endpointId = endpoint.body.id;
    } finally {
      app.outbound = guard;
    }
    const made = await t.api('POST', '/v1/payment-requests', { key: liveKey, body: createBody(t, { allowConcurrent: true }) });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    // a worker of this test's own, whose resolver never answers (the gateway's would ask real DNS)
    const worker = createDeliveryWorker({ app: t.gateway.app, render: async () => ({ body: '{}', headers: {} }), timeoutMs: 300, lookup: () => new Promise(() => undefined) });
    try {
      const started = Date.now();
      expect(await worker.tick()).toBeGreaterThanOrEqual(1);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await worker.stop();
    }
    const [created] = (await t.api('GET', `/v1/events?objectId=${made.body.id}`, { key: liveKey })).body.data;
    const attempts = (await t.api('GET', `/v1/events/${created.id}/deliveries`, { key: liveKey })).body.data;
    expect(attempts).toMatchObject([{ endpointId, statusCode: null, error: 'no answer within 300 ms (resolving the host)' }]);
    expect((await t.api('DELETE', `/v1/webhook-endpoints/${endpointId}`, { key: liveKey })).status).toBe(200);
    await t.api('POST', `/v1/payment-requests/${made.body.id}/cancel`, { key: liveKey });
  });

  describe("a request's own webhookUrl", () => {
    let receiver: Receiver;
    beforeAll(async () => { receiver = await startReceiver(); });
    afterAll(async () => receiver.close());

    it.each([
      'http://169.254.169.254/latest',
      'http://10.0.0.1/',
      'http://[::1]/',
    ])('live mode refuses %s at creation: 400 parameter_invalid, param webhookUrl, nothing created', async (url) => {
      const before = (await t.api('GET', '/v1/payment-requests?limit=100', { key: liveKey })).body.data.length;
      const res = await t.api('POST', '/v1/payment-requests', { key: liveKey, body: createBody(t, { allowConcurrent: true, webhookUrl: url }) });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body).toMatchObject({ code: 'parameter_invalid', param: 'webhookUrl' });
      expect((await t.api('GET', '/v1/payment-requests?limit=100', { key: liveKey })).body.data).toHaveLength(before);
    });

    it('live mode refuses a local receiver; test mode delivers to it', async () => {
      const live = await t.api('POST', '/v1/payment-requests', { key: liveKey, body: createBody(t, { allowConcurrent: true, webhookUrl: receiver.url }) });
      expect(live.status, JSON.stringify(live.body)).toBe(400);
      expect(live.body).toMatchObject({ code: 'parameter_invalid', param: 'webhookUrl' });
      const test = await t.api('POST', '/v1/payment-requests', { body: createBody(t, { allowConcurrent: true, webhookUrl: receiver.url }) });
      expect(test.status, JSON.stringify(test.body)).toBe(201);
      await t.gateway.tick();
      const [got] = await receiver.waitFor(1);
      expect(got!.json).toMatchObject({ objectId: test.body.id, livemode: false });
      expect(receiver.received).toHaveLength(1);
    });
  });
});
