// Scenario D, delivery alone: a backlog of due webhook deliveries drained to a local receiver,
// with nothing else running. It measures the delivery worker's capacity, which scenario C (creates
// and deliveries at once) cannot: there delivered/s is bounded by the create rate.
//
// The backlog is made fast and without the worker: a gateway with its background loop off runs
// the create use case itself (no HTTP), a thousand requests per transaction, each writing its
// request, its `payment_request.created` event and the outbox row exactly as an API create does.
// That gateway is closed, and a second one on the same database is started with its background
// loop on, as `posgate start` after a restart would find the backlog: the clock runs from its
// start to the last arrival at the receiver. Every delivery must arrive, once per event of the
// backlog, with a Standard Webhooks signature that verifies.
import { performance } from 'node:perf_hooks';
import { inTransaction } from '../src/app/unit-of-work.js';
import { authenticate } from '../src/app/use-cases/merchants.js';
import { createPaymentRequest } from '../src/app/use-cases/payment-requests.js';
import { loadConfig } from '../src/config/config.js';
import { createGateway } from '../src/main.js';
import { watchMemory, type MemoryReport } from './memory.js';
import { checkSignature, parse, waitUntil, WEBHOOK_EVENT_TYPES, type Parsed, type Receiver } from './webhooks.js';

/** Requests (each one event, one delivery) per transaction while the backlog is made. */
const BATCH = 1000;
/** Long enough that no request of the backlog expires during the drain (an expiry would be more work). */
const EXPIRES_IN_SECONDS = 3600;

export interface DrainResult {
  /** Due deliveries when the worker started. */
  backlog: number;
  delivered: number;
  /** Deliveries of an event the receiver already had (at-least-once; expected 0). */
  duplicates: number;
  /** delivered ÷ drainSeconds. */
  eventsPerSecond: number;
  /** From the start of the gateway with the worker (its first tick is within one delivery interval) to the last arrival. */
  drainSeconds: number;
  /** From the first arrival to the last. */
  firstToLastSeconds: number;
  /** How long making the backlog took (not part of the figure). */
  backlogSeconds: number;
  /** Every delivery's signature is checked. */
  signaturesChecked: number;
  /** False when the time limit ran out first: the rate is then of what arrived by then, and the bench fails. */
  complete: boolean;
  memory: MemoryReport;
}

export interface DrainRun {
  label: string;
  /** posgate's settings (DATA_DIR, and DATABASE_URL / DATABASE_SCHEMA for PostgreSQL): one database for both gateways. */
  env: Record<string, string>;
  backlog: number;
  receiver: Receiver;
  timeoutMs: number;
  /** Registers something to undo (the bench's cleanup); returns the function that undoes it now. */
  track(name: string, undo: () => Promise<void>): () => Promise<void>;
  log(line: string): void;
}

