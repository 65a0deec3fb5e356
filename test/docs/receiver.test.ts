// The README's webhook receiver (a `js no-run` block: it is a server, so the snippet run cannot
// run it) run for real: as pasted, with only its port moved to a free one, it verifies what posgate
// signs (and prints the event type), and refuses a body whose signature does not match.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBody, startGateway, type TestGateway } from '../harness.js';
import { ROOT } from '../cli/spawn-cli.js';
import { allSnippets, JS } from './snippets.js';
import { freePort } from '../support/ports.js';

const RECEIVER = allSnippets(ROOT).find((s) => s.file === 'README.md' && JS.has(s.lang) && s.code.includes('createServer') && s.code.includes('webhook-signature'));


/** Resolves once something accepts connections on the port (the receiver has started listening). */
async function accepting(port: number, child: ChildProcess): Promise<void> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the receiver exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => { socket.destroy(); resolve(true); });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('the README webhook receiver', { timeout: 120_000 }, () => {
  let t: TestGateway;
  let dir: string;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    t = await startGateway();
    dir = mkdtempSync(join(tmpdir(), 'posgate-receiver-'));
  });

  afterAll(async () => {
    child?.kill();
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is in the README, marked no-run, listening on 3000', () => {
    expect(RECEIVER).toBeDefined();
    expect(RECEIVER!.flags).toContain('no-run');
    expect(RECEIVER!.code).toContain('.listen(3000,');
  });

  it('run as pasted, it verifies posgate\'s signed deliveries and refuses a forged one', async () => {
    const port = await freePort();
    const file = join(dir, 'receiver.mjs');
    writeFileSync(file, RECEIVER!.code.replace('.listen(3000,', `.listen(${port},`));
    const endpoint = await t.api('POST', '/v1/webhook-endpoints', { body: { url: `http://127.0.0.1:${port}/hooks`, eventTypes: ['payment_request.cancelled'] } });
    expect(endpoint.status).toBe(201);

    let stdout = '';
    child = spawn(process.execPath, [file], { env: { PATH: process.env.PATH, WEBHOOK_SECRET: endpoint.body.secret } });
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    await accepting(port, child);

    // a forged delivery: right headers, wrong signature
    const forged = await fetch(`http://127.0.0.1:${port}/hooks`, {
      method: 'POST', body: '{"type":"payment_request.succeeded"}',
      headers: { 'webhook-id': 'evt_forged', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': 'v1,' + Buffer.alloc(32).toString('base64') },
    });
    expect(forged.status).toBe(401);

    const { body: pr } = await t.api('POST', '/v1/payment-requests', { body: createBody(t, { allowConcurrent: true }) });
    expect((await t.api('POST', `/v1/payment-requests/${pr.id}/cancel`)).status).toBe(200);
    await t.gateway.tick();
    const event = (await t.api('GET', `/v1/payment-requests/${pr.id}/events`)).body.data.find((e: { type: string }) => e.type === 'payment_request.cancelled');
    const attempts = (await t.api('GET', `/v1/events/${event.id}/deliveries`)).body.data as { statusCode: number | null; url: string }[];
    expect(attempts.filter((a) => a.url.includes(`:${port}/`)).map((a) => a.statusCode)).toEqual([204]);
    // it prints after answering: wait for its output (its pipe may trail the HTTP answer)
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no output from the receiver: ${JSON.stringify(stdout)}`)), 30_000);
      const check = () => {
        if (!stdout.includes('\n')) return;
        clearTimeout(timer);
        resolve();
      };
      child!.stdout!.on('data', check);
      check();
    });
    expect(stdout).toBe('payment_request.cancelled\n');
  });
});
