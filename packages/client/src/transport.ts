// One call to posgate: auth, JSON, a per-call timeout, and retries with backoff and jitter on what
// is worth retrying (no answer, 429 honouring Retry-After, 5xx, 409 idempotency_in_progress), only for calls that are safe to
// repeat: reads, and POSTs, which always carry an Idempotency-Key (made here when none is given,
// the same on every try) so that the server does the work once.
import { PosgateError } from './errors.js';

export interface TransportOptions {
  baseUrl: string;
  apiKey: string;
  /** Tries after the first (default 2). */
  maxRetries?: number;
  /** Per-call timeout in ms (default 30 000); a call can set its own. */
  timeoutMs?: number;
  /** The fetch to use (default: the platform's). */
  fetch?: typeof fetch;
  /** How a retry waits (default: a timer); tests pass one that records instead of waiting. A call's abort ends the wait either way. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** The jitter's randomness in [0, 1) (default Math.random). */
  random?: () => number;
}

export interface RequestOptions {
  /** The Idempotency-Key of a POST; one is made when none is given, and every retry reuses it. */
  idempotencyKey?: string;
  timeoutMs?: number;
  maxRetries?: number;
  signal?: AbortSignal;
}

export interface Call {
  method: 'GET' | 'POST' | 'DELETE' | 'PATCH';
  path: string;
  query?: Record<string, string | number | boolean | undefined> | undefined;
  body?: unknown;
  headers?: Record<string, string>;
}

const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 8_000;
/** A Retry-After longer than this is not waited for: the error goes back to the caller. */
const MAX_RETRY_AFTER_MS = 60_000;

export const realSleep = (ms: number, signal?: AbortSignal) => new Promise<void>((resolve, reject) => {
  if (signal?.aborted) return reject(signal.reason);
  const onAbort = () => {
    clearTimeout(timer);
    reject(signal!.reason);
  };
  const timer = setTimeout(() => {
    signal?.removeEventListener('abort', onAbort);
    resolve();
  }, ms);
  signal?.addEventListener('abort', onAbort, { once: true });
});

/** Waits `ms` with `sleep` (an injected one too), but rejects with the signal's reason as soon as it aborts. */
export function sleepUnlessAborted(sleep: (ms: number, signal?: AbortSignal) => Promise<void>, ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return sleep(ms);
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    sleep(ms, signal).then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Seconds or an HTTP date, in ms from now; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Exponential backoff with "equal jitter": half the delay fixed, half random, so clients spread out. */
export function backoffMs(retry: number, random: () => number): number {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** retry);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export function queryString(query: Call['query']): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) if (value !== undefined) params.set(name, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

export class Transport {
  readonly baseUrl: string;
  private readonly fetch: typeof fetch;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly random: () => number;

  constructor(readonly options: TransportOptions) {
    if (!options.baseUrl) throw new TypeError('baseUrl is required, e.g. http://localhost:8080');
    if (!options.apiKey) throw new TypeError('apiKey is required: a sk_… or tk_… key');
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return { authorization: `Bearer ${this.options.apiKey}`, accept: 'application/json', ...extra };
  }

  /** One call, retried as far as it is safe to; resolves with the parsed body of a 2xx answer. */
  async request<T>(call: Call, options: RequestOptions = {}): Promise<T> {
    const headers = this.headers(call.headers);
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    // a POST is made safe to repeat by its key; GET and DELETE are safe as they are
    if (call.method === 'POST') headers['idempotency-key'] = options.idempotencyKey ?? globalThis.crypto.randomUUID();
    const maxRetries = options.maxRetries ?? this.options.maxRetries ?? 2;
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs ?? 30_000;
    const url = `${this.baseUrl}${call.path}${queryString(call.query)}`;
    const body = call.body === undefined ? undefined : JSON.stringify(call.body);

    for (let retry = 0; ; retry++) {
      const canRetry = retry < maxRetries && call.method !== 'PATCH';
      let response: Response;
      let parsed: unknown;
      const signals = [AbortSignal.timeout(timeoutMs), ...(options.signal ? [options.signal] : [])];
      try {
        response = await this.fetch(url, { method: call.method, headers, body, signal: AbortSignal.any(signals) });
        // the body is part of the answer: a timeout or a dropped connection while it arrives is no answer
        parsed = await readBody(response);
      } catch (error) {
        if (options.signal?.aborted) throw error;
        const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
        if (canRetry) {
          await sleepUnlessAborted(this.sleep, backoffMs(retry, this.random), options.signal);
          continue;
        }
        throw new PosgateError({
          message: timedOut ? `${call.method} ${call.path}: no answer within ${timeoutMs} ms` : `${call.method} ${call.path}: ${(error as Error).message}`,
          code: timedOut ? 'timeout' : 'connection_error', status: 0, cause: error,
        });
      }
      if (response.ok) return parsed as T;
      // 409 idempotency_in_progress: an earlier try under this key (one this loop gave up waiting
      // for) is still running; the same key again gets its answer once it is done
      const inProgress = response.status === 409 && (parsed as { code?: unknown } | null)?.code === 'idempotency_in_progress';
      const retryable = response.status === 429 || response.status >= 500 || inProgress;
      if (retryable && canRetry) {
        const asked = retryAfterMs(response.headers.get('retry-after'));
        if (asked === undefined || asked <= MAX_RETRY_AFTER_MS) {
          await sleepUnlessAborted(this.sleep, asked ?? backoffMs(retry, this.random), options.signal);
          continue;
        }
      }
      throw PosgateError.fromResponse(response.status, parsed, response.headers.get('request-id') ?? undefined);
    }
  }
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
