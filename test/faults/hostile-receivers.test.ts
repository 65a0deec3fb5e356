// Fault scenario 5 (issue 16): webhook receivers that misbehave, all on 127.0.0.1, registered on the
// same merchant as one healthy receiver. Kinds: one that accepts and never answers; two that trickle
// (a status line and a header, then one byte a second: of the headers, or of a body); a 307 to
// itself (a loop if followed); a 302 to another local server; a 200 with a 10 MB body; one that
// resets the connection on every request. The gateway's per-attempt deadline is shortened with
// WEBHOOK_TIMEOUT_MS; posgate's clock stands still (a test clock), so nothing is retried before the
// test moves it, however long the machine takes; delivery is pumped as the background loop does (a tick every 50 ms, side
// by side). The healthy receiver must get every event promptly (well inside the deadline: no
// hostile attempt held it back); every hostile attempt is logged within the deadline (+ margin);
// no redirect is followed; the 10 MB body is not read (the sender closes the socket with most of it
// unsent: the server never gets to finish writing it); a reset is a failed attempt, retried on the
// schedule (5 s later on the merchant's test clock) and not before.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/system/clock.js';
import { createBody, startGateway, type TestGateway } from '../harness.js';
import { startReceiver, type Receiver } from '../support/receiver.js';

const TIMEOUT_MS = 4000;
/** Scheduling, the database and a loaded CI machine: what an attempt may take beyond its deadline. */
const MARGIN_MS = 1000;
/**
 * Every event reaches the healthy receiver within this of the delivery loop starting: well under the
 * deadline, so waiting on a hostile attempt cannot fit in it (measured: 0.75–1.3 s for its 48
 * events on a busy 2-core machine; without the per-target limit, the deadline and more). The
 * deadline is long so that a slow machine's last event and a held one stay far apart.
 */
const HEALTHY_BOUND_MS = 2500;
/**
 * Payment requests created (each created, then paid). A target gets one delivery per object at a
 * time (sequence order), so the three slow kinds ask for 3 × REQUESTS slots at once: more than the
 * process's 64 (src/delivery/worker.ts), so that without the per-target limit (16) they would take
 * every slot and hold the healthy receiver back until the deadline.
 */
const DELIVERY_SLOTS = 64;
const REQUESTS = Math.ceil((DELIVERY_SLOTS + 1) / 3) + 2;
const BIG_BYTES = 10 * 1024 * 1024;
const SNIPPET_BYTES = 1024;

interface Hostile { name: string; url: string; close(): Promise<void> }

let t: TestGateway;
let healthy: Receiver;
const hostiles: Record<string, Hostile> = {};
/** Requests each local server got (a redirect that is followed shows up here). */
const hits: Record<string, number> = { redirectSelf: 0, redirectOther: 0, redirectTarget: 0, reset: 0, hang: 0, trickleHead: 0, trickleBody: 0, big: 0 };
/** What the 10 MB server saw of each response: bytes handed to the socket, whether it finished, and whether the peer cut it. */
const bigResponses: { written: number; finished: boolean; cut: boolean }[] = [];
const open = new Set<Socket>();

