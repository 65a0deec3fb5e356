// The load runners: an autocannon throughput run, and the concurrent create → pay → read → refund loop.
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';

/** autocannon's setupClient module that counts slow responses (it runs in autocannon's worker thread). */
const SLOW_RESPONSES_MODULE = fileURLToPath(new URL('./slow-responses.cjs', import.meta.url));

export interface ThroughputResult {
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** The slowest response (autocannon's max). */
  latencyMaxMs: number;
  /** Responses slower than `slowerThanMs` plus timeouts (only when the run asked for the count). */
  slowResponses?: number;
  total2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Status code → count, to explain any non-2xx. */
  statusCodes: Record<string, number>;
  /** µs this thread was busy per response, when the server runs in it (`inThisThread`). */
  threadMicrosPerRequest?: number;
}

export interface ThroughputRun {
  url: string;
  /** Default POST (with `body`). */
  method?: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  connections: number;
  seconds: number;
  warmupSeconds: number;
  /** Worker threads firing the requests (at least 1 when `slowerThanMs` is set). */
  workers: number;
  /** Count the responses slower than this (ms), e.g. 1000; the measured run only, not the warm-up. */
  slowerThanMs?: number;
  /** The server runs in this thread (the load in autocannon's workers): report its busy time per response. */
  inThisThread?: boolean;
}

/**
 * `run`, and how long this thread was busy meanwhile (its event loop's active time, synchronous
 * SQLite and its fsyncs included). With the server alone in this thread, that is the server's
 * cost per operation: it tells a request that waits (unchanged) from one that costs more (higher),
 * though on a VM whose speed varies it varies as much as a rate.
 */
export async function busyWhile<T>(run: () => Promise<T>): Promise<{ value: T; busyMs: number }> {
  const start = performance.eventLoopUtilization();
  const value = await run();
  return { value, busyMs: performance.eventLoopUtilization(start).active };
}

/** Seconds before autocannon gives up on a request (counted as a timeout, and as slow). */
const TIMEOUT_SECONDS = 10;

/** Sends `method` (POST `body` by default) to `url` from `connections` connections for `seconds` after a short warm-up. */
export async function runThroughput(run: ThroughputRun): Promise<ThroughputResult> {
  const method = run.method ?? 'POST';
  const base = {
    url: run.url,
    method,
    headers: { ...(method === 'POST' ? { 'content-type': 'application/json' } : {}), ...run.headers },
    ...(run.body === undefined ? {} : { body: run.body }),
    connections: run.connections,
    timeout: TIMEOUT_SECONDS,
    ...(run.workers > 0 ? { workers: run.workers } : {}),
  };
  if (run.workers < 1 && (run.slowerThanMs !== undefined || run.inThisThread))
    throw new Error('runThroughput: slowerThanMs and inThisThread need autocannon workers (the load must not run in this thread)');
  // the warm-up is a run of its own: the slow count (taken by a setupClient module in the worker
  // thread, bench/slow-responses.cjs) and this thread's busy time cover the measured run only
  if (run.warmupSeconds > 0) await autocannon({ ...base, duration: run.warmupSeconds });
  const slow = run.slowerThanMs === undefined ? null : new Int32Array(new SharedArrayBuffer(4));
  const counting = slow ? { setupClient: SLOW_RESPONSES_MODULE, slowResponses: { counter: slow.buffer, thresholdMs: run.slowerThanMs } } : {};
  const { value: result, busyMs } = await busyWhile(() => autocannon({ ...base, duration: run.seconds, ...counting }));
  const responses = result['2xx'] + result.non2xx;
  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, stat]) => [code, stat.count]));
  return {
    requestsPerSecond: result.requests.average,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    latencyMaxMs: result.latency.max,
    ...(slow ? { slowResponses: Atomics.load(slow, 0) + result.timeouts } : {}),
    total2xx: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    ...(run.inThisThread && responses > 0 ? { threadMicrosPerRequest: (busyMs * 1000) / responses } : {}),
  };
}

/**
 * Several autocannon runs that ran at the same time (one per posgate process) as one figure:
 * requests/s and counts are summed. autocannon returns percentiles, not its histogram, so the
 * combined p50 and p99 are the higher of the runs' own: an upper bound of the merged percentile
 * (at least 99 % of each run's requests, hence of all of them, took no longer than the larger p99).
 */
