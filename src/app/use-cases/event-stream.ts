// The live event stream behind GET /v1/events/stream: the caller's events as they commit, in
// position order, resumable after any event the caller has seen.
//
// How a stream learns of new events: the in-process change feed plus polling, not LISTEN/NOTIFY.
// - Events committed by this process: the change feed (published after commit, unit-of-work.ts)
//   wakes the stream at once. The feed is only a wake-up: the stream then reads the store, so
//   order, cursor and tenancy all come from one code path (feed events carry no position).
// - Events committed by other processes (several posgate processes on one PostgreSQL): every open
//   stream also polls the store every `pollIntervalMs` (1 s), so such an event reaches it within
//   about a second. Each poll is one indexed range read (events_by_merchant: merchant, mode,
//   position). LISTEN/NOTIFY would need a connection per process held outside the pool, a
//   driver-specific port, and a catch-up poll anyway whenever that connection drops (notifications
//   sent meanwhile are lost); SQLite has nothing like it. Polling works the same on both drivers.
// - Positions come from a sequence when a row is inserted, not when it commits: on PostgreSQL an
//   event can commit after one with a higher position was already sent. So each poll reads from
//   `cursor - lookback` (200 positions) rather than `cursor`, and skips ids this connection has
//   already sent (a bounded memory of the last `rememberIds`, 2,000 > lookback, so every id in the
//   window is remembered). A transaction that stays open while more than `lookback` later positions
//   are assigned and committed could still be missed by a live stream (our transactions last
//   milliseconds); the event is in GET /v1/events all the same. On SQLite one writer at a time
//   assigns positions in commit order, so there is no lookback there.
// - Within one read, events go out in position order; a late-committing event (above) goes out
//   when it is seen, after events with higher positions. No event is sent twice on one connection.
// - Resume (`Last-Event-ID`): events strictly after that event's position. Without it: only events
//   that commit from now on (events already committed are remembered as sent, never sent).
import { DomainError } from '../../core/errors.js';
import { canSee } from '../access.js';
import type { App, Caller } from '../context.js';
import type { EventFilter, StoredEvent } from '../ports/persistence.js';

export interface EventStreamOptions {
  /** Resume strictly after this event (the client's Last-Event-ID); absent: only new events. */
  lastEventId?: string;
  /** How often the store is read for other processes' commits (default 1 s). */
  pollIntervalMs?: number;
  /** How many positions behind the cursor each read starts (default: 200 on PostgreSQL, 0 on SQLite). */
  lookback?: number;
  /** How many sent ids are remembered to skip on re-reads (default 2,000; must exceed lookback). */
  rememberIds?: number;
  /** Events read per query (default 200). */
  batchSize?: number;
}

export interface EventStreamSink {
  /** Writes events in order; the stream reads no more until the returned promise settles (backpressure). */
  send(events: StoredEvent[]): void | Promise<void>;
  /** A read failed: the stream goes on and tries again at the next poll. */
  error?(error: unknown): void;
}

export interface EventStream {
  /** Starts delivering to `sink`: missed events (after Last-Event-ID) first, then new ones as they commit. */
  start(sink: EventStreamSink): void;
  /** Stops reading (unsubscribes, clears the timer) and resolves once a read in flight has finished. */
  close(): Promise<void>;
}

export const EVENT_STREAM_DEFAULTS = { pollIntervalMs: 1000, postgresLookback: 200, rememberIds: 2000, batchSize: 200 } as const;

function positionOf(event: StoredEvent): number {
  if (event.position === undefined) throw new Error(`event ${event.id} read from the store has no position`);
  return event.position;
}

/**
 * Validates the resume point and fixes where the stream starts; throws (parameter_invalid,
 * Last-Event-ID) for an id that is not one of the caller's events, before anything is streamed.
 */
