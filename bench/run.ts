// `npm run bench`: posgate on a fresh SQLite data dir vs bare Fastify, all on 127.0.0.1.
// Prints a table and writes the figures to bench/results/latest.json. See bench/README.md.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/config.js';
import { createGateway, type Gateway } from '../src/main.js';
import { startBareServer, type BareServer } from './bare-server.js';
import { runLifecycles, runOneLifecycle, runThroughput, type LifecycleResult, type ThroughputResult } from './scenarios.js';

const CONNECTIONS = 50;
const LIFECYCLE_WORKERS = 20;
/** autocannon fires from one worker thread, so the load generator does not share the server's event loop. */
const AUTOCANNON_WORKERS = 1;
const WARMUP_SECONDS = 1;
const RESULTS_DIR = new URL('./results/', import.meta.url);

function benchSeconds(): number {
  const raw = process.env.BENCH_SECONDS;
  if (raw === undefined || raw === '') return 10;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 600) throw new Error(`BENCH_SECONDS must be a number of seconds in (0, 600], got "${raw}"`);
  return seconds;
}

function assertLoopback(url: string, what: string): void {
  const host = new URL(url).hostname;
  if (host !== '127.0.0.1') throw new Error(`${what} listens on ${host}, not 127.0.0.1; refusing to send load there`);
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => `${n >= 100 ? Math.round(n) : Number(n.toFixed(1))} ms`;

function warnIfUnclean(name: string, r: ThroughputResult): string[] {
  const warnings: string[] = [];
  if (r.non2xx > 0) warnings.push(`WARNING: ${name}: ${int(r.non2xx)} non-2xx responses (status counts: ${JSON.stringify(r.statusCodes)})`);
  if (r.errors > 0 || r.timeouts > 0) warnings.push(`WARNING: ${name}: ${int(r.errors)} connection errors, ${int(r.timeouts)} timeouts`);
  if (r.total2xx === 0) throw new Error(`${name}: no 2xx responses at all (status counts: ${JSON.stringify(r.statusCodes)})`);
  return warnings;
}

function table(seconds: number, create: ThroughputResult, lifecycle: LifecycleResult, bare: ThroughputResult, ratio: number): string {
  const rows = [
    ['create payment request', int(create.requestsPerSecond), 'req/s', ms(create.latencyP50Ms), ms(create.latencyP99Ms)],
    ['full lifecycle', int(lifecycle.perSecond), '/s', ms(lifecycle.latencyP50Ms), ms(lifecycle.latencyP99Ms)],
    ['bare Fastify baseline', int(bare.requestsPerSecond), 'req/s', ms(bare.latencyP50Ms), ms(bare.latencyP99Ms)],
  ];
  const width = (i: number) => Math.max(...rows.map((row) => row[i]?.length ?? 0));
  const [name, rate, unit, p50, p99] = [0, 1, 2, 3, 4].map(width) as [number, number, number, number, number];
  return [
    `posgate bench (SQLite, ${availableParallelism()} cores, ${CONNECTIONS} connections, ${seconds} s; lifecycle: ${LIFECYCLE_WORKERS} workers)`,
    ...rows.map((row) => `${row[0]?.padEnd(name)}   ${row[1]?.padStart(rate)} ${row[2]?.padEnd(unit)}   p50 ${row[3]?.padStart(p50)}   p99 ${row[4]?.padStart(p99)}`),
    `${'posgate / bare'.padEnd(name)}   ${ratio.toFixed(2)}`,
    `${'non-2xx responses'.padEnd(name)}   create ${int(create.non2xx)}, baseline ${int(bare.non2xx)}`,
  ].join('\n');
}

async function main(): Promise<void> {
  const seconds = benchSeconds();
  const dataDir = await mkdtemp(join(tmpdir(), 'posgate-bench-'));
  let gateway: Gateway | null = null;
  let bareServer: BareServer | null = null;
  try {
    // DATABASE_URL is cleared so an exported one cannot swap the storage under the bench.
    const config = loadConfig({ ...process.env, DATABASE_URL: undefined, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' });
    gateway = await createGateway(config, { background: false });
    const baseUrl = await gateway.listen();
    assertLoopback(baseUrl, 'posgate');
    const { secretKey, terminalId } = gateway.demo.native;
    const target = { baseUrl, secretKey, terminalId };
    const createBody = JSON.stringify({ amount: 1500, currency: 'NZD', terminalId, allowConcurrent: true });
    const throughputRun = { headers: {}, body: createBody, connections: CONNECTIONS, seconds, warmupSeconds: WARMUP_SECONDS, workers: AUTOCANNON_WORKERS };

    process.stderr.write(`bench: posgate on ${baseUrl} (data ${dataDir}), ${seconds} s per scenario\n`);
    await runOneLifecycle(target); // fail fast, with a clear message, if the API does not answer as expected

    process.stderr.write('bench: A  create payment request (autocannon)...\n');
    const create = await runThroughput({ ...throughputRun, url: `${baseUrl}/v1/payment-requests`, headers: { authorization: `Bearer ${secretKey}` } });

    process.stderr.write('bench: B  full lifecycle (create, pay, read, refund)...\n');
    for (let i = 0; i < 20; i++) await runOneLifecycle(target); // warm the pay/read/refund paths
    const lifecycle = await runLifecycles(target, LIFECYCLE_WORKERS, seconds);

    await gateway.close();
    gateway = null;

    process.stderr.write('bench: baseline  bare Fastify (autocannon)...\n');
    bareServer = await startBareServer();
    assertLoopback(bareServer.url, 'bare Fastify');
    const bare = await runThroughput({ ...throughputRun, url: `${bareServer.url}/v1/payment-requests` });
    await bareServer.close();
    bareServer = null;

    const ratio = bare.requestsPerSecond > 0 ? create.requestsPerSecond / bare.requestsPerSecond : 0;
    const warnings = [...warnIfUnclean('create payment request', create), ...warnIfUnclean('bare Fastify baseline', bare)];

    process.stdout.write(`\n${table(seconds, create, lifecycle, bare, ratio)}\n`);
    for (const warning of warnings) process.stdout.write(`${warning}\n`);

    const results = {
      generatedAt: new Date().toISOString(),
      machine: { cores: availableParallelism(), cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version, platform: process.platform, arch: process.arch },
      settings: { storage: 'sqlite', seconds, connections: CONNECTIONS, warmupSeconds: WARMUP_SECONDS, autocannonWorkers: AUTOCANNON_WORKERS, lifecycleWorkers: LIFECYCLE_WORKERS },
      createPaymentRequest: create,
      lifecycle,
      bareFastify: bare,
      ratioPosgateToBare: ratio,
      warnings,
    };
    await mkdir(RESULTS_DIR, { recursive: true });
    const file = new URL('latest.json', RESULTS_DIR);
    await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(`\nfigures written to bench/results/latest.json\n`);
  } finally {
    await gateway?.close().catch(() => undefined);
    await bareServer?.close().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  }
}

main()
  .catch((error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  })
  .finally(() => {
    // Everything is closed; should a stray handle linger, do not let it keep the bench alive.
    setTimeout(() => process.exit(), 5000).unref();
  });
