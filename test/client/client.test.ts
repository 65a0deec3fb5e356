// @posgate/client against a real gateway on an ephemeral port: the sale a POS makes, start to end.
import { Posgate, PosgateError, type Event } from '@posgate/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverUntil, startReceiver, type Receiver } from '../support/receiver.js';
import { startGateway, type TestGateway } from '../harness.js';

let t: TestGateway;
let posgate: Posgate;
/** Every request the client sent, as the gateway would see its headers. */
const sent: { method: string; url: string; headers: Headers }[] = [];

beforeAll(async () => {
  t = await startGateway();
  posgate = new Posgate({
    baseUrl: t.url, apiKey: t.secretKey,
    fetch: (input, init) => {
      sent.push({ method: init?.method ?? 'GET', url: String(input), headers: new Headers(init?.headers) });
      return fetch(input, init);
    },
  });
});
afterAll(async () => {
  await t?.close();
});

const sale = (extra: Record<string, unknown> = {}) => ({ amount: 1500, currency: 'NZD' as const, terminalId: t.terminalId, allowConcurrent: true, ...extra });

describe('paymentRequests', () => {
  it('creates with an idempotency key of its own, or the one given, and replays it', async () => {
    const created = await posgate.paymentRequests.create(sale());
    expect(created).toMatchObject({ object: 'payment_request', status: 'created', amount: 1500 });
    expect(sent.at(-1)!.headers.get('idempotency-key')).toMatch(/^[0-9a-f-]{36}$/);

    const again = await posgate.paymentRequests.create(sale({ reference: 'client-1' }), { idempotencyKey: 'sale-1' });
    const replay = await posgate.paymentRequests.create(sale({ reference: 'client-1' }), { idempotencyKey: 'sale-1' });
    expect(replay.id).toBe(again.id);
    expect(sent.at(-1)!.headers.get('idempotency-key')).toBe('sale-1');
    expect((await posgate.paymentRequests.retrieve(created.id)).id).toBe(created.id);
    expect((await posgate.paymentRequests.retrieveByShortCode(created.shortCode.toLowerCase())).id).toBe(created.id);
  });

  it('lists every page through the cursor', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 3; i++) ids.add((await posgate.paymentRequests.create(sale({ metadata: { batch: 'list' } }))).id);
    const seen: string[] = [];
    for await (const request of posgate.paymentRequests.list({ limit: 2 })) seen.push(request.id);
    expect(seen).toEqual(expect.arrayContaining([...ids]));
    expect(new Set(seen).size).toBe(seen.length);
    // more than one page was read
    expect(sent.filter((s) => s.url.includes('/v1/payment-requests?') && s.url.includes('cursor=')).length).toBeGreaterThan(0);
    // a boolean filter is a boolean (the query's "true" too)
    const active: string[] = [];
    for await (const request of posgate.paymentRequests.list({ active: true })) active.push(request.status);
    expect(active.length).toBeGreaterThan(0);
    expect(active.every((status) => ['prepared', 'created', 'pending', 'authorized'].includes(status))).toBe(true);
    expect(sent.at(-1)!.url).toContain('active=true');
  });

  it('readies a prepared request, pays, captures and refunds it', async () => {
    const prepared = await posgate.paymentRequests.create({ currency: 'NZD', terminalId: t.terminalId, allowConcurrent: true, captureMode: 'manual' });
    expect(prepared.status).toBe('prepared');
    const ready = await posgate.paymentRequests.ready(prepared.id, { amount: 2000 });
    expect(ready).toMatchObject({ status: 'created', amount: 2000 });
    expect((await posgate.sandbox.pay(ready.id, { outcome: 'approve', method: 'card' })).status).toBe('authorized');
    const captured = await posgate.paymentRequests.capture(ready.id, { amount: 1500 });
    expect(captured).toMatchObject({ status: 'succeeded', amountCaptured: 1500 });
    const refund = await posgate.refunds.create(ready.id, { amount: 500, reference: 'refund-1' });
    expect(refund).toMatchObject({ object: 'refund', amount: 500, status: 'succeeded' });
    expect((await posgate.refunds.retrieve(refund.id)).id).toBe(refund.id);
    const refunds = [];
    for await (const r of posgate.refunds.list(ready.id)) refunds.push(r.id);
    expect(refunds).toEqual([refund.id]);
  });

  it('cancels', async () => {
    const created = await posgate.paymentRequests.create(sale());
    expect(await posgate.paymentRequests.cancel(created.id, { reason: 'customer left' })).toMatchObject({ status: 'cancelled' });
  });

  it('waits until the request is final, by long-polling', async () => {
    const created = await posgate.paymentRequests.create(sale());
    const waiting = posgate.paymentRequests.waitUntilFinal(created.id, { timeoutMs: 20_000 });
    // the patron pays once the POS is long-polling: the poll answers as soon as the status changes
    await until(() => sent.some((s) => s.url.includes(`${created.id}?waitSeconds=`)));
    await posgate.sandbox.pay(created.id, { outcome: 'approve' });
    expect(await waiting).toMatchObject({ id: created.id, status: 'succeeded' });
  });

  it('stops waiting at authorized when the request waits for a manual capture (nothing else would end the wait)', async () => {
    const created = await posgate.paymentRequests.create({ ...sale(), captureMode: 'manual' });
    const waiting = posgate.paymentRequests.waitUntilFinal(created.id, { timeoutMs: 20_000 });
    await until(() => sent.some((s) => s.url.includes(`${created.id}?waitSeconds=`)));
    await posgate.sandbox.pay(created.id, { outcome: 'approve' });
    expect(await waiting).toMatchObject({ id: created.id, status: 'authorized' });
    expect(await posgate.paymentRequests.capture(created.id)).toMatchObject({ status: 'succeeded' });
  });

  it('stops waiting when its signal aborts (the cashier gives up), as every call does', async () => {
    const created = await posgate.paymentRequests.create(sale());
    const controller = new AbortController();
    const started = Date.now();
    const waiting = posgate.paymentRequests.waitUntilFinal(created.id, { timeoutMs: 20_000, signal: controller.signal }).catch((e: unknown) => e);
    await until(() => sent.some((s) => s.url.includes(`${created.id}?waitSeconds=`)));
    controller.abort();
    expect(((await waiting) as Error).name).toBe('AbortError');
    expect(Date.now() - started).toBeLessThan(10_000);
    await posgate.paymentRequests.cancel(created.id);
  }, 30_000);

  it('gives up waiting with a timeout error', async () => {
    const created = await posgate.paymentRequests.create(sale());
    let now = 0;
    const clocked = new Posgate({ baseUrl: t.url, apiKey: t.secretKey, now: () => (now += 10_000) });
    const error = await clocked.paymentRequests.waitUntilFinal(created.id, { timeoutMs: 5_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PosgateError);
    expect(error).toMatchObject({ code: 'timeout', status: 0 });
  });

  it('throws PosgateError with the code, status, param and request id of the problem', async () => {
    const error = await posgate.paymentRequests.create({ ...sale(), colour: 'red' } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PosgateError);
    expect(error).toMatchObject({ code: 'unknown_field', status: 400, param: 'colour' });
    expect((error as PosgateError).requestId).toMatch(/^req_/);
    // every bad field at once, the first of them in code and param
    const several = await posgate.paymentRequests.create({ ...sale(), amount: -1, currency: 'nzd' } as never).catch((e: unknown) => e);
    expect((several as PosgateError).errors.map((e) => e.param).sort()).toStrictEqual(['amount', 'currency']);
    expect((several as PosgateError).errors.map((e) => e.code)).toContain((several as PosgateError).code);
    const missing = await posgate.paymentRequests.retrieve('pr_nothing').catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: 'not_found', status: 404 });
    const unauthorised = await new Posgate({ baseUrl: t.url, apiKey: 'sk_test_wrong' }).paymentRequests.retrieve('pr_x').catch((e: unknown) => e);
    expect(unauthorised).toMatchObject({ code: 'invalid_api_key', status: 401 });
  });
});

