// The client's retries, against a real HTTP server that answers as each test tells it: what is
// retried (no answer, 429, 5xx), how long it waits (Retry-After, else backoff with jitter: recorded
// by an injected sleep, never waited), and that a POST keeps its Idempotency-Key on every try.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Posgate, PosgateError } from '@posgate/client';
import { afterEach, describe, expect, it } from 'vitest';
import { startReceiver, type Answer, type Receiver } from '../support/receiver.js';

const ok: Answer = { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'pr_1', object: 'payment_request', status: 'created' }) };
const problem = (status: number, code: string, headers: Record<string, string> = {}): Answer => ({
  status, headers: { 'content-type': 'application/problem+json', 'request-id': `req_${status}`, ...headers },
  body: JSON.stringify({ type: 'x', title: 't', status, detail: `${code} happened`, code, requestId: `req_${status}` }),
});

let receiver: Receiver | undefined;
let silent: Server | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
  silent?.closeAllConnections();
  await new Promise((resolve) => (silent ? silent.close(resolve) : resolve(undefined)));
  silent = undefined;
});

/** A client of `baseUrl` whose waits are recorded, with the jitter's randomness fixed. */
function client(baseUrl: string, options: { maxRetries?: number; timeoutMs?: number; random?: number } = {}) {
  const waits: number[] = [];
  const posgate = new Posgate({
    baseUrl, apiKey: 'sk_test_x', maxRetries: options.maxRetries, timeoutMs: options.timeoutMs,
    sleep: async (ms) => { waits.push(ms); }, random: () => options.random ?? 0.5,
  });
  return { posgate, waits };
}

const base = (r: Receiver) => r.url.replace(/\/hook$/, '');

