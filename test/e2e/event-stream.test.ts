// GET /v1/events/stream over real HTTP: the caller's events as server-sent events, in order,
// scoped like GET /v1/events, resumable with Last-Event-ID, with heartbeats, fed by other
// processes' commits too (polling), and ended when the gateway closes.
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../src/app/ports/persistence.js';
import { loadConfig } from '../../src/config/config.js';
import { createGateway } from '../../src/main.js';
import { createLogger } from '../../src/observability/logger.js';
import { ADMIN_TOKEN, createBody, startGateway, TEST_DRIVER, type TestGateway } from '../harness.js';

interface Frame {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

interface StreamEvent {
  id: string;
  event: string;
  body: any;
}

interface Stream {
  status: number;
  headers: Headers;
  /** The next frame (event or comment); fails after `timeoutMs` rather than hang the suite. */
  next(timeoutMs?: number): Promise<Frame>;
  /** The next event, skipping heartbeats. */
  nextEvent(timeoutMs?: number): Promise<StreamEvent>;
  /** Events until (and including) the first that satisfies `done`. */
  until(done: (e: StreamEvent) => boolean, timeoutMs?: number): Promise<StreamEvent[]>;
  close(): void;
}

function parseFrame(text: string): Frame {
  const frame: Frame = {};
  for (const line of text.split('\n')) {
    if (line.startsWith(':')) {
      frame.comment = line.slice(1).trim();
      continue;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id' || field === 'event') frame[field] = value;
    else if (field === 'data') frame.data = frame.data === undefined ? value : `${frame.data}\n${value}`;
  }
  return frame;
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function openStream(baseUrl: string, key: string | null, options: { query?: string; lastEventId?: string } = {}): Promise<Stream> {
  const abort = new AbortController();
  const headers: Record<string, string> = { accept: 'text/event-stream' };
  if (key !== null) headers.authorization = `Bearer ${key}`;
  if (options.lastEventId !== undefined) headers['last-event-id'] = options.lastEventId;
  const response = await fetch(`${baseUrl}/v1/events/stream${options.query ?? ''}`, { headers, signal: abort.signal });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';

  async function next(timeoutMs = 5000): Promise<Frame> {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end !== -1) {
        const text = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        return parseFrame(text);
      }
      const chunk = await withTimeout(reader.read(), timeoutMs, 'a server-sent event');
      if (chunk.done) throw new Error('the stream ended');
      buffer += decoder.decode(chunk.value, { stream: true });
    }
  }

  async function nextEvent(timeoutMs = 5000): Promise<StreamEvent> {
    for (;;) {
      const frame = await next(timeoutMs);
      if (frame.comment !== undefined && frame.data === undefined) continue;
      expect(frame.id).toEqual(expect.any(String));
      expect(frame.event).toEqual(expect.any(String));
      return { id: frame.id!, event: frame.event!, body: JSON.parse(frame.data!) };
    }
  }

  return {
    status: response.status, headers: response.headers, next, nextEvent,
    async until(done, timeoutMs) {
      const seen: StreamEvent[] = [];
      for (;;) {
        const event = await nextEvent(timeoutMs);
        seen.push(event);
        if (done(event)) return seen;
      }
    },
    close() {
      abort.abort();
    },
  };
}

let t: TestGateway;
let liveKey: string;
let other: { terminalId: string; key: string };
const streams: Stream[] = [];
const track = (s: Stream) => (streams.push(s), s);

beforeAll(async () => {
  t = await startGateway();
  liveKey = (await t.api('POST', `/admin/v1/merchants/${t.gateway.demo.merchantId}/keys`, { key: ADMIN_TOKEN, body: { mode: 'live' } })).body.secretKey;
  const terminal = (await t.api('POST', '/v1/terminals', { body: { name: 'till-sse' } })).body;
  other = { terminalId: terminal.id, key: (await t.api('POST', `/v1/terminals/${terminal.id}/keys`, { body: {} })).body.terminalKey };
});
afterAll(async () => {
  for (const s of streams) s.close();
  await t?.close();
});

async function createRequest(key = t.secretKey, terminalId = t.terminalId): Promise<string> {
  const res = await t.api('POST', '/v1/payment-requests', { key, body: createBody(t, { terminalId, allowConcurrent: true }) });
  expect(res.status).toBe(201);
  return res.body.id;
}

async function pay(id: string): Promise<void> {
  const res = await t.api('POST', `/v1/sandbox/payment-requests/${id}/pay`, { body: { outcome: 'approve' } });
  expect(res.status).toBe(200);
}

/** The request's events as GET lists them: what the stream must match. */
async function listedEvents(id: string): Promise<any[]> {
  return (await t.api('GET', `/v1/payment-requests/${id}/events?limit=100`)).body.data;
}

/** Every event of the demo merchant's test mode, oldest first (paging through GET /v1/events). */
async function allEvents(): Promise<any[]> {
  const all: any[] = [];
  let cursor: string | null = null;
  do {
    const page: any = (await t.api('GET', `/v1/events?limit=100${cursor ? `&cursor=${cursor}` : ''}`)).body;
    all.push(...page.data);
    cursor = page.hasMore ? page.nextCursor : null;
  } while (cursor);
  return all;
}

let synthetic = 0;
/** An event as another process would commit it: straight into the store, no change-feed publish here. */
async function foreignEvent(template: StoredEvent): Promise<StoredEvent> {
  const n = `${Date.now().toString(36)}${++synthetic}`;
  const { position: _position, ...rest } = template;
  return { ...rest, id: `evt_synthetic_${n}`, objectId: `pr_synthetic_${n}`, paymentRequestId: `pr_synthetic_${n}`, sequence: 1 };
}

async function templateEvent(): Promise<StoredEvent> {
  const id = (await allEvents())[0].id;
  return (await t.gateway.app.db.read.getEvent(id))!;
}

describe('GET /v1/events/stream', () => {
  it('streams the events of a request paid after connecting, in order, as id/event/data lines, and nothing older', async () => {
    const before = await createRequest();
    const stream = track(await openStream(t.url, t.secretKey));
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(stream.headers.get('cache-control')).toBe('no-cache');
    expect(stream.headers.get('x-accel-buffering')).toBe('no');
    expect(stream.headers.get('request-id')).toMatch(/^req_/);

    const id = await createRequest();
    await pay(id);
    const seen = await stream.until((e) => e.event === 'payment_request.succeeded' && e.body.objectId === id);
    expect(seen.some((e) => e.body.objectId === before)).toBe(false);
    expect(seen.map((e) => e.body.objectId)).toEqual(seen.map(() => id));
    expect(seen[0]!.event).toBe('payment_request.created');
    for (const e of seen) {
      expect(e.body).toMatchObject({ id: e.id, object: 'event', type: e.event, livemode: false, objectId: id, data: { object: { id, object: 'payment_request' } } });
    }
    expect(seen.at(-1)!.body.data.object.status).toBe('succeeded');
    // exactly what the event log holds for the request, in the same order
    expect(seen.map((e) => e.body)).toEqual(await listedEvents(id));
  });

  it("a terminal key streams only its terminal's events; a live key none of test mode's", async () => {
    const mine = track(await openStream(t.url, t.terminalKey));
    const theirs = track(await openStream(t.url, other.key));
    const live = track(await openStream(t.url, liveKey));
    const merchant = track(await openStream(t.url, t.secretKey));

    // the other terminal's sale commits first: had it leaked, it would arrive before our own
    const otherId = await createRequest(t.secretKey, other.terminalId);
    await pay(otherId);
    const ownId = await createRequest(t.secretKey, t.terminalId);
    await pay(ownId);
    const liveSale = await t.api('POST', '/v1/payment-requests', { key: liveKey, body: createBody(t, { allowConcurrent: true }) });
    expect(liveSale.status).toBe(201);

    const mineSeen = await mine.until((e) => e.event === 'payment_request.succeeded');
    expect(mineSeen.map((e) => e.body.objectId)).toEqual(mineSeen.map(() => ownId));
    expect(mineSeen.every((e) => e.body.data.object.terminalId === t.terminalId)).toBe(true);

    const theirsSeen = await theirs.until((e) => e.event === 'payment_request.succeeded');
    expect(theirsSeen.map((e) => e.body.objectId)).toEqual(theirsSeen.map(() => otherId));

    const liveFirst = await live.nextEvent();
    expect([liveFirst.body.objectId, liveFirst.body.livemode]).toEqual([liveSale.body.id, true]);

    const merchantSeen = await merchant.until((e) => e.event === 'payment_request.succeeded' && e.body.objectId === ownId);
    expect(new Set(merchantSeen.map((e) => e.body.objectId))).toEqual(new Set([otherId, ownId]));
    expect(merchantSeen.every((e) => e.body.livemode === false)).toBe(true);
    await t.api('POST', `/v1/payment-requests/${liveSale.body.id}/cancel`, { key: liveKey });
  });

  it('resumes after Last-Event-ID with exactly the events missed while disconnected', async () => {
    const first = track(await openStream(t.url, t.secretKey));
    const a = await createRequest();
    await pay(a);
    const [one, two] = [await first.nextEvent(), await first.nextEvent()];
    expect(one!.body.objectId).toBe(a);
    first.close();

    // while nobody listens
    const b = await createRequest();
    await pay(b);
    const c = await createRequest();
    await t.api('POST', `/v1/payment-requests/${c}/cancel`);

    const log = await allEvents();
    const missed = log.slice(log.findIndex((e) => e.id === two!.id) + 1);
    expect(missed.length).toBeGreaterThanOrEqual(4);

    const resumed = track(await openStream(t.url, t.secretKey, { lastEventId: two!.id }));
    expect(resumed.status).toBe(200);
    const got: any[] = [];
    for (let i = 0; i < missed.length; i++) got.push((await resumed.nextEvent()).body);
    expect(got).toEqual(missed);
    // nothing more of the past (no duplicate, no replay): the next event is a new one
    const d = await createRequest();
    const after = await resumed.nextEvent();
    expect([after.event, after.body.objectId]).toEqual(['payment_request.created', d]);

    // ?lastEventId= for EventSource polyfills that cannot set headers
    const polyfill = track(await openStream(t.url, t.secretKey, { query: `?lastEventId=${encodeURIComponent(missed.at(-1).id)}` }));
    expect(polyfill.status).toBe(200);
    expect((await polyfill.nextEvent()).id).toBe(after.id);
  });

  it('refuses an unknown or foreign Last-Event-ID with a problem before streaming', async () => {
    const liveId = await t.api('POST', '/v1/payment-requests', { key: liveKey, body: createBody(t, { allowConcurrent: true }) });
    const liveEvent = (await t.api('GET', `/v1/payment-requests/${liveId.body.id}/events`, { key: liveKey })).body.data[0].id;
    await t.api('POST', `/v1/payment-requests/${liveId.body.id}/cancel`, { key: liveKey });
    const otherTerminalEvent = (await listedEvents(await createRequest(t.secretKey, other.terminalId)))[0].id;

    const cases: [string, Record<string, string>, string][] = [
      ['unknown id', { 'last-event-id': 'evt_doesnotexist' }, ''],
      ['another mode', { 'last-event-id': liveEvent }, ''],
      ['another terminal (terminal key)', { 'last-event-id': otherTerminalEvent, authorization: `Bearer ${t.terminalKey}` }, ''],
      ['unknown id in the query', {}, '?lastEventId=evt_nope'],
    ];
    for (const [name, headers, query] of cases) {
      const res = await t.api('GET', `/v1/events/stream${query}`, { headers });
      expect([name, res.status, res.headers.get('content-type')]).toEqual([name, 400, expect.stringMatching(/^application\/problem\+json/)]);
      expect(res.body).toMatchObject({ code: 'parameter_invalid', param: 'Last-Event-ID', status: 400 });
    }
  });

  it('needs an API key', async () => {
    const res = await t.api('GET', '/v1/events/stream', { key: null });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const bad = await t.api('GET', '/v1/events/stream', { key: 'sk_test_nope' });
    expect(bad.status).toBe(401);
  });

  it('sends a comment heartbeat on the configured interval (POSGATE_SSE_HEARTBEAT_MS)', async () => {
    const g = await startGateway({ env: { POSGATE_SSE_HEARTBEAT_MS: '50' } });
    try {
      const stream = await openStream(g.url, g.secretKey);
      try {
        const started = Date.now();
        const frame = await stream.next(2000);
        expect(frame).toEqual({ comment: 'heartbeat' });
        expect(Date.now() - started).toBeLessThan(2000);
      } finally {
        stream.close();
      }
    } finally {
      await g.close();
    }
  });

  it('refuses to start with a heartbeat or poll interval that is not a whole number of ms, naming the variable', async () => {
    const dataDir = join(tmpdir(), `posgate-sse-never-${process.pid}`);
    for (const [name, value] of [['POSGATE_SSE_HEARTBEAT_MS', 'soon'], ['POSGATE_SSE_POLL_MS', '0'], ['POSGATE_SSE_POLL_MS', '2.5']] as const) {
      const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', [name]: value });
      await expect(createGateway(config, { logger: createLogger('silent'), background: false }), `${name}=${value}`).rejects.toThrow(`invalid configuration: ${name}`);
    }
    expect(existsSync(dataDir)).toBe(false); // refused before anything was opened
  });

  it("an event another process commits (no change-feed publish here) reaches the stream within a second", async () => {
    const template = await templateEvent();
    const stream = track(await openStream(t.url, t.secretKey));
    const event = await foreignEvent(template);
    await t.gateway.app.db.transaction((tx) => tx.appendEvent(event));
    const committed = Date.now();
    const got = await stream.nextEvent(3000);
    expect(got.id).toBe(event.id);
    expect(Date.now() - committed).toBeLessThan(1500);
  });

  it.runIf(TEST_DRIVER === 'postgres')('a second gateway process on the same database: its commits reach this stream within a second', async () => {
    const second = await createGateway(t.gateway.config, { background: false, logger: createLogger('silent') });
    try {
      const secondUrl = await second.listen();
      const stream = track(await openStream(t.url, t.secretKey));
      const res = await fetch(`${secondUrl}/v1/payment-requests`, {
        method: 'POST', headers: { authorization: `Bearer ${t.secretKey}`, 'content-type': 'application/json' }, body: JSON.stringify(createBody(t, { allowConcurrent: true })),
      });
      expect(res.status).toBe(201);
      const committed = Date.now();
      const id = ((await res.json()) as any).id;
      const got = await stream.nextEvent(3000);
      expect([got.event, got.body.objectId]).toEqual(['payment_request.created', id]);
      expect(Date.now() - committed).toBeLessThan(1500);
    } finally {
      await second.close();
    }
  });

  it.runIf(TEST_DRIVER === 'postgres')('an event committed after a later-positioned one was already sent still arrives, once', async () => {
    const template = await templateEvent();
    const stream = track(await openStream(t.url, t.secretKey));
    const [early, late, last] = [await foreignEvent(template), await foreignEvent(template), await foreignEvent(template)];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let inserted!: () => void;
    const earlyInserted = new Promise<void>((resolve) => (inserted = resolve));
    // `early` takes its position first but commits last
    const slow = t.gateway.app.db.transaction(async (tx) => {
      await tx.appendEvent(early);
      inserted();
      await gate;
    });
    try {
      await earlyInserted;
      await t.gateway.app.db.transaction((tx) => tx.appendEvent(late));
      expect((await stream.nextEvent(3000)).id).toBe(late.id);
    } finally {
      release(); // never leave the transaction (and its pooled connection) open, even on failure
      await slow;
    }
    expect((await stream.nextEvent(3000)).id).toBe(early.id);
    await t.gateway.app.db.transaction((tx) => tx.appendEvent(last));
    expect((await stream.nextEvent(3000)).id).toBe(last.id); // neither `late` nor `early` again
  });

  it('closing the gateway ends open streams and does not hang', async () => {
    const own = await startGateway();
    let closed = false;
    try {
      const stream = await openStream(own.url, own.secretKey);
      expect(stream.status).toBe(200);
      const ended = stream.next(10_000).then(
        () => 'frame',
        (error: Error) => error.message,
      );
      await withTimeout(own.close(), 10_000, 'gateway.close()');
      closed = true;
      const outcome = await ended;
      expect(outcome).not.toBe('frame');
      expect(outcome).not.toMatch(/timed out/);
    } finally {
      if (!closed) await own.close();
    }
  });
});