describe('sandbox', () => {
  it('makes patrons, moves the test clock and resolves references', async () => {
    const patron = await posgate.sandbox.createPatron({ name: 'Ana', age: 30 });
    expect(patron).toMatchObject({ object: 'patron', name: 'Ana', age: 30 });
    expect((await posgate.sandbox.retrievePatron(patron.id)).id).toBe(patron.id);
    const created = await posgate.paymentRequests.create(sale({ reference: 'resolve-me', expiresInSeconds: 60 }));
    expect(await posgate.sandbox.resolve('resolve-me')).toEqual({ id: created.id });
    const clock = await posgate.sandbox.advanceClock(120);
    expect(clock.offsetSeconds).toBeGreaterThanOrEqual(120);
    expect((await posgate.sandbox.retrieveClock()).offsetSeconds).toBe(clock.offsetSeconds);
    expect((await posgate.paymentRequests.retrieve(created.id)).status).toBe('expired');
  });
});

describe('events', () => {
  it('lists events and streams them, resuming after the last one with Last-Event-ID', async () => {
    // resuming after the newest event so far: what follows arrives however soon the stream opens
    let newest: string | undefined;
    for await (const event of posgate.events.list()) newest = event.id;
    expect(newest).toMatch(/^evt_/);
    const first: Event[] = [];
    const reading = (async () => {
      for await (const event of posgate.events.stream({ lastEventId: newest })) {
        first.push(event);
        if (first.length === 2) break;
      }
    })();
    const created = await posgate.paymentRequests.create(sale());
    await posgate.paymentRequests.cancel(created.id);
    await reading;
    expect(first.map((e) => e.type)).toEqual(['payment_request.created', 'payment_request.cancelled']);

    // resumed after the first: the second again, nothing before it
    const resumed: Event[] = [];
    for await (const event of posgate.events.stream({ lastEventId: first[0]!.id })) {
      resumed.push(event);
      break;
    }
    expect(resumed[0]!.id).toBe(first[1]!.id);
    expect(sent.at(-1)!.headers.get('last-event-id')).toBe(first[0]!.id);

    // its signal aborted (no break): the loop ends, without throwing, as the README says
    const controller = new AbortController();
    const beforeAbort: Event[] = [];
    for await (const event of posgate.events.stream({ lastEventId: first[0]!.id, signal: controller.signal })) {
      beforeAbort.push(event);
      controller.abort();
    }
    expect(beforeAbort.map((e) => e.id)).toEqual([first[1]!.id]);

    const listed: string[] = [];
    for await (const event of posgate.events.list({ objectId: created.id })) listed.push(event.type);
    expect(listed).toEqual(['payment_request.created', 'payment_request.cancelled']);
  });
});