describe('retries', () => {
  it('retries a read on 503, waiting what Retry-After asks', async () => {
    receiver = await startReceiver((i) => (i === 0 ? problem(503, 'service_unavailable', { 'retry-after': '2' }) : ok));
    const { posgate, waits } = client(base(receiver));
    expect((await posgate.paymentRequests.retrieve('pr_1')).id).toBe('pr_1');
    expect(receiver.received).toHaveLength(2);
    expect(waits).toEqual([2000]);
  });

  it('retries 429 and 5xx with exponential backoff and jitter, then gives the last error', async () => {
    receiver = await startReceiver((i) => (i === 0 ? problem(429, 'rate_limited') : problem(500, 'internal_error')));
    const { posgate, waits } = client(base(receiver), { maxRetries: 3, random: 1 });
    const error = await posgate.paymentRequests.retrieve('pr_1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PosgateError);
    expect(error).toMatchObject({ code: 'internal_error', status: 500, requestId: 'req_500' });
    expect(receiver.received).toHaveLength(4);
    // 500 ms doubling, the upper half random: random() = 1 gives the ceiling
    expect(waits).toEqual([500, 1000, 2000]);
    const low = client(base(receiver), { maxRetries: 2, random: 0 });
    await low.posgate.paymentRequests.retrieve('pr_1').catch(() => undefined);
    expect(low.waits).toEqual([250, 500]);
  });

  it('retries a POST with the same Idempotency-Key, made when none is given', async () => {
    receiver = await startReceiver((i) => (i < 2 ? problem(503, 'service_unavailable', { 'retry-after': '0' }) : { ...ok, status: 201 }));
    const { posgate } = client(base(receiver));
    await posgate.paymentRequests.create({ amount: 100, currency: 'NZD' });
    const keys = receiver.received.map((r) => r.headers['idempotency-key']);
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    const given = await startReceiver((i) => (i === 0 ? problem(502, 'bad_gateway') : { ...ok, status: 201 }));
    try {
      await client(base(given)).posgate.paymentRequests.create({ amount: 100, currency: 'NZD' }, { idempotencyKey: 'mine' });
      expect(given.received.map((r) => r.headers['idempotency-key'])).toEqual(['mine', 'mine']);
    } finally {
      await given.close();
    }
  });

  it('does not retry a refusal (4xx other than 429)', async () => {
    receiver = await startReceiver(() => problem(409, 'terminal_busy'));
    const { posgate, waits } = client(base(receiver));
    const error = await posgate.paymentRequests.create({ amount: 100, currency: 'NZD' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'terminal_busy', status: 409, requestId: 'req_409' });
    expect(receiver.received).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('does not wait for a Retry-After longer than a minute', async () => {
    receiver = await startReceiver(() => problem(503, 'service_unavailable', { 'retry-after': '3600' }));
    const { posgate, waits } = client(base(receiver));
    await expect(posgate.paymentRequests.retrieve('pr_1')).rejects.toMatchObject({ status: 503 });
    expect(waits).toEqual([]);
  });

  it('retries when no answer comes (connection refused), then says so', async () => {
    receiver = await startReceiver();
    const url = base(receiver);
    await receiver.close();
    receiver = undefined;
    const { posgate, waits } = client(url, { maxRetries: 2 });
    const error = await posgate.paymentRequests.retrieve('pr_1').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'connection_error', status: 0 });
    expect(waits).toHaveLength(2);
  });

  it('gives up on a call after its timeout', async () => {
    // a server that takes the request and never answers
    silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent!.listen(0, '127.0.0.1', resolve));
    const { posgate } = client(`http://127.0.0.1:${(silent.address() as AddressInfo).port}`, { maxRetries: 0 });
    const error = await posgate.paymentRequests.retrieve('pr_1', { timeoutMs: 50 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PosgateError);
    expect(error).toMatchObject({ code: 'timeout', status: 0 });
  });

  it('retries an answer that breaks off mid-body, and says so as a PosgateError, not a DOMException', async () => {
    // headers and half a body, then nothing: the call's timeout fires while the body is read
    let tries = 0;
    silent = createServer((_req, res) => {
      tries++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"id":"pr_1",');
    });
    await new Promise<void>((resolve) => silent!.listen(0, '127.0.0.1', resolve));
    const { posgate, waits } = client(`http://127.0.0.1:${(silent.address() as AddressInfo).port}`, { maxRetries: 1 });
    // long enough for each try to reach the server on a loaded machine: the body is what times out
    const error = await posgate.paymentRequests.retrieve('pr_1', { timeoutMs: 1_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PosgateError);
    expect(error).toMatchObject({ code: 'timeout', status: 0 });
    expect(tries).toBe(2);
    expect(waits).toHaveLength(1);
  });

  it('retries 409 idempotency_in_progress (its own earlier try still running) with the same key', async () => {
    // the first try timed out on the client while the server went on; the retry finds it in progress
    receiver = await startReceiver((i) => (i === 0 ? problem(409, 'idempotency_in_progress') : { ...ok, status: 201 }));
    const { posgate, waits } = client(base(receiver));
    expect((await posgate.paymentRequests.create({ amount: 100, currency: 'NZD' }, { idempotencyKey: 'sale-9' })).id).toBe('pr_1');
    expect(receiver.received.map((r) => r.headers['idempotency-key'])).toEqual(['sale-9', 'sale-9']);
    expect(waits).toHaveLength(1);
  });

  it('stops waiting for a retry when the call is aborted', async () => {
    // Retry-After asks for 30 s; the caller aborts while the client waits, with a wait that would
    // never end by itself: only the signal can end it
    receiver = await startReceiver(() => problem(503, 'service_unavailable', { 'retry-after': '30' }));
    const controller = new AbortController();
    const waited: number[] = [];
    const posgate = new Posgate({
      baseUrl: base(receiver), apiKey: 'sk_test_x',
      sleep: (ms) => {
        waited.push(ms);
        controller.abort();
        return new Promise<void>(() => undefined);
      },
    });
    const error = await posgate.paymentRequests.retrieve('pr_1', { signal: controller.signal }).catch((e: unknown) => e);
    expect((error as Error).name).toBe('AbortError');
    expect(waited).toEqual([30_000]);
    expect(receiver.received).toHaveLength(1);
  });

  it('reconnects an event stream that goes silent (no event, no heartbeat) for idleTimeoutMs', async () => {
    const lastIds: (string | undefined)[] = [];
    const event = (n: number) => `id: evt_${n}\nevent: payment_request.created\ndata: ${JSON.stringify({ id: `evt_${n}`, type: 'payment_request.created' })}\n\n`;
    silent = createServer((req, res) => {
      lastIds.push(req.headers['last-event-id'] as string | undefined);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      // the first connection brings one event and then nothing, as a connection a NAT dropped does
      res.write(event(lastIds.length));
    });
    await new Promise<void>((resolve) => silent!.listen(0, '127.0.0.1', resolve));
    const { posgate } = client(`http://127.0.0.1:${(silent.address() as AddressInfo).port}`);
    const ids: string[] = [];
    // idle for 1 s (the watchdog runs from the connection's start: time enough to connect on a loaded machine)
    for await (const e of posgate.events.stream({ lastEventId: 'evt_0', idleTimeoutMs: 1_000 })) {
      ids.push(e.id);
      if (ids.length === 2) break;
    }
    expect(ids).toEqual(['evt_1', 'evt_2']);
    expect(lastIds).toEqual(['evt_0', 'evt_1']);
  }, 10_000);

  it('reconnects a dropped event stream after the last event it yielded', async () => {
    const lastIds: (string | undefined)[] = [];
    const event = (n: number) => `id: evt_${n}\nevent: payment_request.created\ndata: ${JSON.stringify({ id: `evt_${n}`, type: 'payment_request.created' })}\n\n`;
    silent = createServer((req, res) => {
      lastIds.push(req.headers['last-event-id'] as string | undefined);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      // the first connection drops after one event; the second goes on from where it asks
      if (lastIds.length === 1) res.write(': heartbeat\n\n' + event(1), () => res.destroy());
      else res.write(event(2));
    });
    await new Promise<void>((resolve) => silent!.listen(0, '127.0.0.1', resolve));
    const { posgate, waits } = client(`http://127.0.0.1:${(silent.address() as AddressInfo).port}`);
    const ids: string[] = [];
    for await (const e of posgate.events.stream({ lastEventId: 'evt_0' })) {
      ids.push(e.id);
      if (ids.length === 2) break;
    }
    expect(ids).toEqual(['evt_1', 'evt_2']);
    expect(lastIds).toEqual(['evt_0', 'evt_1']);
    expect(waits).toEqual([]);
  });
});
