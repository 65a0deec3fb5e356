// @posgate/client's back-office calls against a real gateway: webhook endpoints and their
// deliveries, terminals and their keys, the settlement report, the sandbox's refund outcome.
import { Posgate, PosgateError, type DeliveryAttempt, type QueuedDelivery, type SettlementReport, type WebhookEndpoint } from '@posgate/client';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { deliverUntil, startReceiver, type Receiver } from '../support/receiver.js';
import { startGateway, type TestGateway } from '../harness.js';

let t: TestGateway;
let posgate: Posgate;
let receiver: Receiver;

beforeAll(async () => {
  t = await startGateway();
  posgate = new Posgate({ baseUrl: t.url, apiKey: t.secretKey });
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await t?.close();
});

const sale = (extra: Record<string, unknown> = {}) => ({ amount: 1500, currency: 'NZD' as const, terminalId: t.terminalId, allowConcurrent: true, ...extra });

describe('webhookEndpoints and event deliveries', () => {
  it('registers, reads, rotates, lists and deletes an endpoint; the deliveries of an event are read and redelivered', async () => {
    const endpoint = await posgate.webhookEndpoints.create({ url: receiver.url, eventTypes: ['payment_request.created'] });
    expect(endpoint).toMatchObject({ object: 'webhook_endpoint', url: receiver.url, status: 'enabled' });
    expect(endpoint.secret).toMatch(/^whsec_/);
    expect(await posgate.webhookEndpoints.retrieve(endpoint.id)).toMatchObject({ id: endpoint.id, eventTypes: ['payment_request.created'] });
    expect((await posgate.webhookEndpoints.list()).map((e) => e.id)).toContain(endpoint.id);

    const created = await posgate.paymentRequests.create(sale());
    const [delivery] = await deliverUntil(() => t.gateway.tick(), () => receiver.received.filter((r) => r.json?.objectId === created.id), 1);
    const event = await posgate.webhooks.verify(delivery!.body, delivery!.headers as Record<string, string>, endpoint.secret!);
    const attempts = await posgate.events.deliveries(event.id);
    expect(attempts).toEqual([expect.objectContaining({ eventId: event.id, endpointId: endpoint.id, url: receiver.url })]);
    const queued = await posgate.events.redeliver(event.id);
    expect(queued).toEqual([expect.objectContaining({ eventId: event.id, endpointId: endpoint.id, object: 'delivery' })]);
    await deliverUntil(() => t.gateway.tick(), () => receiver.received.filter((r) => r.json?.objectId === created.id), 2);

    const rotated = await posgate.webhookEndpoints.rotateSecret(endpoint.id);
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(endpoint.secret);
    expect(await posgate.webhookEndpoints.delete(endpoint.id)).toMatchObject({ id: endpoint.id, deleted: true });
    const gone = await posgate.webhookEndpoints.retrieve(endpoint.id).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(PosgateError);
    expect(gone).toMatchObject({ status: 404, code: 'not_found' });
    await posgate.paymentRequests.cancel(created.id);

    // the shapes are the document's, not `never` (a type that matched nothing would let any use compile)
    expectTypeOf<WebhookEndpoint['url']>().toEqualTypeOf<string>();
    expectTypeOf<DeliveryAttempt['eventId']>().toEqualTypeOf<string>();
    expectTypeOf<QueuedDelivery['eventId']>().toEqualTypeOf<string>();
  });
});

describe('terminals', () => {
  it('creates, reads and lists terminals; a terminal key made for one works, and once revoked does not', async () => {
    const terminal = await posgate.terminals.create({ name: `till-${Date.now()}` });
    expect(await posgate.terminals.retrieve(terminal.id)).toMatchObject({ id: terminal.id, name: terminal.name });
    const listed: string[] = [];
    for await (const each of posgate.terminals.list({ limit: 1 })) listed.push(each.id);
    expect(listed).toEqual(expect.arrayContaining([t.terminalId, terminal.id]));

    const key = await posgate.terminals.createKey(terminal.id);
    expect(key.terminalKey).toMatch(/^tk_/);
    const till = new Posgate({ baseUrl: t.url, apiKey: key.terminalKey!, maxRetries: 0 });
    expect(await till.terminals.retrieve(terminal.id)).toMatchObject({ id: terminal.id });
    expect(await posgate.terminals.revokeKey(terminal.id, key.id)).toMatchObject({ id: key.id });
    expect(await till.terminals.retrieve(terminal.id).catch((e: unknown) => e)).toMatchObject({ status: 401, code: 'invalid_api_key' });
  });
});

describe('reports and the sandbox refund outcome', () => {
  it("settles a pending refund as the channel would, and the day's settlement report counts the sale and the refund", async () => {
    const created = await posgate.paymentRequests.create(sale());
    await posgate.sandbox.pay(created.id, { outcome: 'approve', method: 'crypto' });
    const refund = await posgate.refunds.create(created.id, { amount: 500, reference: `rf-${created.id}` });
    expect(refund.status).toBe('pending'); // a crypto return waits for the chain
    expect(await posgate.sandbox.refundOutcome(refund.id, { outcome: 'succeeded' })).toMatchObject({ id: refund.id, status: 'succeeded' });

    const today = new Date(Date.parse((await posgate.sandbox.retrieveClock()).now));
    const day = (at: Date) => at.toISOString().slice(0, 10);
    const report = await posgate.reports.settlement({ from: day(new Date(today.getTime() - 86_400_000)), to: day(new Date(today.getTime() + 2 * 86_400_000)) });
    expectTypeOf<SettlementReport['from']>().toEqualTypeOf<string>();
    // this file's only paid sale: its crypto row holds it and its refund
    const crypto = report.rows.filter((row) => row.channel === 'crypto' && row.currency === 'NZD');
    expect(crypto.reduce((sum, row) => sum + row.gross, 0)).toBe(1500);
    expect(crypto.reduce((sum, row) => sum + row.refunded, 0)).toBe(500);
  });
});
