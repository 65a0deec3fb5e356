// A client that stops sending mid-request (a body shorter than its Content-Length, headers never
// finished) is answered 408 and cut off after REQUEST_TIMEOUT_MS, rather than hold its connection
// and the server's memory forever; a request that has arrived may take as long as its answer needs
// (a long-poll), and nothing of a cut-off request is written.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBody, snapshotCounts, startGateway, type TestGateway } from '../harness.js';

const TIMEOUT_MS = 300;

/** Writes `head` (and no more) on a raw connection; resolves with everything the server sent until it closed. */
function sendAndWait(url: string, head: string): Promise<{ text: string; ms: number }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(Number(port), hostname, () => socket.write(head));
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    socket.on('error', reject);
    socket.on('close', () => resolve({ text, ms: Date.now() - started }));
    socket.setTimeout(10_000, () => socket.destroy(new Error('the server never answered')));
  });
}

describe('slow clients', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startGateway({ env: { REQUEST_TIMEOUT_MS: String(TIMEOUT_MS) } });
  });
  afterAll(async () => t?.close());

  it('a body shorter than its Content-Length is answered 408 and the connection closed; nothing is written', async () => {
    const before = await snapshotCounts(t);
    const body = JSON.stringify(createBody(t));
    const { host } = new URL(t.url);
    const head = `POST /v1/payment-requests HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${t.secretKey}\r\nContent-Type: application/json\r\nContent-Length: ${body.length + 10}\r\n\r\n${body}`;
    const { text, ms } = await sendAndWait(t.url, head);
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(ms).toBeLessThan(5000);
    expect(await snapshotCounts(t)).toEqual(before);
  });

  it('a request refused before its body arrived (no API key) is answered once: the refusal, and the connection closed, not a 408 after it', async () => {
    const { host } = new URL(t.url);
    const head = `POST /v1/payment-requests HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"amount":`;
    const { text, ms } = await sendAndWait(t.url, head);
    expect(text).toMatch(/^HTTP\/1\.1 401 /);
    expect(text.match(/HTTP\/1\.1 \d{3} /g)).toHaveLength(1);
    expect(text).toMatch(/\r\nconnection: close\r\n/i);
    expect(ms).toBeLessThan(TIMEOUT_MS);
  });

  it('a request with no body answered at once (an unknown route, 404) keeps its connection: a request pipelined after it is answered', async () => {
    const { host } = new URL(t.url);
    const { hostname, port } = new URL(t.url);
    const text = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), hostname, () =>
        socket.write(`GET /no-such-route HTTP/1.1\r\nHost: ${host}\r\n\r\nGET /v1/payment-requests HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${t.secretKey}\r\n\r\n`));
      let received = '';
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString('utf8');
        if ((received.match(/HTTP\/1\.1 \d{3} /g) ?? []).length === 2) socket.end();
      });
      socket.on('error', reject);
      socket.on('close', () => resolve(received));
      socket.setTimeout(5000, () => socket.destroy());
    });
    expect(text.match(/HTTP\/1\.1 \d{3} /g)).toEqual(['HTTP/1.1 404 ', 'HTTP/1.1 200 ']);
    expect(text).not.toMatch(/\r\nconnection: close\r\n/i);
  });

  it('headers never finished are answered 408 too', async () => {
    const { host } = new URL(t.url);
    const { text } = await sendAndWait(t.url, `GET /v1/payment-requests HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${t.secretKey}\r\n`);
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('a request that has arrived may wait longer for its answer (a long-poll of 1 s)', async () => {
    const created = await t.api('POST', '/v1/payment-requests', { body: createBody(t) });
    expect(created.status).toBe(201);
    const started = Date.now();
    const polled = await t.api('GET', `/v1/payment-requests/${created.body.id}?waitSeconds=1&unlessStatus=created`);
    expect(polled.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    await t.api('POST', `/v1/payment-requests/${created.body.id}/cancel`);
  });
});
