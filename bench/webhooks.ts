// Scenario C, webhooks: a local receiver on 127.0.0.1 registered as an endpoint of the demo
// merchant; payment requests are created as fast as the API allows while the gateway's own
// background loop delivers their `payment_request.created` events, as in production. Measures
// events delivered per second (first commit → last delivery) and commit → delivery latency.
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { verifySignature } from '../src/delivery/signing.js';
import { percentile, type LifecycleTarget } from './scenarios.js';

/** One event type, so each created request is exactly one delivery. */
export const WEBHOOK_EVENT_TYPES = ['payment_request.created'] as const;
/** Every this-many-th delivery (in arrival order) has its signature checked. */
export const SIGNATURE_SAMPLE_EVERY = 50;
const WARMUP_REQUESTS = 20;
const REQUEST_TIMEOUT_MS = 10_000;

/** What the receiver saw of one request; `arrivedAt` is its wall clock when the body was complete. */
export interface Arrival {
  webhookId: string;
  timestamp: string;
  signature: string;
  body: string;
  arrivedAt: number;
}

export interface Receiver {
  url: string;
  arrivals: Arrival[];
  close(): Promise<void>;
}

// The receiver runs in a worker thread, so its arrival times are not delayed by the gateway and
// the load loops queued on the main thread's event loop. Plain JavaScript: the worker needs no tsx.
const RECEIVER_SOURCE = `
const { createServer } = require('node:http');
const { parentPort } = require('node:worker_threads');
let batch = [];
const flush = () => { if (batch.length > 0) { parentPort.postMessage({ kind: 'arrivals', arrivals: batch }); batch = []; } };
const timer = setInterval(flush, 20);
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const arrivedAt = Date.now();
    res.writeHead(204).end();
    const header = (name) => String(req.headers[name] ?? '');
    batch.push({ webhookId: header('webhook-id'), timestamp: header('webhook-timestamp'), signature: header('webhook-signature'), body: Buffer.concat(chunks).toString('utf8'), arrivedAt });
  });
});
server.keepAliveTimeout = 30000;
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ kind: 'listening', port: server.address().port }));
parentPort.on('message', (message) => {
  if (message !== 'close') return;
  clearInterval(timer);
  flush();
  server.closeAllConnections();
  server.close(() => parentPort.postMessage({ kind: 'closed' }));
});
`;

/** A receiver on 127.0.0.1 (ephemeral port) answering 204 at once to every POST. */
export async function startReceiver(): Promise<Receiver> {
  const worker = new Worker(RECEIVER_SOURCE, { eval: true });
  const arrivals: Arrival[] = [];
  let closed: (() => void) | null = null;
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (message: { kind: string; port?: number; arrivals?: Arrival[] }) => {
      if (message.kind === 'listening') resolve(message.port as number);
      else if (message.kind === 'arrivals') arrivals.push(...(message.arrivals ?? []));
      else if (message.kind === 'closed') closed?.();
    });
  });
  let closing: Promise<void> | null = null;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    arrivals,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          closed = resolve;
          worker.postMessage('close');
          setTimeout(resolve, 2000).unref(); // should it not answer, terminate anyway
        });
        await worker.terminate();
      })();
      return closing;
    },
  };
}

export interface WebhookResult {
  /** Events (unique webhook-ids) delivered per second, from the first commit to the last delivery. */
  deliveredPerSecond: number;
  /** Requests created (each one event). */
  created: number;
  /** Distinct events the receiver got. */
  delivered: number;
  /** Deliveries of an event the receiver already had (at-least-once; expected 0 here). */
  duplicates: number;
  createPerSecond: number;
  /** From the first event's createdAt to the last arrival. */
  spanSeconds: number;
  /** From the end of the create loops to the last arrival: how far delivery lagged behind. */
  drainSeconds: number;
  /** Receiver arrival time minus the event's createdAt (first delivery of each event). */
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMaxMs: number;
  signaturesChecked: number;
  eventTypes: string[];
  workers: number;
}

