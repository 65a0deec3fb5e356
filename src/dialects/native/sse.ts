// Server-sent events over a hijacked Fastify reply: the response stays open, nothing is buffered
// on the way (no-cache, X-Accel-Buffering: no), a comment heartbeat keeps proxies from timing it out.
import type { FastifyReply } from 'fastify';

export interface SseMessage {
  id: string;
  event: string;
  /** Serialized as JSON on one `data:` line (JSON.stringify never emits a raw newline). */
  data: unknown;
}

export interface SseConnection {
  /** Writes messages; resolves when the socket can take more (backpressure) or is gone. */
  send(messages: SseMessage[]): Promise<void>;
  /** Ends the response (server shutdown); the connection's close listeners run. */
  end(): void;
  /** Calls `listener` once, when the client goes away or the response ends. */
  onClose(listener: () => void): void;
  readonly closed: boolean;
}

export interface SseOptions {
  /** Interval of the `: heartbeat` comment, ms. */
  heartbeatMs: number;
}

/** One SSE message in wire format. */
export function formatSse(message: SseMessage): string {
  return `id: ${message.id}\nevent: ${message.event}\ndata: ${JSON.stringify(message.data)}\n\n`;
}

/** Takes the response over from Fastify and starts the stream: headers go out at once. */
export function openSse(reply: FastifyReply, options: SseOptions): SseConnection {
  reply.hijack();
  const raw = reply.raw;
  // headers hooks already set (Request-Id, …) go out too: a hijacked reply does not send them itself
  const headers: Record<string, string | number | string[]> = {};
  for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) headers[name] = value;
  raw.writeHead(200, {
    ...headers,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no',
  });
  raw.flushHeaders();

  let closed = false;
  const listeners: (() => void)[] = [];
  const waiters: (() => void)[] = [];
  const heartbeat = setInterval(() => {
    if (!closed) raw.write(': heartbeat\n\n');
  }, options.heartbeatMs);
  heartbeat.unref();

  const finish = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    for (const wake of waiters.splice(0)) wake();
    for (const listener of listeners.splice(0)) listener();
  };
  raw.on('close', finish);
  raw.on('error', finish);
  raw.on('drain', () => {
    for (const wake of waiters.splice(0)) wake();
  });
  if (raw.destroyed || raw.socket?.destroyed === true) finish(); // the client left while the stream was being set up

  return {
    get closed() {
      return closed || raw.destroyed;
    },
    async send(messages) {
      if (closed || raw.destroyed || messages.length === 0) return;
      if (raw.write(messages.map(formatSse).join(''))) return;
      await new Promise<void>((resolve) => waiters.push(resolve));
    },
    end() {
      if (!raw.writableEnded) raw.end();
      finish();
    },
    onClose(listener) {
      if (closed) listener();
      else listeners.push(listener);
    },
  };
}