function listen(server: Server | NetServer, name: string, path = '/hook'): Promise<Hostile> {
  server.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    name,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`,
    close: () => new Promise<void>((done) => server.close(() => done())),
  })));
}

/** An HTTP server that reads the request body before answering. */
function http(name: string, answer: (req: IncomingMessage, res: ServerResponse) => void): Server {
  return createHttpServer((req, res) => {
    hits[name]!++;
    req.resume();
    req.on('end', () => answer(req, res));
  });
}

/** A raw server: once the request has come, a status line and a header, then one byte a second (of the headers, or of a declared body). */
function trickle(name: string, headersEnd: boolean): NetServer {
  return createNetServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => {
      hits[name]!++;
      socket.write(headersEnd ? 'HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n' : 'HTTP/1.1 200 OK\r\nx-slow: ');
      const timer = setInterval(() => socket.write('x'), 1000);
      socket.on('close', () => clearInterval(timer));
    });
  });
}

beforeAll(async () => {
  t = await startGateway({ clock: new ManualClock(Date.UTC(2026, 5, 1, 12)), env: { WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS), LOG_LEVEL: 'error' } });
  healthy = await startReceiver();
  const target = await listen(http('redirectTarget', (_req, res) => res.writeHead(200).end()), 'redirectTarget');
  const selfServer = http('redirectSelf', (req, res) => res.writeHead(307, { location: req.url ?? '/hook' }).end());
  const big = http('big', (_req, res) => {
    const seen = { written: 0, finished: false, cut: false };
    bigResponses.push(seen);
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': BIG_BYTES });
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const pump = () => {
      while (seen.written < BIG_BYTES && !res.destroyed) {
        seen.written += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      if (seen.written >= BIG_BYTES) res.end();
    };
    res.on('finish', () => (seen.finished = true));
    res.on('close', () => (seen.cut = !seen.finished));
    res.on('error', () => undefined);
    pump();
  });
  Object.assign(hostiles, {
    hang: await listen(http('hang', () => undefined), 'hang'),
    trickleHead: await listen(trickle('trickleHead', false), 'trickleHead'),
    trickleBody: await listen(trickle('trickleBody', true), 'trickleBody'),
    redirectSelf: await listen(selfServer, 'redirectSelf'),
    redirectOther: await listen(http('redirectOther', (_req, res) => res.writeHead(302, { location: target.url }).end()), 'redirectOther'),
    big: await listen(big, 'big'),
    reset: await listen(createHttpServer((req) => {
      hits.reset!++;
      req.socket.destroy();
    }), 'reset'),
    redirectTarget: target,
  });
});

afterAll(async () => {
  await t?.close();
  for (const socket of open) socket.destroy();
  await healthy?.close();
  await Promise.all(Object.values(hostiles).map((h) => h.close()));
});

interface Attempt { url: string; statusCode: number | null; latencyMs: number; responseSnippet: string | null; error: string | null; attemptedAt: string }
interface Event { id: string; type: string; objectId: string; sequence: number }

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

describe('hostile webhook receivers', () => {
  it('are cut off within the deadline, never followed or read in full, retried on the schedule, and hold back no one else', async () => {
    for (const url of [healthy.url, ...Object.entries(hostiles).filter(([name]) => name !== 'redirectTarget').map(([, h]) => h.url)]) {
      const res = await t.api('POST', '/v1/webhook-endpoints', { body: { url } });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    for (let i = 0; i < REQUESTS; i++) {
      const created = await t.api('POST', '/v1/payment-requests', { body: createBody(t, { allowConcurrent: true, expiresInSeconds: 24 * 3600, reference: `hostile-${i}` }) });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const paid = await t.api('POST', `/v1/sandbox/payment-requests/${created.body.id}/pay`, { body: { outcome: 'approve' } });
      expect(paid.status, JSON.stringify(paid.body)).toBe(200);
    }
    const events: Event[] = (await t.api('GET', '/v1/events?limit=100')).body.data;
    expect(events.length).toBeGreaterThanOrEqual(2 * REQUESTS);
    const firsts = events.filter((e) => e.sequence === 1);
    expect(firsts).toHaveLength(REQUESTS);

    // delivery as the background loop runs it: a tick every 50 ms, each on its own
    const ticks: Promise<void>[] = [];
    const started = Date.now();
    const pump = setInterval(() => ticks.push(t.gateway.tick().catch(() => undefined)), 50);
    try {
      const got = await healthy.waitFor(events.length, HEALTHY_BOUND_MS + 2000).catch(() => healthy.received);
      const late = events.map((e) => ({ type: e.type, at: got.find((r) => r.json?.id === e.id)?.at }))
        .map((e) => ({ ...e, ms: e.at === undefined ? Infinity : e.at - started }));
      const slowest = Math.max(...late.map((e) => e.ms));
      console.info(`healthy receiver: ${events.length} events, slowest ${slowest} ms after delivery started`);
      expect(late.filter((e) => e.ms > HEALTHY_BOUND_MS), `every event at the healthy receiver within ${HEALTHY_BOUND_MS} ms`).toEqual([]);

      // each hostile endpoint's first attempt at each object's first event is logged, within the deadline
      const attemptsTo = async (e: Event, url: string) => ((await t.api('GET', `/v1/events/${e.id}/deliveries`)).body.data as Attempt[]).filter((a) => a.url === url);
      const waitUntil = Date.now() + TIMEOUT_MS * 3 + MARGIN_MS;
      const kinds = ['hang', 'trickleHead', 'trickleBody', 'redirectSelf', 'redirectOther', 'big', 'reset'];
      const logged: Record<string, Attempt[]> = {};
      for (const kind of kinds) {
        for (;;) {
          logged[kind] = (await Promise.all(firsts.map((e) => attemptsTo(e, hostiles[kind]!.url)))).flat();
          if (logged[kind]!.length >= firsts.length || Date.now() > waitUntil) break;
          await sleep(50);
        }
        expect(logged[kind], `${kind}: one attempt per object's first event`).toHaveLength(firsts.length);
        for (const attempt of logged[kind]!) {
          expect(attempt.statusCode !== null || attempt.error !== null, `${kind}: an outcome is logged`).toBe(true);
          expect(attempt.latencyMs, `${kind}: within the deadline`).toBeLessThanOrEqual(TIMEOUT_MS + MARGIN_MS);
          expect((attempt.responseSnippet ?? '').length, `${kind}: at most a snippet kept`).toBeLessThanOrEqual(SNIPPET_BYTES);
        }
      }
      const latencies = Object.fromEntries(kinds.map((kind) => [kind, Math.max(...logged[kind]!.map((a) => a.latencyMs))]));
      console.info(`slowest hostile attempt per kind (ms): ${JSON.stringify(latencies)}`);

      for (const kind of ['hang', 'trickleHead', 'trickleBody']) {
        for (const attempt of logged[kind]!) {
          expect(attempt, `${kind}: cut off at the deadline`).toMatchObject({ statusCode: null, error: `no answer within ${TIMEOUT_MS} ms` });
          expect(attempt.latencyMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
        }
      }
      // redirects are a failed attempt, never followed: one request per attempt, nothing at the target
      expect(logged.redirectSelf!.map((a) => a.statusCode)).toEqual(firsts.map(() => 307));
      expect(logged.redirectOther!.map((a) => a.statusCode)).toEqual(firsts.map(() => 302));
      expect(hits.redirectTarget, 'the redirect target saw nothing').toBe(0);
      expect(hits.redirectSelf, 'a redirect to itself was asked once per attempt').toBe(logged.redirectSelf!.length);

      // the 10 MB body: a 200 (delivered), its first KiB kept, the socket closed with most of the body unsent
      for (const attempt of logged.big!) {
        expect(attempt.statusCode).toBe(200);
        expect(attempt.responseSnippet!.length).toBeLessThanOrEqual(SNIPPET_BYTES);
      }
      const bigDeadline = Date.now() + MARGIN_MS;
      while (bigResponses.some((r) => !r.cut && !r.finished) && Date.now() < bigDeadline) await sleep(20);
      console.info(`10 MB server, MB handed to the socket before the sender cut it: ${bigResponses.map((r) => (r.written / 2 ** 20).toFixed(2)).join(', ')}`);
      expect(bigResponses.length).toBeGreaterThanOrEqual(firsts.length);
      expect(bigResponses.filter((r) => r.finished || !r.cut), 'every 10 MB answer was cut off by the sender, never read to its end').toEqual([]);

      // a reset is a failed attempt, not retried before its time
      for (const attempt of logged.reset!) expect(attempt, 'reset: a failed attempt').toMatchObject({ statusCode: null, error: expect.any(String) });
      const resetRows = await t.query<{ attempts: number; next_attempt_at: number; status: string; updated_at: number }>(
        `select attempts, next_attempt_at, status, updated_at from deliveries where url = '${hostiles.reset!.url}' and sequence = 1`);
      expect(resetRows).toHaveLength(firsts.length);
      for (const row of resetRows) {
        expect(row).toMatchObject({ attempts: 1, status: 'pending' });
        // the schedule's second attempt: 5 s later, stretched by at most 10 %
        expect(row.next_attempt_at - row.updated_at).toBeGreaterThanOrEqual(5000);
        expect(row.next_attempt_at - row.updated_at).toBeLessThanOrEqual(5500);
      }
    } finally {
      clearInterval(pump);
      await Promise.all(ticks);
    }
    const resetBefore = hits.reset;
    await t.gateway.tick();
    expect(hits.reset, 'no retry before the schedule says').toBe(resetBefore);

    // on the schedule: the merchant's test clock moves 6 s, and each reset delivery is tried again
    expect((await t.api('POST', '/v1/sandbox/clock/advance', { body: { seconds: 6 } })).status).toBe(200);
    await t.gateway.tick();
    for (const e of firsts) {
      const attempts = ((await t.api('GET', `/v1/events/${e.id}/deliveries`)).body.data as Attempt[]).filter((a) => a.url === hostiles.reset!.url);
      expect(attempts, 'reset: tried again on the schedule').toHaveLength(2);
      expect(Date.parse(attempts[1]!.attemptedAt) - Date.parse(attempts[0]!.attemptedAt)).toBeGreaterThanOrEqual(5000);
      expect(attempts[1]).toMatchObject({ statusCode: null, error: expect.any(String) });
    }
    expect(hits.redirectTarget, 'the redirect target still saw nothing').toBe(0);
  });
});
