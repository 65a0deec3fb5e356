import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { openEventStream, type EventStream } from '../../../app/use-cases/event-stream.js';
import { listEvents } from '../../../app/use-cases/events.js';
import { errors } from '../../shared/openapi.js';
import type { NativeDeps } from '../deps.js';
import { listBody } from '../pagination.js';
import { renderEvent } from '../render.js';
import * as s from '../schemas.js';
import { openSse, type SseConnection } from '../sse.js';

const tags = ['Events'];

const StreamQuery = z.strictObject({
  lastEventId: z.string().min(1).max(200).optional().describe('Resume after this event, for clients that cannot send the Last-Event-ID header'),
});

// declared for the document; loose, as headers are (the request carries others), and checked by the use case
const StreamHeaders = z.object({
  'last-event-id': z.string().optional().describe('Resume strictly after this event (what an EventSource sends on reconnecting); wins over ?lastEventId'),
});

const streamDescription = [
  'Server-sent events (`text/event-stream`) of the caller\'s events (a terminal key: its terminal\'s), each as',
  '`id: <event id>`, `event: <type>`, `data: <event JSON>`, and a `: heartbeat` comment every 15 s.',
  'Send `Last-Event-ID` (or `?lastEventId=`) to resume strictly after that event; without it only new events are sent.',
  'Events committed by another posgate process arrive within about a second.',
].join(' ');

/** An event cursor is a position (its query schema holds it to digits). */
const afterPosition = (cursor: string | undefined): number | undefined => (cursor === undefined ? undefined : Number(cursor));

export function eventRoutes(fastify: FastifyInstance, deps: NativeDeps): void {
  const { app } = deps;
  const r = fastify.withTypeProvider<ZodTypeProvider>();

  // Open streams never end on their own: end them when the server closes, before connections are
  // force-closed, and wait for reads in flight so the store can close behind them.
  const open = new Set<{ sse: SseConnection; stream: EventStream }>();
  fastify.addHook('preClose', async () => {
    await Promise.all([...open].map(async (entry) => {
      entry.sse.end();
      await entry.stream.close();
    }));
  });

  r.get('/v1/events/stream', {
    schema: {
      tags, summary: "Live stream of the caller's events (server-sent events)", operationId: 'streamEvents', description: streamDescription, querystring: StreamQuery, headers: StreamHeaders,
      response: { 200: { description: 'The stream: it stays open until the client or the server closes it', content: { 'text/event-stream': { schema: z.string() } } } },
      'x-errors': errors('not_found'),
    },
  }, async (req, reply) => {
    const header = req.headers['last-event-id'];
    const fromHeader = (Array.isArray(header) ? header[0] : header)?.trim();
    const lastEventId = fromHeader || req.query.lastEventId || undefined;
    const { POSGATE_SSE_POLL_MS: pollIntervalMs, POSGATE_SSE_HEARTBEAT_MS: heartbeatMs } = deps.settings;
    // everything that can fail (the resume point) fails here, as problem+json, before the stream opens
    const stream = await openEventStream(app, req.caller, { lastEventId, pollIntervalMs });
    const sse = openSse(reply, { heartbeatMs });
    const entry = { sse, stream };
    open.add(entry);
    sse.onClose(() => {
      open.delete(entry);
      void stream.close();
    });
    stream.start({
      send: (events) => sse.send(events.map((e) => ({ id: e.id, event: e.type, data: renderEvent(e, deps.publicUrl) }))),
      error: (err) => req.log.warn({ err }, 'event stream: reading events failed; retrying at the next poll'),
    });
  });

  r.get('/v1/events', { schema: { tags, summary: "The caller's events, oldest first", operationId: 'listEvents', querystring: s.EventsQuery, response: { 200: s.ListOf(s.EventObject) } } }, async (req) => {
    const { limit, cursor, objectId, type } = req.query;
    const page = await listEvents(app, req.caller, { objectId, type }, { limit, afterPosition: afterPosition(cursor) });
    return listBody(page.items.map((e) => renderEvent(e, deps.publicUrl)), page.hasMore, page.items.at(-1)?.position);
  });

  r.get('/v1/payment-requests/:id/events', {
    schema: { tags, summary: "A request's history: its events and its refunds' events, oldest first", operationId: 'listPaymentRequestEvents', 'x-errors': errors('not_found'), params: s.IdParams, querystring: s.EventPageQuery, response: { 200: s.ListOf(s.EventObject) } },
  }, async (req) => {
    const page = await listEvents(app, req.caller, { paymentRequestId: req.params.id }, { limit: req.query.limit, afterPosition: afterPosition(req.query.cursor) });
    return listBody(page.items.map((e) => renderEvent(e, deps.publicUrl)), page.hasMore, page.items.at(-1)?.position);
  });
}