async function call(target: LifecycleTarget, path: string, expected: number, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${target.baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${target.secretKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await response.text();
  if (response.status !== expected) throw new Error(`webhooks: POST ${path} answered ${response.status}, expected ${expected}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as Record<string, unknown>;
}

async function createRequest(target: LifecycleTarget): Promise<string> {
  const created = await call(target, '/v1/payment-requests', 201, { amount: 1500, currency: 'NZD', terminalId: target.terminalId, allowConcurrent: true });
  if (typeof created.id !== 'string') throw new Error(`webhooks: no id in ${JSON.stringify(created).slice(0, 300)}`);
  return created.id;
}

export interface Parsed {
  arrival: Arrival;
  event: { id: string; type: string; objectId: string; createdAt: string };
}

/** The event a delivery carried; throws if it is not one, or its webhook-id is not the event's id. */
export function parse(arrival: Arrival): Parsed {
  let event: any;
  try {
    event = JSON.parse(arrival.body);
  } catch {
    throw new Error(`webhooks: the receiver got a body that is not JSON: ${arrival.body.slice(0, 200)}`);
  }
  if (typeof event?.id !== 'string' || typeof event?.objectId !== 'string' || typeof event?.createdAt !== 'string') {
    throw new Error(`webhooks: the receiver got something that is not an event: ${arrival.body.slice(0, 200)}`);
  }
  if (event.id !== arrival.webhookId) throw new Error(`webhooks: webhook-id ${arrival.webhookId} is not the event id ${event.id}`);
  return { arrival, event };
}

/** Throws unless the delivery's Standard Webhooks signature verifies with the endpoint's secret (at its arrival time). */
export function checkSignature(arrival: Arrival, secret: string): void {
  const ok = verifySignature({
    id: arrival.webhookId, timestamp: arrival.timestamp, body: arrival.body, signatureHeader: arrival.signature, secret,
    nowSeconds: Math.floor(arrival.arrivedAt / 1000),
  });
  if (!ok) throw new Error(`webhooks: the signature of event ${arrival.webhookId} does not verify (webhook-signature: ${arrival.signature})`);
}

/** Resolves once `done()` holds, checking every 20 ms; throws `timeoutMessage()` after `timeoutMs`. */
export async function waitUntil(done: () => boolean, timeoutMs: number, timeoutMessage: () => string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(timeoutMessage());
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Registers the receiver, warms up (20 requests, delivered), then `workers` loops create requests
 * for `seconds` and the run waits (at most `drainTimeoutMs`) until every event has arrived. Throws
 * on any unexpected API answer, a missing event, an event of another request, or a sampled
 * signature that does not verify.
 */
export async function runWebhooks(target: LifecycleTarget, receiver: Receiver, workers: number, seconds: number, drainTimeoutMs: number): Promise<WebhookResult> {
  const endpoint = await call(target, '/v1/webhook-endpoints', 201, { url: receiver.url, eventTypes: WEBHOOK_EVENT_TYPES });
  const secret = endpoint.secret;
  if (typeof secret !== 'string') throw new Error(`webhooks: no secret in ${JSON.stringify(endpoint).slice(0, 300)}`);

  // warm-up: the create and the delivery paths, not counted
  const warmup = new Set<string>();
  for (let i = 0; i < WARMUP_REQUESTS; i++) warmup.add(await createRequest(target));
  await waitUntil(() => receiver.arrivals.length >= WARMUP_REQUESTS, 30_000, () => `webhooks: warm-up: ${receiver.arrivals.length} of ${WARMUP_REQUESTS} events arrived within 30 s`);
  const skip = receiver.arrivals.length;

  const created = new Set<string>();
  let failure: unknown = null;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const worker = async () => {
    while (failure === null && performance.now() < deadline) {
      try {
        created.add(await createRequest(target));
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  if (failure !== null) throw failure;
  if (created.size === 0) throw new Error(`webhooks: no request was created in ${seconds} s`);
  const createdAtEnd = Date.now();
  const createSeconds = (performance.now() - started) / 1000;

  // every created request's event, once: counted by distinct webhook-id
  const seen = new Map<string, Parsed>();
  let duplicates = 0;
  let parsedUpTo = skip;
  const absorb = () => {
    for (; parsedUpTo < receiver.arrivals.length; parsedUpTo++) {
      const parsed = parse(receiver.arrivals[parsedUpTo] as Arrival);
      if (warmup.has(parsed.event.objectId)) continue; // a late duplicate of a warm-up event
      if (!created.has(parsed.event.objectId)) throw new Error(`webhooks: an event of ${parsed.event.objectId}, a request this run did not create`);
      if (parsed.event.type !== 'payment_request.created') throw new Error(`webhooks: an event of type ${parsed.event.type}; the endpoint asked only for payment_request.created`);
      if (seen.has(parsed.event.id)) duplicates++;
      else seen.set(parsed.event.id, parsed);
    }
    return seen.size >= created.size;
  };
  await waitUntil(absorb, drainTimeoutMs, () =>
    `webhooks: ${seen.size} of ${created.size} events arrived within ${Math.round(drainTimeoutMs / 1000)} s of the last create`);

  const deliveries = [...seen.values()];
  let signaturesChecked = 0;
  deliveries.forEach(({ arrival }, i) => {
    if (i % SIGNATURE_SAMPLE_EVERY !== 0) return;
    checkSignature(arrival, secret);
    signaturesChecked++;
  });

  const latencies = deliveries.map(({ arrival, event }) => arrival.arrivedAt - Date.parse(event.createdAt));
  const firstCommit = Math.min(...deliveries.map(({ event }) => Date.parse(event.createdAt)));
  const lastDelivery = Math.max(...deliveries.map(({ arrival }) => arrival.arrivedAt));
  const spanSeconds = (lastDelivery - firstCommit) / 1000;
  return {
    deliveredPerSecond: spanSeconds > 0 ? deliveries.length / spanSeconds : 0,
    created: created.size,
    delivered: deliveries.length,
    duplicates,
    createPerSecond: created.size / createSeconds,
    spanSeconds,
    drainSeconds: Math.max(0, (lastDelivery - createdAtEnd) / 1000),
    latencyP50Ms: percentile(latencies, 50),
    latencyP99Ms: percentile(latencies, 99),
    latencyMaxMs: Math.max(...latencies),
    signaturesChecked,
    eventTypes: [...WEBHOOK_EVENT_TYPES],
    workers,
  };
}
