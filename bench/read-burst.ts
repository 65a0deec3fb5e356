// `npx tsx bench/read-burst.ts [runs] [--create]`: scenario R's hardest part alone, repeated: 400
// connections opened at once against one in-process posgate on SQLite, each reading one payment
// request (with --create: 50 connections creating requests, to see that the turn budget costs the
// creates nothing), for BENCH_SECONDS (default 5) after a 1 s warm-up, `runs` times (default 3).
// Prints per run the rate, p50/p99/max and the responses over 1 s, which the bench's single R run
// shows only once. Two commits are compared by running it back to back, one in a git worktree.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/config.js';
import { createGateway } from '../src/main.js';
import { createLogger } from '../src/observability/logger.js';
import { createOneRequest, runThroughput } from './scenarios.js';

const args = process.argv.slice(2);
const creating = args.includes('--create');
const runs = Number(args.find((arg) => /^\d+$/.test(arg)) ?? 3);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const dataDir = mkdtempSync(join(tmpdir(), 'posgate-burst-'));
try {
  const gateway = await createGateway(loadConfig({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', POSGATE_DEMO: 'true', LOG_LEVEL: 'silent' }), { logger: createLogger('silent'), background: false });
  try {
    const baseUrl = await gateway.listen();
    const { secretKey, terminalId } = gateway.demo.native;
    const headers = { authorization: `Bearer ${secretKey}` };
    const id = await createOneRequest({ baseUrl, secretKey, terminalId });
    const common = { seconds, warmupSeconds: 1, workers: 1, slowerThanMs: 1000, inThisThread: true };
    for (let run = 1; run <= runs; run++) {
      const r = creating
        ? await runThroughput({ ...common, url: `${baseUrl}/v1/payment-requests`, headers, connections: 50, body: JSON.stringify({ amount: 1500, currency: 'NZD', terminalId, allowConcurrent: true }) })
        : await runThroughput({ ...common, url: `${baseUrl}/v1/payment-requests/${id}`, method: 'GET', headers, connections: 400 });
      const cost = r.threadMicrosPerRequest === undefined ? '' : `, server thread ${Math.round(r.threadMicrosPerRequest)} µs each`;
      process.stdout.write(`${creating ? 'create, 50' : 'read, 400'} conn, run ${run}: ${Math.round(r.requestsPerSecond)} req/s, p50 ${r.latencyP50Ms} / p99 ${r.latencyP99Ms} / max ${r.latencyMaxMs} ms, ${r.slowResponses} over 1 s, ${r.non2xx} non-2xx${cost}\n`);
    }
  } finally {
    await gateway.close();
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