describe('webhooks.verify', () => {
  let receiver: Receiver;
  afterAll(async () => receiver?.close());

  it("verifies a real delivery with the endpoint's secret, and refuses a tampered or stale one", async () => {
    receiver = await startReceiver();
    const endpoint = await t.api('POST', '/v1/webhook-endpoints', { body: { url: receiver.url, eventTypes: ['payment_request.created'] } });
    expect(endpoint.status).toBe(201);
    const created = await posgate.paymentRequests.create(sale());
    const [delivery] = await deliverUntil(() => t.gateway.tick(), () => receiver.received.filter((r) => r.json?.objectId === created.id), 1);
    const headers = delivery!.headers as Record<string, string>;
    const event = await posgate.webhooks.verify(delivery!.body, headers, endpoint.body.secret);
    expect(event).toMatchObject({ type: 'payment_request.created', objectId: created.id });

    const refused = (p: Promise<unknown>) => p.then(() => 'verified', (e: Error) => e.name);
    expect(await refused(posgate.webhooks.verify(delivery!.body.replace('1500', '1501'), headers, endpoint.body.secret))).toBe('WebhookVerificationError');
    expect(await refused(posgate.webhooks.verify(delivery!.body, headers, 'whsec_' + btoa('another secret of 32 bytes......')))).toBe('WebhookVerificationError');
    const later = (Number(headers['webhook-timestamp']) + 301) * 1000;
    expect(await refused(posgate.webhooks.verify(delivery!.body, headers, endpoint.body.secret, { now: later }))).toBe('WebhookVerificationError');
    expect(await refused(posgate.webhooks.verify(delivery!.body, headers, endpoint.body.secret, { now: later, toleranceSeconds: 400 }))).toBe('verified');
    expect(await refused(posgate.webhooks.verify(delivery!.body, { ...headers, 'webhook-signature': '' }, endpoint.body.secret))).toBe('WebhookVerificationError');
  });
});

/** Lets the event loop turn until `condition` holds (a request sent by this process): no clock involved. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 10_000 && !condition(); i++) await new Promise((resolve) => setImmediate(resolve));
  expect(condition()).toBe(true);
}
