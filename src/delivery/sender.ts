// One webhook POST over node:http(s): to the address that was checked (pinned), never following
// a redirect, cut off after the timeout, keeping at most 1 KiB of what the receiver answered.
import http from 'node:http';
import https from 'node:https';
import type { SendResult } from '../app/use-cases/deliveries.js';
import { pinnedLookup, type SafeAddress } from './ssrf.js';

export const SNIPPET_BYTES = 1024;

export interface PostOptions {
  timeoutMs: number;
  /** Connect to this address only (live mode: the one the SSRF check approved). */
  pin?: SafeAddress;
  signal?: AbortSignal;
}

/**
 * What a receiver answered, as text either database stores: its first bytes as UTF-8 (a character
 * cut at the limit, or bytes that are not UTF-8, become U+FFFD), and a NUL, which PostgreSQL's text
 * cannot hold (a gzip answer begins with one), as U+FFFD too. A snippet PostgreSQL refused would
 * leave its attempt unrecorded, and the delivery sent again at every lease for ever.
 */
export function snippetOf(bytes: Buffer): string | null {
  return bytes.subarray(0, SNIPPET_BYTES).toString('utf8').replaceAll('\u0000', '\uFFFD') || null;
}

/** Retry-After is seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

export function post(url: string, body: string, headers: Record<string, string>, options: PostOptions): Promise<SendResult> {
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  return new Promise<SendResult>((resolve) => {
    let settled = false;
    const finish = (result: Omit<SendResult, 'latencyMs'>) => {
      if (settled) return;
      settled = true;
      resolve({ ...result, latencyMs: latency() });
    };
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return finish({ statusCode: null, responseSnippet: null, error: 'invalid URL' });
    }
    const transport = target.protocol === 'https:' ? https : http;
    const request = transport.request(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'posgate-webhooks/1', 'content-length': Buffer.byteLength(body), ...headers },
      signal: options.signal,
      ...(options.pin ? { lookup: pinnedLookup(options.pin.address, options.pin.family) } : {}),
    }, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => {
        const retryAfter = response.headers['retry-after'];
        finish({
          statusCode: response.statusCode ?? null,
          responseSnippet: snippetOf(Buffer.concat(chunks)),
          error: null,
          ...(retryAfter !== undefined ? { retryAfterMs: parseRetryAfter(String(retryAfter), Date.now()) } : {}),
        });
      };
      response.on('data', (chunk: Buffer) => {
        if (size < SNIPPET_BYTES) chunks.push(chunk);
        size += chunk.length;
        if (size >= SNIPPET_BYTES) {
          // enough to show: do not read a large body to its end
          response.destroy();
          done();
        }
      });
      response.on('end', done);
      response.on('error', done);
    });
    // a deadline for the whole exchange (connect, send, answer), not an idle timeout: a receiver
    // that trickles bytes cannot hold a delivery slot past it
    const deadline = setTimeout(() => {
      finish({ statusCode: null, responseSnippet: null, error: `no answer within ${options.timeoutMs} ms` });
      request.destroy();
    }, options.timeoutMs);
    deadline.unref();
    request.on('close', () => clearTimeout(deadline));
    request.on('error', (error) => finish({ statusCode: null, responseSnippet: null, error: error.message }));
    request.end(body);
  });
}