export async function openEventStream(app: App, caller: Caller, options: EventStreamOptions = {}): Promise<EventStream> {
  const read = app.db.read;
  const pollIntervalMs = options.pollIntervalMs ?? EVENT_STREAM_DEFAULTS.pollIntervalMs;
  const lookback = options.lookback ?? (app.db.driver === 'postgres' ? EVENT_STREAM_DEFAULTS.postgresLookback : 0);
  const rememberIds = Math.max(options.rememberIds ?? EVENT_STREAM_DEFAULTS.rememberIds, lookback + 1);
  const batchSize = options.batchSize ?? EVENT_STREAM_DEFAULTS.batchSize;
  // Reads are merchant-and-mode wide and filtered here for terminal keys, so the cursor moves past
  // other terminals' events too: an idle terminal's stream does not re-scan the merchant's history.
  const filter: EventFilter = { merchantId: caller.merchantId, livemode: caller.livemode };

  const sent = new Set<string>();
  const sentOrder: string[] = [];
  const remember = (id: string) => {
    sent.add(id);
    sentOrder.push(id);
    if (sentOrder.length > rememberIds) sent.delete(sentOrder.shift() as string);
  };

  /** Nothing at or below `floor` is ever sent. */
  let floor: number;
  /** The highest position read so far. */
  let cursor: number;
  if (options.lastEventId !== undefined) {
    const from = options.lastEventId.length <= 200 ? await read.getEvent(options.lastEventId) : null;
    if (!from || !canSee(caller, from)) {
      throw new DomainError('parameter_invalid', 'Last-Event-ID is not the id of one of your events: resume with the id of the last event this stream sent you.', 'Last-Event-ID');
    }
    floor = cursor = positionOf(from);
  } else {
    cursor = await read.lastEventPosition(caller.merchantId, caller.livemode);
    floor = Math.max(0, cursor - lookback);
    // events already committed inside the look-back window are old news: never send them
    let after = floor;
    for (;;) {
      const page = await read.listEvents(filter, { limit: batchSize, afterPosition: after });
      for (const event of page.items) {
        remember(event.id);
        cursor = Math.max(cursor, positionOf(event));
      }
      if (!page.hasMore || page.items.length === 0) break;
      after = positionOf(page.items.at(-1) as StoredEvent);
    }
  }

  let closed = false;
  let sink: EventStreamSink | null = null;
  let unsubscribe: (() => void) | null = null;
  let timer: ReturnType<typeof setInterval> | null = null;
  let running: Promise<void> | null = null;
  let again = false;

  /** Reads everything past the cursor (and the look-back window) and sends what this connection has not sent. */
  async function readOnce(to: EventStreamSink): Promise<void> {
    let after = Math.max(floor, cursor - lookback);
    for (;;) {
      const page = await read.listEvents(filter, { limit: batchSize, afterPosition: after });
      if (closed) return;
      const fresh: StoredEvent[] = [];
      for (const event of page.items) {
        cursor = Math.max(cursor, positionOf(event));
        if (sent.has(event.id) || !canSee(caller, event)) continue;
        remember(event.id);
        fresh.push(event);
      }
      if (fresh.length > 0) await to.send(fresh);
      if (!page.hasMore || page.items.length === 0 || closed) return;
      after = positionOf(page.items.at(-1) as StoredEvent);
    }
  }

  /** Runs a read now, or once more after the one in flight: reads never overlap, wake-ups coalesce. */
  function wake(): void {
    if (closed || !sink) return;
    if (running) {
      again = true;
      return;
    }
    const to = sink;
    running = (async () => {
      do {
        again = false;
        try {
          await readOnce(to);
        } catch (error) {
          if (!closed) to.error?.(error);
          return; // the next poll tries again
        }
      } while (again && !closed);
    })().finally(() => {
      running = null;
    });
  }

  return {
    start(to) {
      if (closed || sink) return;
      sink = to;
      unsubscribe = app.feed.subscribeAll((event) => {
        if (canSee(caller, event)) wake();
      });
      timer = setInterval(wake, pollIntervalMs);
      timer.unref?.(); // an open stream never keeps the process alive
      wake(); // what committed since the resume point (or since the start was fixed) goes out now
    },
    async close() {
      closed = true;
      unsubscribe?.();
      unsubscribe = null;
      if (timer) clearInterval(timer);
      timer = null;
      await running;
    },
  };
}
