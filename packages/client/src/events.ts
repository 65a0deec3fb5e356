// events: the list, and the live stream that picks up where it left off after a dropped connection.
import { PosgateError } from './errors.js';
import { paginate } from './payment-requests.js';
import { readSse } from './sse.js';
import { backoffMs, sleepUnlessAborted, type RequestOptions, type Transport } from './transport.js';
import type { DeliveryAttempt, Event, ListEventsParams, Page, QueuedDelivery } from './types.js';

export interface StreamOptions {
  /** Start strictly after this event (default: only events from now on). */
  lastEventId?: string;
  /** Ends the stream; so does leaving the `for await` loop. */
  signal?: AbortSignal;
  /** Reconnections in a row that fail before the stream gives up (default 10). */
  maxReconnects?: number;
  /**
   * A connection that brings nothing for this long, not even the server's heartbeat (every 15 s),
   * is taken for dead (a NAT or proxy dropped it without a word) and made anew (default 45 000 ms).
   */
  idleTimeoutMs?: number;
}

export class Events {
  constructor(private readonly transport: Transport, private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>, private readonly random: () => number) {}

  /** Waits before the next connection; false when the stream's signal aborted meanwhile (the stream ends). */
  private async backoff(failures: number, signal: AbortSignal | undefined): Promise<boolean> {
    try {
      await sleepUnlessAborted(this.sleep, backoffMs(failures - 1, this.random), signal);
      return true;
    } catch (error) {
      if (signal?.aborted) return false;
      throw error;
    }
  }

  /** Every attempt to deliver the event, oldest first: URL, status, the receiver's answer. */
  async deliveries(eventId: string, options?: RequestOptions): Promise<DeliveryAttempt[]> {
    return (await this.transport.request<{ data: DeliveryAttempt[] }>({ method: 'GET', path: `/v1/events/${encodeURIComponent(eventId)}/deliveries` }, options)).data;
  }

  /** Sends the event again to every target that should have it (a secret key); answers the deliveries queued. */
  async redeliver(eventId: string, options?: RequestOptions): Promise<QueuedDelivery[]> {
    return (await this.transport.request<{ data: QueuedDelivery[] }>({ method: 'POST', path: `/v1/events/${encodeURIComponent(eventId)}/redeliver`, body: {} }, options)).data;
  }

  /** The caller's events, oldest first, every page. */
  list(params: ListEventsParams = {}, options?: RequestOptions): AsyncGenerator<Event> {
    return paginate((cursor) => this.transport.request<Page<Event>>({ method: 'GET', path: '/v1/events', query: { ...params, cursor } }, options));
  }

  /**
   * The live stream (server-sent events). When the connection drops it reconnects with
   * `Last-Event-ID` set to the last event it yielded, so no event is lost or repeated.
   */
  async *stream(options: StreamOptions = {}): AsyncGenerator<Event> {
    let lastEventId = options.lastEventId;
    let failures = 0;
    const maxReconnects = options.maxReconnects ?? 10;
    const idleTimeoutMs = options.idleTimeoutMs ?? 45_000;
    while (!options.signal?.aborted) {
      const controller = new AbortController();
      const abort = () => controller.abort();
      options.signal?.addEventListener('abort', abort, { once: true });
      // the watchdog: anything arriving re-arms it; it is off while the caller holds a yielded event
      let idle: ReturnType<typeof setTimeout> | undefined;
      const quiet = () => clearTimeout(idle);
      const arm = () => {
        quiet();
        idle = setTimeout(() => controller.abort(), idleTimeoutMs);
      };
      arm();
      try {
        const headers = this.transport.headers({ accept: 'text/event-stream', ...(lastEventId ? { 'last-event-id': lastEventId } : {}) });
        let response: Response;
        try {
          response = await (this.transport.options.fetch ?? globalThis.fetch)(`${this.transport.baseUrl}/v1/events/stream`, { headers, signal: controller.signal });
        } catch (error) {
          if (options.signal?.aborted) return;
          if (++failures > maxReconnects) throw new PosgateError({ message: `event stream: ${(error as Error).message}`, code: 'connection_error', status: 0, cause: error });
          if (!(await this.backoff(failures, options.signal))) return;
          continue;
        }
        if (!response.ok || !response.body) {
          const body = await response.text().then((text) => { try { return JSON.parse(text); } catch { return text; } });
          // a refusal (a bad key, a bad Last-Event-ID) does not get better by retrying; a 5xx may
          const error = PosgateError.fromResponse(response.status, body, response.headers.get('request-id') ?? undefined);
          if (response.status < 500 || ++failures > maxReconnects) throw error;
          if (!(await this.backoff(failures, options.signal))) return;
          continue;
        }
        let yielded = false;
        try {
          for await (const message of readSse(response.body, arm)) {
            const event = JSON.parse(message.data) as Event;
            lastEventId = message.id ?? event.id;
            yielded = true;
            failures = 0;
            quiet();
            yield event;
            arm();
          }
        } catch (error) {
          if (options.signal?.aborted) return;
          void error; // the connection dropped mid-stream, or went silent: reconnect below, from lastEventId
        }
        // a connection that ends before bringing anything counts as a failure: backoff, not a busy loop
        if (!yielded) {
          if (++failures > maxReconnects) throw new PosgateError({ message: 'event stream: the connection keeps ending', code: 'connection_error', status: 0 });
          if (!(await this.backoff(failures, options.signal))) return;
        }
      } finally {
        quiet();
        options.signal?.removeEventListener('abort', abort);
        controller.abort();
      }
    }
  }
}
