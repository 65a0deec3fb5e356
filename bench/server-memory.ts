// The server's own memory under the webhook load of scenario C, apart from the bench's: posgate in a
// child process (SQLite, its background loop delivering), a receiver that keeps nothing, 20 create
// loops for BENCH_SECONDS (60 by default), then the drain. Every 5 s it reads the child's RSS and
// V8 heap in use from its /metrics. run.ts's C keeps every delivery it receives in the bench's own
// process, so its whole-process RSS cannot tell the server's memory from the receiver's record.
//
//   BENCH_SECONDS=60 npx tsx bench/server-memory.ts
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPosgateProcess } from './processes.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const LOOPS = 20;
const SAMPLE_MS = 5000;
const MB = 1024 * 1024;

async function call(url: string, key: string, method: string, body?: unknown): Promise<any> {
  const response = await fetch(url, {
    method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${url} answered ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/** The child's resident set and V8 heap in use, in MB, from its Prometheus metrics. */
async function memoryOf(baseUrl: string): Promise<{ rss: number; heap: number }> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN) / MB;
  return { rss: value('posgate_process_resident_memory_bytes'), heap: value('posgate_nodejs_heap_size_used_bytes') };
}

async function main(): Promise<void> {
  let received = 0;
  const receiver = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      received++;
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((listening) => receiver.listen(0, '127.0.0.1', listening));
  const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  const dataDir = await mkdtemp(join(tmpdir(), 'posgate-memory-'));
  const adminToken = randomBytes(32).toString('hex');
  const child = await startPosgateProcess('posgate', {
    DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', POSGATE_DEMO: 'true',
    POSGATE_ADMIN_TOKEN: adminToken, POSGATE_SECRET_KEY: randomBytes(32).toString('hex'),
  });
  try {
    const merchants = (await call(`${child.url}/admin/v1/merchants?limit=10`, adminToken, 'GET')).data as Array<{ id: string }>;
    const { native } = await call(`${child.url}/admin/v1/merchants/${merchants[0]!.id}/credentials/native`, adminToken, 'POST', {});
    await call(`${child.url}/v1/webhook-endpoints`, native.secretKey, 'POST', { url: hook, eventTypes: ['payment_request.created'] });

    const samples: Array<{ at: number; rss: number; heap: number }> = [];
    const started = Date.now();
    const sample = async () => samples.push({ at: (Date.now() - started) / 1000, ...(await memoryOf(child.url)) });
    await sample();
    const sampler = setInterval(() => void sample(), SAMPLE_MS);
    let created = 0;
    const deadline = started + SECONDS * 1000;
    await Promise.all(Array.from({ length: LOOPS }, async () => {
      while (Date.now() < deadline) {
        await call(`${child.url}/v1/payment-requests`, native.secretKey, 'POST', { amount: 1500, currency: 'NZD', terminalId: native.terminalId, allowConcurrent: true });
        created++;
      }
    }));
    const drainUntil = Date.now() + 60_000;
    while (received < created && Date.now() < drainUntil) await new Promise((wait) => setTimeout(wait, 100));
    clearInterval(sampler);
    await sample();

    process.stdout.write(`posgate server memory (SQLite, child process, ${LOOPS} create loops for ${SECONDS} s, each request's event delivered to a receiver that keeps nothing)\n`);
    process.stdout.write(`created ${created}, delivered ${received}${received < created ? ' (the drain timed out)' : ''}\n`);
    process.stdout.write(`${'s'.padStart(6)}${'RSS MB'.padStart(10)}${'heap MB'.padStart(10)}\n`);
    for (const s of samples) process.stdout.write(`${s.at.toFixed(0).padStart(6)}${s.rss.toFixed(0).padStart(10)}${s.heap.toFixed(0).padStart(10)}\n`);
    if (received < created) process.exitCode = 1;
  } finally {
    await child.stop();
    receiver.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
