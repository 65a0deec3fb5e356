// `npm run bench`: posgate on a fresh SQLite data dir vs bare Fastify, all on 127.0.0.1.
// `npm run bench -- --pg`: the same, plus posgate on PostgreSQL with 1 and with 2 processes.
// Webhook delivery (scenario C) runs on its own gateway with the background loop on: SQLite, and PostgreSQL ×1 with --pg.
// Delivery alone (scenario D) drains a backlog of due deliveries: SQLite, and PostgreSQL ×1 with --pg.
// Reads of one request (R) at 50 and 400 connections, per set-up; the server's RSS over each run;
// and, once the timed runs are over, the SQL statements and COMMITs of each operation.
// Prints a table and writes the figures to bench/results/latest.json. See bench/README.md.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/config.js';
import { createGateway } from '../src/main.js';
import { startBareServer } from './bare-server.js';
import { runDeliveryDrain, type DrainResult } from './delivery-drain.js';
import { runLifecyclesInThread } from './lifecycle-thread.js';
import { memoryLines, watchMemory, type MemoryReport } from './memory.js';
import { operationsTable, type OperationCounts } from './operations.js';
import { assertLoopbackDatabase, BENCH_PG_URL, checkDatabase, dropSchema, freshSchemaName, redactedUrl } from './postgres.js';
import { startPosgateProcess, type PosgateProcess } from './processes.js';
import {
  busyWhile, combineThroughput, createOneRequest, runOneLifecycle, runThroughput,
  type LifecycleResult, type LifecycleTarget, type ThroughputResult,
} from './scenarios.js';
import { countOnFreshGateway } from './statements.js';
import { runWebhooks, SIGNATURE_SAMPLE_EVERY, startReceiver, WEBHOOK_EVENT_TYPES, type WebhookResult } from './webhooks.js';

const CONNECTIONS = 50;
const LIFECYCLE_WORKERS = 20;
const WEBHOOK_WORKERS = 20;
/** How long the webhook scenario waits, after the last create, for the last event to arrive. */
const WEBHOOK_DRAIN_SECONDS = 60;
/** autocannon fires from one worker thread, so the load generator does not share the server's event loop. */
const AUTOCANNON_WORKERS = 1;
const WARMUP_SECONDS = 1;
const WARMUP_LIFECYCLES = 20;
const PG_PROCESSES = 2;
/** R: GET of one payment request, at each of these connection counts (split across the processes of a set-up). */
const READ_CONNECTIONS = [50, 400] as const;
/** R counts the responses slower than this. */
const SLOW_MS = 1000;
/** D: due deliveries in the backlog (BENCH_DELIVERY_BACKLOG overrides, e.g. smaller while developing). */
const DELIVERY_BACKLOG = positiveInteger('BENCH_DELIVERY_BACKLOG', 20_000);
/** D: how long the drain may take before the run fails (the rate of what arrived by then is still reported). */
const DELIVERY_TIMEOUT_SECONDS = 180;
const RESULTS_DIR = new URL('./results/', import.meta.url);

function benchSeconds(): number {
  const raw = process.env.BENCH_SECONDS;
  if (raw === undefined || raw === '') return 10;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 600) throw new Error(`BENCH_SECONDS must be a number of seconds in (0, 600], got "${raw}"`);
  return seconds;
}

function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

/** `--pg` is the only option (`npm run bench -- --pg`); anything else is refused rather than ignored. */
function wantsPostgres(args: string[]): boolean {
  const unknown = args.filter((arg) => arg !== '--pg');
  if (unknown.length > 0) throw new Error(`unknown option ${unknown.join(' ')}; usage: npm run bench [-- --pg]`);
  return args.includes('--pg');
}