export function combineThroughput(results: ThroughputResult[]): ThroughputResult {
  if (results.length === 0) throw new Error('combineThroughput: no results');
  const sum = (pick: (r: ThroughputResult) => number) => results.reduce((total, r) => total + pick(r), 0);
  const statusCodes: Record<string, number> = {};
  for (const r of results) for (const [code, count] of Object.entries(r.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + count;
  return {
    requestsPerSecond: sum((r) => r.requestsPerSecond),
    latencyP50Ms: Math.max(...results.map((r) => r.latencyP50Ms)),
    latencyP99Ms: Math.max(...results.map((r) => r.latencyP99Ms)),
    latencyMaxMs: Math.max(...results.map((r) => r.latencyMaxMs)),
    ...(results.every((r) => r.slowResponses !== undefined) ? { slowResponses: sum((r) => r.slowResponses ?? 0) } : {}),
    total2xx: sum((r) => r.total2xx),
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    statusCodes,
  };
}

export interface LifecycleTarget {
  baseUrl: string;
  secretKey: string;
  terminalId: string;
}

export interface LifecycleResult {
  perSecond: number;
  completed: number;
  elapsedSeconds: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** ms the server's thread was busy per lifecycle, when the server runs in the bench's main thread. */
  threadMsPerLifecycle?: number;
}

export class UnexpectedResponse extends Error {}

const REQUEST_TIMEOUT_MS = 10_000;

async function call(target: LifecycleTarget, step: string, method: 'GET' | 'POST', path: string, expected: number, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${target.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${target.secretKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await response.text();
  if (response.status !== expected) {
    throw new UnexpectedResponse(`${step}: ${method} ${path} answered ${response.status}, expected ${expected}: ${text.slice(0, 300)}`);
  }
  return JSON.parse(text) as Record<string, unknown>;
}

/** One payment request (201 expected); its id. */
export async function createOneRequest(target: LifecycleTarget): Promise<string> {
  const created = await call(target, 'create', 'POST', '/v1/payment-requests', 201, { amount: 1500, currency: 'NZD', terminalId: target.terminalId, allowConcurrent: true });
  if (typeof created.id !== 'string') throw new UnexpectedResponse(`create: no id in ${JSON.stringify(created).slice(0, 300)}`);
  return created.id;
}

/** One create → sandbox pay (approve) → read → partial refund; throws on any unexpected answer. */
export async function runOneLifecycle(target: LifecycleTarget): Promise<void> {
  const created = await call(target, 'create', 'POST', '/v1/payment-requests', 201, { amount: 1500, currency: 'NZD', terminalId: target.terminalId, allowConcurrent: true });
  const id = created.id;
  if (typeof id !== 'string') throw new UnexpectedResponse(`create: no id in ${JSON.stringify(created).slice(0, 300)}`);
  const paid = await call(target, 'pay', 'POST', `/v1/sandbox/payment-requests/${id}/pay`, 200, { outcome: 'approve' });
  if (paid.status !== 'succeeded') throw new UnexpectedResponse(`pay: ${id} is ${String(paid.status)}, expected succeeded`);
  await call(target, 'read', 'GET', `/v1/payment-requests/${id}`, 200);
  await call(target, 'refund', 'POST', `/v1/payment-requests/${id}/refunds`, 201, { amount: 500, reference: 'r1' });
}

/** Nearest-rank percentile of unsorted samples (0 when there are none). */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? 0;
}

/**
 * `workers` loops run lifecycles back to back for `seconds`; the first failure stops them all and is
 * thrown. With several targets (one per posgate process), loop i runs against target i mod n.
 */
export async function runLifecycles(target: LifecycleTarget | LifecycleTarget[], workers: number, seconds: number): Promise<LifecycleResult> {
  const targets = Array.isArray(target) ? target : [target];
  if (targets.length === 0) throw new Error('runLifecycles: no target');
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let failure: unknown = null;

  const worker = async (own: LifecycleTarget) => {
    while (failure === null && performance.now() < deadline) {
      const t0 = performance.now();
      try {
        await runOneLifecycle(own);
      } catch (error) {
        failure ??= error;
        return;
      }
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, i) => worker(targets[i % targets.length] as LifecycleTarget)));
  if (failure !== null) throw failure;

  const elapsedSeconds = (performance.now() - started) / 1000;
  return {
    perSecond: latencies.length / elapsedSeconds,
    completed: latencies.length,
    elapsedSeconds,
    latencyP50Ms: percentile(latencies, 50),
    latencyP99Ms: percentile(latencies, 99),
  };
}