const configOf = (env: Record<string, string>) => loadConfig({ POSGATE_DEMO: 'true', ...env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' });

async function registerEndpoint(baseUrl: string, secretKey: string, url: string): Promise<string> {
  const response = await fetch(`${baseUrl}/v1/webhook-endpoints`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secretKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ url, eventTypes: WEBHOOK_EVENT_TYPES }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await response.json()) as { secret?: unknown };
  if (response.status !== 201 || typeof body.secret !== 'string') throw new Error(`delivery: registering the receiver answered ${response.status}: ${JSON.stringify(body).slice(0, 300)}`);
  return body.secret;
}

/** Makes the backlog with the worker off; returns the endpoint's secret and the requests made. */
async function makeBacklog(run: DrainRun): Promise<{ secret: string; requests: Set<string>; seconds: number }> {
  const gateway = await createGateway(configOf(run.env), { background: false });
  const close = run.track(`the in-process gateway (delivery backlog, ${run.label})`, () => gateway.close());
  try {
    const baseUrl = await gateway.listen();
    const { secretKey, terminalId } = gateway.demo.native;
    const secret = await registerEndpoint(baseUrl, secretKey, run.receiver.url);
    const caller = await authenticate(gateway.app, secretKey, 'native');
    const requests = new Set<string>();
    const started = performance.now();
    while (requests.size < run.backlog) {
      const count = Math.min(BATCH, run.backlog - requests.size);
      // inTransaction, as the API runs a use case: a transaction that meets a concurrent writer is retried
      // (one at a time: four at once made no difference on PostgreSQL, where making the backlog is CPU-bound here)
      const made = await inTransaction(gateway.app, async (unit) => {
        const ids: string[] = [];
        for (let i = 0; i < count; i++) {
          const { request } = await createPaymentRequest(unit, caller, { amount: 1500, currency: 'NZD', terminalId, allowConcurrent: true, expiresInSeconds: EXPIRES_IN_SECONDS }, 'bench-backlog');
          ids.push(request.id);
        }
        return ids;
      });
      for (const id of made) requests.add(id);
    }
    if (requests.size !== run.backlog) throw new Error(`delivery: the backlog has ${requests.size} requests, expected ${run.backlog}`);
    return { secret, requests, seconds: (performance.now() - started) / 1000 };
  } finally {
    await close();
  }
}

export async function runDeliveryDrain(run: DrainRun): Promise<DrainResult> {
  run.log(`making a backlog of ${run.backlog.toLocaleString('en-US')} due deliveries (worker off)...`);
  const { secret, requests, seconds: backlogSeconds } = await makeBacklog(run);
  const skip = run.receiver.arrivals.length;
  if (skip > 0) throw new Error(`delivery: the receiver got ${skip} deliveries while the worker was off`);

  run.log(`draining to ${run.receiver.url} (worker on)...`);
  const started = Date.now();
  const gateway = await createGateway(configOf(run.env), { background: true });
  const close = run.track(`the in-process gateway (delivery drain, ${run.label})`, () => gateway.close());
  const memory = watchMemory(`${run.label}: D delivery alone (in-process)`);
  let memoryReport: MemoryReport;
  const seen = new Map<string, Parsed>();
  let duplicates = 0;
  try {
    let parsedUpTo = 0;
    const absorb = () => {
      for (; parsedUpTo < run.receiver.arrivals.length; parsedUpTo++) {
        const parsed = parse(run.receiver.arrivals[parsedUpTo]!);
        if (!requests.has(parsed.event.objectId)) throw new Error(`delivery: an event of ${parsed.event.objectId}, a request the backlog did not make`);
        if (parsed.event.type !== 'payment_request.created') throw new Error(`delivery: an event of type ${parsed.event.type}; the endpoint asked only for payment_request.created`);
        if (seen.has(parsed.event.id)) duplicates++;
        else seen.set(parsed.event.id, parsed);
      }
      return seen.size >= requests.size;
    };
    // a drain that runs out of time still reports what arrived by then (the caller fails the run)
    await waitUntil(absorb, run.timeoutMs, () => '').catch(() => undefined);
    absorb();
  } finally {
    memoryReport = await memory.stop();
    await close();
  }

  const deliveries = [...seen.values()];
  const complete = deliveries.length === requests.size;
  if (new Set(deliveries.map((d) => d.event.objectId)).size !== deliveries.length) throw new Error('delivery: two events of one request of the backlog arrived');
  for (const { arrival } of deliveries) checkSignature(arrival, secret);
  const arrivals = deliveries.map((d) => d.arrival.arrivedAt);
  const first = arrivals.length > 0 ? Math.min(...arrivals) : started;
  const last = complete ? Math.max(...arrivals) : started + run.timeoutMs;
  const drainSeconds = (last - started) / 1000;
  return {
    backlog: requests.size,
    delivered: deliveries.length,
    duplicates,
    eventsPerSecond: drainSeconds > 0 ? deliveries.length / drainSeconds : 0,
    drainSeconds,
    firstToLastSeconds: (Math.max(first, ...arrivals) - first) / 1000,
    backlogSeconds,
    signaturesChecked: deliveries.length,
    complete,
    memory: memoryReport,
  };
}
