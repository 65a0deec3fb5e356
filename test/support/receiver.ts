// A webhook receiver on 127.0.0.1 for tests: records every request and answers as told.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  /** The path and query string the request was sent to. */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: any;
  at: number;
}

export type Answer = { status: number; headers?: Record<string, string>; body?: string; delayMs?: number };

export interface Receiver {
  url: string;
  received: Received[];
  /** Decides each answer (default 200); called with the index of the request (0-based). */
  answer: (index: number, request: Received) => Answer;
  /** Resolves when `count` requests have arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startReceiver(answer: Receiver['answer'] = () => ({ status: 200 }), port = 0): Promise<Receiver> {
  const waiters: { count: number; resolve: () => void }[] = [];
  const receiver = { received: [] as Received[], answer } as Receiver;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown = null;
      try { json = JSON.parse(body); } catch { /* keep null */ }
      const record: Received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, json, at: Date.now() };
      const index = receiver.received.push(record) - 1;
      for (const w of waiters.filter((x) => receiver.received.length >= x.count)) w.resolve();
      const reply = receiver.answer(index, record);
      const send = () => { res.writeHead(reply.status, reply.headers); res.end(reply.body ?? ''); };
      if (reply.delayMs) setTimeout(send, reply.delayMs).unref(); else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  receiver.waitFor = (count, timeoutMs = 10_000) => new Promise((resolve, reject) => {
    if (receiver.received.length >= count) return resolve(receiver.received.slice(0, count));
    const timer = setTimeout(() => reject(new Error(`receiver got ${receiver.received.length} of ${count} requests`)), timeoutMs);
    waiters.push({ count, resolve: () => { clearTimeout(timer); resolve(receiver.received.slice(0, count)); } });
  });
  receiver.close = () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
  return receiver;
}

/**
 * Runs `tick` (a gateway's due deliveries) until `matching()` has `count` requests, ten ticks at
 * most, and returns what matched: no waiting on a clock, the deliveries are run as they fall due.
 */
export async function deliverUntil(tick: () => Promise<void>, matching: () => Received[], count: number): Promise<Received[]> {
  for (let i = 0; i < 10 && matching().length < count; i += 1) await tick();
  return matching();
}