function assertLoopback(url: string, what: string): void {
  const host = new URL(url).hostname;
  if (host !== '127.0.0.1') throw new Error(`${what} listens on ${host}, not 127.0.0.1; refusing to send load there`);
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => `${n >= 100 ? Math.round(n) : Number(n.toFixed(1))} ms`;
const num = (n: number) => (n >= 10 ? int(n) : String(Number(n.toFixed(1))));

function warnIfUnclean(name: string, r: ThroughputResult): string[] {
  const warnings: string[] = [];
  if (r.non2xx > 0) warnings.push(`WARNING: ${name}: ${int(r.non2xx)} non-2xx responses (status counts: ${JSON.stringify(r.statusCodes)})`);
  if (r.errors > 0 || r.timeouts > 0) warnings.push(`WARNING: ${name}: ${int(r.errors)} connection errors, ${int(r.timeouts)} timeouts`);
  if (r.total2xx === 0) throw new Error(`${name}: no 2xx responses at all (status counts: ${JSON.stringify(r.statusCodes)})`);
  return warnings;
}

/**
 * What has to be undone: child processes, gateways, schemas, temp dirs. `add` returns a function
 * that undoes the item now (and only once); whatever is left runs, newest first, at the end, on
 * an error, on SIGINT/SIGTERM and when the watchdog fires.
 */
class Cleanup {
  private readonly tasks: Array<{ name: string; run: () => Promise<void> }> = [];

  add(name: string, undo: () => Promise<void>): () => Promise<void> {
    const task = { name, run: undo };
    this.tasks.push(task);
    return async () => {
      const index = this.tasks.indexOf(task);
      if (index < 0) return;
      this.tasks.splice(index, 1);
      await undo();
    };
  }

  /** How many items are outstanding: `unwind(depth)` later undoes everything added since. */
  get depth(): number {
    return this.tasks.length;
  }

  async unwind(depth = 0): Promise<void> {
    while (this.tasks.length > depth) {
      const task = this.tasks.pop();
      if (!task) break;
      try {
        await task.run();
      } catch (error) {
        process.stderr.write(`bench: cleanup of ${task.name} failed: ${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
  }
}

const cleanup = new Cleanup();

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  cleanup.add(`temp dir ${dir}`, () => rm(dir, { recursive: true, force: true }));
  return dir;
}

interface PosgateFigures {
  create: ThroughputResult;
  /** One autocannon run per process (only when there are several). */
  createPerProcess?: ThroughputResult[];
  lifecycle: LifecycleResult;
  /** R: GET of one payment request, by connection count. */
  reads: ReadFigures;
  /** The JSON body the create run sent (the baseline sends the same). */
  createBody: string;
}

/** R at 50 and 400 connections (for several processes: combined as in A, max and slow counts exact). */
type ReadFigures = Record<(typeof READ_CONNECTIONS)[number], ThroughputResult>;

/** A set-up's figures and the RSS of its server process(es) over the run. */
interface Measured<T> {
  figures: T;
  memory: MemoryReport[];
}

/**
 * A (create payment request, autocannon) and B (full lifecycle) against one or more posgate
 * processes on one database: the connections and lifecycle workers are split evenly across them,
 * and all processes are loaded at the same time.
 */
async function measure(label: string | null, targets: LifecycleTarget[], seconds: number, inThisThread: boolean): Promise<PosgateFigures> {
  const prefix = label === null ? 'bench: ' : `bench: [${label}] `;
  for (const target of targets) await runOneLifecycle(target); // fail fast, with a clear message, if the API does not answer as expected

  const connections = CONNECTIONS / targets.length;
  const createBody = (target: LifecycleTarget) => JSON.stringify({ amount: 1500, currency: 'NZD', terminalId: target.terminalId, allowConcurrent: true });
  const split = targets.length > 1 ? `, ${targets.length} × ${connections} connections` : '';
  process.stderr.write(`${prefix}A  create payment request (autocannon${split})...\n`);
  const runs = await Promise.all(targets.map((target) => runThroughput({
    url: `${target.baseUrl}/v1/payment-requests`, headers: { authorization: `Bearer ${target.secretKey}` }, body: createBody(target),
    connections, seconds, warmupSeconds: WARMUP_SECONDS, workers: AUTOCANNON_WORKERS, inThisThread,
  })));

  process.stderr.write(`${prefix}B  full lifecycle (create, pay, read, refund)...\n`);
  for (let i = 0; i < WARMUP_LIFECYCLES; i++) await runOneLifecycle(targets[i % targets.length] as LifecycleTarget); // warm the pay/read/refund paths
  const { value: lifecycle, busyMs } = await busyWhile(() => runLifecyclesInThread(targets, LIFECYCLE_WORKERS, seconds));
  if (inThisThread && lifecycle.completed > 0) lifecycle.threadMsPerLifecycle = busyMs / lifecycle.completed;

  // R: every process reads the same request (one database); autocannon gets a warm-up run of its own
  const id = await createOneRequest(targets[0] as LifecycleTarget);
  const reads = {} as ReadFigures;
  for (const total of READ_CONNECTIONS) {
    const perTarget = total / targets.length;
    process.stderr.write(`${prefix}R  read one payment request (GET, ${targets.length > 1 ? `${targets.length} × ${perTarget}` : total} connections)...\n`);
    const readRuns = await Promise.all(targets.map((target) => runThroughput({
      url: `${target.baseUrl}/v1/payment-requests/${id}`, method: 'GET', headers: { authorization: `Bearer ${target.secretKey}` },
      connections: perTarget, seconds, warmupSeconds: WARMUP_SECONDS, workers: AUTOCANNON_WORKERS, slowerThanMs: SLOW_MS, inThisThread,
    })));
    reads[total] = readRuns.length > 1 ? combineThroughput(readRuns) : (readRuns[0] as ThroughputResult);
  }

  const body = createBody(targets[0] as LifecycleTarget);
  return targets.length > 1 ? { create: combineThroughput(runs), createPerProcess: runs, lifecycle, reads, createBody: body } : { create: runs[0] as ThroughputResult, lifecycle, reads, createBody: body };
}

/** posgate in this process (createGateway, no background loop), as the bench has always run it. */
async function inProcess(label: string | null, env: Record<string, string>, seconds: number, describe: (baseUrl: string) => string): Promise<Measured<PosgateFigures>> {
  const gateway = await createGateway(loadConfig({ POSGATE_DEMO: 'true', ...env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' }), { background: false });
  const close = cleanup.add('the in-process gateway', () => gateway.close());
  const memory = watchMemory(`${label ?? 'SQLite ×1'}: A, B, R (in-process)`);
  try {
    const baseUrl = await gateway.listen();
    assertLoopback(baseUrl, 'posgate');
    process.stderr.write(`${describe(baseUrl)}\n`);
    const { secretKey, terminalId } = gateway.demo.native;
    const figures = await measure(label, [{ baseUrl, secretKey, terminalId }], seconds, true);
    return { figures, memory: [await memory.stop()] };
  } finally {
    await memory.stop();
    await close();
  }
}

/**
 * C (webhooks) on a gateway of its own, with its background loop on (`background: true`, as
 * `posgate start` runs it): its own commits wake the delivery worker at once.
 */
async function webhooksInProcess(label: string | null, env: Record<string, string>, seconds: number, describe: (baseUrl: string) => string): Promise<Measured<WebhookResult>> {
  const prefix = label === null ? 'bench: ' : `bench: [${label}] `;
  const gateway = await createGateway(loadConfig({ POSGATE_DEMO: 'true', ...env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' }), { background: true });
  const close = cleanup.add('the in-process gateway (webhooks)', () => gateway.close());
  const memory = watchMemory(`${label ?? 'SQLite ×1'}: C webhooks (in-process)`);
  try {
    const baseUrl = await gateway.listen();
    assertLoopback(baseUrl, 'posgate');
    const receiver = await startReceiver();
    const closeReceiver = cleanup.add('the webhook receiver', () => receiver.close());
    try {
      assertLoopback(receiver.url, 'the webhook receiver');
      process.stderr.write(`${describe(baseUrl)}\n`);
      process.stderr.write(`${prefix}C  webhooks (create, delivered to ${receiver.url}, ${WEBHOOK_WORKERS} workers)...\n`);
      const { secretKey, terminalId } = gateway.demo.native;
      const figures = await runWebhooks({ baseUrl, secretKey, terminalId }, receiver, WEBHOOK_WORKERS, seconds, WEBHOOK_DRAIN_SECONDS * 1000);
      return { figures, memory: [await memory.stop()] };
    } finally {
      await closeReceiver();
    }
  } finally {
    await memory.stop();
    await close();
  }
}

/** D (delivery alone) on a database of its own (`env`), with a receiver of its own. */
async function drainInProcess(label: string | null, env: Record<string, string>): Promise<DrainResult> {
  const prefix = label === null ? 'bench: D  ' : `bench: [${label}] D  `;
  const receiver = await startReceiver();
  const closeReceiver = cleanup.add('the webhook receiver (delivery)', () => receiver.close());
  try {
    assertLoopback(receiver.url, 'the webhook receiver');
    return await runDeliveryDrain({
      label: label ?? 'SQLite ×1', env, backlog: DELIVERY_BACKLOG, receiver, timeoutMs: DELIVERY_TIMEOUT_SECONDS * 1000,
      track: (name, undo) => cleanup.add(name, undo), log: (line) => process.stderr.write(`${prefix}${line}\n`),
    });
  } finally {
    await closeReceiver();
  }
}

async function adminCall(baseUrl: string, adminToken: string, method: 'GET' | 'POST', path: string, expected: number): Promise<any> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${adminToken}`, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) },
    ...(method === 'POST' ? { body: '{}' } : {}),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (response.status !== expected) throw new Error(`admin API: ${method} ${path} answered ${response.status}, expected ${expected}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/** Fresh test-mode credentials of the demo merchant, through the admin API of one process. */
async function demoCredentials(baseUrl: string, adminToken: string): Promise<{ secretKey: string; terminalId: string }> {
  const merchants = (await adminCall(baseUrl, adminToken, 'GET', '/admin/v1/merchants?limit=100', 200)).data as Array<{ id: string; name: string }>;
  const demo = merchants.find((m) => m.name === 'Demo merchant') ?? merchants[0];
  if (!demo) throw new Error('admin API: no merchant; the demo merchant should have been made on first start');
  const { native } = await adminCall(baseUrl, adminToken, 'POST', `/admin/v1/merchants/${demo.id}/credentials/native`, 201);
  if (typeof native?.secretKey !== 'string' || typeof native?.terminalId !== 'string') throw new Error(`admin API: no native credentials in ${JSON.stringify(native).slice(0, 300)}`);
  return { secretKey: native.secretKey, terminalId: native.terminalId };
}

/**
 * `PG_PROCESSES` posgate child processes on one PostgreSQL schema, sharing the admin token and the
 * secret key as a production deployment must. The first is started alone (it migrates the schema
 * and makes the demo merchant), then the others.
 */
async function childProcesses(label: string, databaseUrl: string, schema: string, seconds: number): Promise<Measured<PosgateFigures>> {
  const shared = {
    DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema,
    POSGATE_ADMIN_TOKEN: randomBytes(32).toString('hex'), POSGATE_SECRET_KEY: randomBytes(32).toString('hex'),
    PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', POSGATE_DEMO: 'true',
  };
  const processes: PosgateProcess[] = [];
  const stops: Array<() => Promise<void>> = [];
  for (let i = 1; i <= PG_PROCESSES; i++) {
    const dataDir = await tempDir('posgate-bench-');
    const child = await startPosgateProcess(`posgate process ${i}`, { ...shared, DATA_DIR: dataDir });
    stops.push(cleanup.add(`posgate process ${i} (pid ${child.pid})`, () => child.stop()));
    assertLoopback(child.url, `posgate process ${i}`);
    processes.push(child);
  }
  process.stderr.write(`bench: [${label}] posgate processes ${processes.map((p) => `${p.url} (pid ${p.pid})`).join(', ')}, schema ${schema}\n`);
  const credentials = await demoCredentials(processes[0]?.url ?? '', shared.POSGATE_ADMIN_TOKEN);
  const watches = processes.map((p, i) => watchMemory(`${label} process ${i + 1}: A, B, R (pid ${p.pid})`, p.pid));
  const figures = await measure(label, processes.map((p) => ({ baseUrl: p.url, ...credentials })), seconds, false);
  const memory = await Promise.all(watches.map((watch) => watch.stop()));
  await Promise.all(stops.map((stop) => stop()));
  return { figures, memory };
}

/** Runs `work` on a fresh schema of the bench database and drops the schema afterwards, whatever happens. */
async function withSchema<T>(databaseUrl: string, work: (schema: string) => Promise<T>): Promise<T> {
  const schema = freshSchemaName();
  const depth = cleanup.depth;
  cleanup.add(`schema ${schema}`, () => dropSchema(databaseUrl, schema));
  try {
    return await work(schema);
  } finally {
    // newest first: the processes and pools using the schema let go of it before it is dropped
    await cleanup.unwind(depth);
  }
}

/** R's extra figures: the slowest response and how many took over SLOW_MS (timeouts included). */
const readTail = (r: ThroughputResult) => `max ${num(r.latencyMaxMs)} ms, ${int(r.slowResponses ?? 0)} over ${SLOW_MS / 1000} s`;
/** This thread's busy time per response (in-process servers only; '–' for child processes). */
const threadCost = (r: ThroughputResult) => (r.threadMicrosPerRequest === undefined ? '–' : int(r.threadMicrosPerRequest));
const lifecycleCost = (l: LifecycleResult) => (l.threadMsPerLifecycle === undefined ? '–' : l.threadMsPerLifecycle.toFixed(2));
/** D in one cell: events/s, and "(incomplete)" when the time limit ran out first. */
const drainCell = (d: DrainResult) => `${int(d.eventsPerSecond)}${d.complete ? '' : ' (incomplete)'}`;

function table(seconds: number, sqlite: PosgateFigures, bare: ThroughputResult, ratio: number, webhooks: WebhookResult, drain: DrainResult): string {
  const { create, lifecycle } = sqlite;
  const rows = [
    ['create payment request', int(create.requestsPerSecond), 'req/s', ms(create.latencyP50Ms), ms(create.latencyP99Ms)],
    ['full lifecycle', int(lifecycle.perSecond), '/s', ms(lifecycle.latencyP50Ms), ms(lifecycle.latencyP99Ms)],
    ...READ_CONNECTIONS.map((c) => [`read one request, ${c} conn`, int(sqlite.reads[c].requestsPerSecond), 'req/s', ms(sqlite.reads[c].latencyP50Ms), ms(sqlite.reads[c].latencyP99Ms)]),
    ['bare Fastify baseline', int(bare.requestsPerSecond), 'req/s', ms(bare.latencyP50Ms), ms(bare.latencyP99Ms)],
  ];
  const extra = [
    ['posgate / bare', ratio.toFixed(2)],
    ['server thread, µs per create / read (50) / bare', [create, sqlite.reads[50], bare].map(threadCost).join(' / ')],
    ['server thread, ms per lifecycle', lifecycleCost(lifecycle)],
    ['read / bare (50 conn)', (bare.requestsPerSecond > 0 ? sqlite.reads[50].requestsPerSecond / bare.requestsPerSecond : 0).toFixed(2)],
    ...READ_CONNECTIONS.map((c) => [`read, ${c} conn`, readTail(sqlite.reads[c])]),
    ['non-2xx responses', `create ${int(create.non2xx)}, read ${READ_CONNECTIONS.map((c) => int(sqlite.reads[c].non2xx)).join(' / ')}, baseline ${int(bare.non2xx)}`],
    ['webhooks delivered /s', int(webhooks.deliveredPerSecond)],
    ['commit→delivery p50 / p99 ms', `${num(webhooks.latencyP50Ms)} / ${num(webhooks.latencyP99Ms)}`],
    [`delivery alone, ${int(drain.backlog)} backlog`, `${drainCell(drain)} events/s (${num(drain.drainSeconds)} s)`],
  ];
  const width = (i: number) => Math.max(...rows.map((row) => row[i]?.length ?? 0));
  const [, rate, unit, p50, p99] = [0, 1, 2, 3, 4].map(width) as [number, number, number, number, number];
  const name = Math.max(width(0), ...extra.map(([label]) => label?.length ?? 0));
  return [
    `posgate bench (SQLite, ${availableParallelism()} cores, ${CONNECTIONS} connections (reads: ${READ_CONNECTIONS.join(' and ')}), ${seconds} s; lifecycle and webhooks: ${LIFECYCLE_WORKERS} workers)`,
    ...rows.map((row) => `${row[0]?.padEnd(name)}   ${row[1]?.padStart(rate)} ${row[2]?.padEnd(unit)}   p50 ${row[3]?.padStart(p50)}   p99 ${row[4]?.padStart(p99)}`),
    ...extra.map(([label, value]) => `${label?.padEnd(name)}   ${value}`),
  ].join('\n');
}

interface Column {
  title: string;
  figures: PosgateFigures;
  /** Not measured for the two-process set-up. */
  webhooks: WebhookResult | null;
  drain: DrainResult | null;
}

/** The --pg table: one column per set-up, the bare baseline once. */
function sideBySide(seconds: number, columns: Column[], bare: ThroughputResult): string {
  const pair = (a: number, b: number) => `${num(a)} / ${num(b)}`;
  const rows: Array<[string, ...string[]]> = [
    ['', ...columns.map((c) => c.title)],
    ['create  req/s', ...columns.map((c) => int(c.figures.create.requestsPerSecond))],
    ['create  p50 / p99 ms', ...columns.map((c) => pair(c.figures.create.latencyP50Ms, c.figures.create.latencyP99Ms))],
    ['create  non-2xx', ...columns.map((c) => int(c.figures.create.non2xx))],
    ['lifecycle /s', ...columns.map((c) => int(c.figures.lifecycle.perSecond))],
    ['lifecycle p50 / p99 ms', ...columns.map((c) => pair(c.figures.lifecycle.latencyP50Ms, c.figures.lifecycle.latencyP99Ms))],
    ['posgate / bare', ...columns.map((c) => (bare.requestsPerSecond > 0 ? c.figures.create.requestsPerSecond / bare.requestsPerSecond : 0).toFixed(2))],
    ['create  server thread µs each', ...columns.map((c) => threadCost(c.figures.create))],
    ['lifecycle  server thread ms each', ...columns.map((c) => lifecycleCost(c.figures.lifecycle))],
    ...READ_CONNECTIONS.flatMap((n): Array<[string, ...string[]]> => [
      [`read ${n} conn  req/s`, ...columns.map((c) => int(c.figures.reads[n].requestsPerSecond))],
      [`read ${n} conn  p50 / p99 / max ms`, ...columns.map((c) => `${pair(c.figures.reads[n].latencyP50Ms, c.figures.reads[n].latencyP99Ms)} / ${num(c.figures.reads[n].latencyMaxMs)}`)],
      [`read ${n} conn  over ${SLOW_MS / 1000} s`, ...columns.map((c) => int(c.figures.reads[n].slowResponses ?? 0))],
    ]),
    ['read / bare (50 conn)', ...columns.map((c) => (bare.requestsPerSecond > 0 ? c.figures.reads[50].requestsPerSecond / bare.requestsPerSecond : 0).toFixed(2))],
    ['read 50 conn  server thread µs each', ...columns.map((c) => threadCost(c.figures.reads[50]))],
    ['webhooks delivered /s', ...columns.map((c) => (c.webhooks ? int(c.webhooks.deliveredPerSecond) : '–'))],
    ['commit→delivery p50 / p99 ms', ...columns.map((c) => (c.webhooks ? pair(c.webhooks.latencyP50Ms, c.webhooks.latencyP99Ms) : '–'))],
    [`delivery alone events/s (${int(DELIVERY_BACKLOG)})`, ...columns.map((c) => (c.drain ? drainCell(c.drain) : '–'))],
    ['bare Fastify req/s', int(bare.requestsPerSecond)],
    ['bare Fastify p50 / p99 ms', pair(bare.latencyP50Ms, bare.latencyP99Ms)],
    ['bare Fastify server thread µs each', threadCost(bare)],
  ];
  const first = Math.max(...rows.map((row) => row[0].length)) + 2;
  const cell = Math.max(...rows.flatMap((row) => row.slice(1).map((value) => value.length))) + 4;
  return [
    `posgate bench (${availableParallelism()} cores, ${CONNECTIONS} connections, ${seconds} s per run; lifecycle: ${LIFECYCLE_WORKERS} workers)`,
    ...rows.map(([name, ...values]) => `${name.padEnd(first)}${values.map((value) => value.padStart(cell)).join('')}`.trimEnd()),
    '',
    `×${PG_PROCESSES}: ${PG_PROCESSES} posgate processes on one schema, loaded at once (${PG_PROCESSES} autocannon runs of ${CONNECTIONS / PG_PROCESSES} connections,`,
    `    ${LIFECYCLE_WORKERS / PG_PROCESSES} lifecycle workers each); req/s summed; create p50/p99 = the higher of the processes' own`,
    `    (an upper bound of the combined percentile); lifecycle p50/p99 over all lifecycles.`,
    `Webhooks and delivery alone: measured for SQLite ×1 and PostgreSQL ×1 (each on a gateway of its own with its background loop on), not for ×${PG_PROCESSES}.`,
    `Reads: ${READ_CONNECTIONS.join(' and ')} connections (×${PG_PROCESSES}: split across the processes); p50/p99 as for create, max and over ${SLOW_MS / 1000} s exact.`,
  ].join('\n');
}

/** The drain's figures for latest.json; its memory report is in the `memory` list with the others. */
function withoutMemory(drain: DrainResult): Omit<DrainResult, 'memory'> {
  const { memory: _memory, ...rest } = drain;
  return rest;
}

function machine() {
  return { cores: availableParallelism(), cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version, platform: process.platform, arch: process.arch };
}

async function main(args: string[]): Promise<void> {
  const pg = wantsPostgres(args);
  const seconds = benchSeconds();
  // A, B and R per set-up (with warm-ups and start-up), C and D per in-process set-up (with their drains), the baseline
  // and the statement counts: far above the expected run
  const perSetUp = 2 * seconds + 40 + READ_CONNECTIONS.length * (seconds + WARMUP_SECONDS + 10);
  const perInProcess = seconds + WEBHOOK_DRAIN_SECONDS + 40 + DELIVERY_TIMEOUT_SECONDS + 120;
  const limitSeconds = (pg ? 3 : 1) * perSetUp + (pg ? 2 : 1) * perInProcess + seconds + 120;
  setTimeout(() => abandon(`still running after ${limitSeconds} s`, 1), limitSeconds * 1000).unref();
  const databaseUrl = BENCH_PG_URL;
  let maxConnections: number | null = null;
  if (pg) {
    assertLoopbackDatabase(databaseUrl);
    maxConnections = await checkDatabase(databaseUrl); // before anything else: fail in a second, not after the SQLite run
    process.stderr.write(`bench: PostgreSQL at ${redactedUrl(databaseUrl)} (max_connections ${maxConnections})\n`);
  }
  try {
    // posgate's settings come only from here: an exported DATABASE_URL, PUBLIC_URL, ... cannot change what is measured
    const dataDir = await tempDir('posgate-bench-');
    const { figures: sqlite, memory: sqliteMemory } = await inProcess(pg ? 'SQLite ×1' : null, { DATA_DIR: dataDir }, seconds, (baseUrl) =>
      `bench: ${pg ? '[SQLite ×1] ' : ''}posgate on ${baseUrl} (data ${dataDir}), ${seconds} s per scenario`);
    const webhookDataDir = await tempDir('posgate-bench-');
    const { figures: sqliteWebhooks, memory: sqliteWebhooksMemory } = await webhooksInProcess(pg ? 'SQLite ×1' : null, { DATA_DIR: webhookDataDir }, seconds, (baseUrl) =>
      `bench: ${pg ? '[SQLite ×1] ' : ''}posgate with its background loop on ${baseUrl} (data ${webhookDataDir})`);
    const sqliteDrain = await drainInProcess(pg ? 'SQLite ×1' : null, { DATA_DIR: await tempDir('posgate-bench-') });
    const memory: MemoryReport[] = [...sqliteMemory, ...sqliteWebhooksMemory, sqliteDrain.memory];

    let postgres: { oneProcess: PosgateFigures; oneProcessWebhooks: WebhookResult; oneProcessDrain: DrainResult; twoProcesses: PosgateFigures } | null = null;
    if (pg) {
      const oneProcess = await withSchema(databaseUrl, async (schema) => {
        const pgDataDir = await tempDir('posgate-bench-');
        return inProcess('PostgreSQL ×1', { DATA_DIR: pgDataDir, DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema }, seconds, (baseUrl) =>
          `bench: [PostgreSQL ×1] posgate on ${baseUrl} (schema ${schema})`);
      });
      const oneProcessWebhooks = await withSchema(databaseUrl, async (schema) => {
        const pgDataDir = await tempDir('posgate-bench-');
        return webhooksInProcess('PostgreSQL ×1', { DATA_DIR: pgDataDir, DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema }, seconds, (baseUrl) =>
          `bench: [PostgreSQL ×1] posgate with its background loop on ${baseUrl} (schema ${schema})`);
      });
      const oneProcessDrain = await withSchema(databaseUrl, async (schema) =>
        drainInProcess('PostgreSQL ×1', { DATA_DIR: await tempDir('posgate-bench-'), DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema }));
      const twoProcesses = await withSchema(databaseUrl, (schema) => childProcesses(`PostgreSQL ×${PG_PROCESSES}`, databaseUrl, schema, seconds));
      memory.push(...oneProcess.memory, ...oneProcessWebhooks.memory, oneProcessDrain.memory, ...twoProcesses.memory);
      postgres = { oneProcess: oneProcess.figures, oneProcessWebhooks: oneProcessWebhooks.figures, oneProcessDrain, twoProcesses: twoProcesses.figures };
    }

    process.stderr.write('bench: baseline  bare Fastify (autocannon)...\n');
    const bareServer = await startBareServer();
    const closeBare = cleanup.add('the bare Fastify server', () => bareServer.close());
    assertLoopback(bareServer.url, 'bare Fastify');
    const bare = await runThroughput({
      url: `${bareServer.url}/v1/payment-requests`, headers: {}, body: sqlite.createBody,
      connections: CONNECTIONS, seconds, warmupSeconds: WARMUP_SECONDS, workers: AUTOCANNON_WORKERS, inThisThread: true,
    });
    await closeBare();

    // The statements and COMMITs per operation, last: counting wraps the drivers' methods, so no
    // timed run above carries its (small) cost. Each on a fresh gateway, one request at a time.
    process.stderr.write('bench: statements and commits per operation...\n');
    const operations: Array<{ title: string; counts: OperationCounts }> = [
      { title: 'SQLite', counts: await countOnFreshGateway({ DATA_DIR: await tempDir('posgate-bench-') }) },
    ];
    if (pg) {
      const counts = await withSchema(databaseUrl, async (schema) =>
        countOnFreshGateway({ DATA_DIR: await tempDir('posgate-bench-'), DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema }));
      operations.push({ title: 'PostgreSQL', counts });
    }

    const ratioTo = (f: PosgateFigures) => (bare.requestsPerSecond > 0 ? f.create.requestsPerSecond / bare.requestsPerSecond : 0);
    const ratio = ratioTo(sqlite);
    const warnings = [
      ...warnIfUnclean(pg ? 'create payment request (SQLite ×1)' : 'create payment request', sqlite.create),
      ...(postgres ? warnIfUnclean('create payment request (PostgreSQL ×1)', postgres.oneProcess.create) : []),
      ...(postgres ? warnIfUnclean(`create payment request (PostgreSQL ×${PG_PROCESSES})`, postgres.twoProcesses.create) : []),
      ...warnIfUnclean('bare Fastify baseline', bare),
      ...READ_CONNECTIONS.flatMap((c) => [
        ...warnIfUnclean(`read, ${c} connections${pg ? ' (SQLite ×1)' : ''}`, sqlite.reads[c]),
        ...(postgres ? warnIfUnclean(`read, ${c} connections (PostgreSQL ×1)`, postgres.oneProcess.reads[c]) : []),
        ...(postgres ? warnIfUnclean(`read, ${c} connections (PostgreSQL ×${PG_PROCESSES})`, postgres.twoProcesses.reads[c]) : []),
      ]),
    ];
    // a drain that ran out of time fails the run, once its figures are printed and written
    const incomplete = [
      ...(sqliteDrain.complete ? [] : [`SQLite ×1: ${int(sqliteDrain.delivered)} of ${int(sqliteDrain.backlog)}`]),
      ...(postgres && !postgres.oneProcessDrain.complete ? [`PostgreSQL ×1: ${int(postgres.oneProcessDrain.delivered)} of ${int(postgres.oneProcessDrain.backlog)}`] : []),
    ];

    const printed = postgres
      ? sideBySide(seconds, [
          { title: 'SQLite ×1', figures: sqlite, webhooks: sqliteWebhooks, drain: sqliteDrain },
          { title: 'PostgreSQL ×1', figures: postgres.oneProcess, webhooks: postgres.oneProcessWebhooks, drain: postgres.oneProcessDrain },
          { title: `PostgreSQL ×${PG_PROCESSES}`, figures: postgres.twoProcesses, webhooks: null, drain: null },
        ], bare)
      : table(seconds, sqlite, bare, ratio, sqliteWebhooks, sqliteDrain);
    process.stdout.write(`\n${printed}\n`);
    process.stdout.write(`\nSQL per operation (one call each, the second of two rounds)\n${operationsTable(operations)}\n`);
    process.stdout.write(`\nServer RSS, MB (in-process: the whole bench process)\n${memoryLines(memory).join('\n')}\n`);
    for (const warning of warnings) process.stdout.write(`${warning}\n`);

    const settings = {
      storage: pg ? 'sqlite+postgres' : 'sqlite', seconds, connections: CONNECTIONS, warmupSeconds: WARMUP_SECONDS, autocannonWorkers: AUTOCANNON_WORKERS, lifecycleWorkers: LIFECYCLE_WORKERS,
      webhooks: {
        workers: WEBHOOK_WORKERS, eventTypes: WEBHOOK_EVENT_TYPES, drainTimeoutSeconds: WEBHOOK_DRAIN_SECONDS, signatureSampleEvery: SIGNATURE_SAMPLE_EVERY,
        deliveryIntervalMs: loadConfig({}).deliveryIntervalMs,
        latency: 'receiver arrival (wall clock, receiver in a worker thread) minus the event createdAt (taken when the change is applied, just before commit)',
      },
      reads: { connections: READ_CONNECTIONS, slowResponseMs: SLOW_MS, path: 'GET /v1/payment-requests/{id} of one request' },
      deliveryAlone: { backlog: DELIVERY_BACKLOG, timeoutSeconds: DELIVERY_TIMEOUT_SECONDS },
    };
    const results = {
      generatedAt: new Date().toISOString(),
      machine: machine(),
      settings: postgres
        ? {
            ...settings,
            postgres: {
              url: redactedUrl(databaseUrl), maxConnections, poolSizePerProcess: loadConfig({}).databasePoolSize,
              processes: PG_PROCESSES, connectionsPerProcess: CONNECTIONS / PG_PROCESSES, lifecycleWorkersPerProcess: LIFECYCLE_WORKERS / PG_PROCESSES,
              combinedLatency: 'create: the higher of the per-process p50/p99 (an upper bound); lifecycle: percentiles over all lifecycles',
            },
          }
        : settings,
      // the SQLite figures keep the fields they have always had
      createPaymentRequest: sqlite.create,
      lifecycle: sqlite.lifecycle,
      bareFastify: bare,
      ratioPosgateToBare: ratio,
      webhooks: sqliteWebhooks,
      readPaymentRequest: sqlite.reads,
      deliveryAlone: withoutMemory(sqliteDrain),
      ...(postgres
        ? {
            postgres: {
              oneProcess: {
                createPaymentRequest: postgres.oneProcess.create, lifecycle: postgres.oneProcess.lifecycle, ratioPosgateToBare: ratioTo(postgres.oneProcess),
                webhooks: postgres.oneProcessWebhooks,
                readPaymentRequest: postgres.oneProcess.reads, deliveryAlone: withoutMemory(postgres.oneProcessDrain),
              },
              twoProcesses: {
                createPaymentRequest: postgres.twoProcesses.create, createPerProcess: postgres.twoProcesses.createPerProcess,
                lifecycle: postgres.twoProcesses.lifecycle, ratioPosgateToBare: ratioTo(postgres.twoProcesses),
                readPaymentRequest: postgres.twoProcesses.reads,
              },
            },
          }
        : {}),
      statementsPerOperation: Object.fromEntries(operations.map((o) => [o.title, o.counts])),
      memory,
      warnings,
      ...(incomplete.length > 0 ? { failures: [`delivery alone: the backlog did not drain within ${DELIVERY_TIMEOUT_SECONDS} s (${incomplete.join('; ')})`] } : {}),
    };
    await mkdir(RESULTS_DIR, { recursive: true });
    const file = new URL('latest.json', RESULTS_DIR);
    await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(`\nfigures written to bench/results/latest.json\n`);
    if (incomplete.length > 0) throw new Error(`delivery alone: the backlog did not drain within ${DELIVERY_TIMEOUT_SECONDS} s (${incomplete.join('; ')} delivered); the rate printed is of what arrived by then`);
  } finally {
    await cleanup.unwind();
  }
}

/** Ctrl-C, a kill, or a run far past its expected length: undo everything, then leave. */
function abandon(reason: string, code: number): void {
  process.stderr.write(`bench: ${reason}; stopping processes and removing what the bench made...\n`);
  const forced = setTimeout(() => process.exit(code), 15_000);
  forced.unref();
  void cleanup.unwind().finally(() => process.exit(code));
}

process.once('SIGINT', () => abandon('interrupted', 130));
process.once('SIGTERM', () => abandon('terminated', 143));

main(process.argv.slice(2))
  .catch((error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  })
  .finally(() => {
    // Everything is closed; should a stray handle linger, do not let it keep the bench alive.
    setTimeout(() => process.exit(), 5000).unref();
  });
