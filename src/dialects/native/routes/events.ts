import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { listEvents } from '../../../app/use-cases/events.js';
import { DomainError } from '../../../core/errors.js';
import type { NativeDeps } from '../deps.js';
import { decodeCursor, listBody } from '../pagination.js';
import { renderEvent } from '../render.js';
import * as s from '../schemas.js';

const tags = ['Events'];

function afterPosition(cursor: string | undefined): number | undefined {
  const decoded = decodeCursor(cursor);
  if (decoded === undefined) return undefined;
  if (!/^\d+$/.test(decoded)) throw new DomainError('parameter_invalid', 'cursor is not a cursor this API returned.', 'cursor');
  return Number(decoded);
}

export function eventRoutes(fastify: FastifyInstance, deps: NativeDeps): void {
  const { app } = deps;
  const r = fastify.withTypeProvider<ZodTypeProvider>();

  r.get('/v1/events', { schema: { tags, summary: "The caller's events, oldest first", querystring: s.EventsQuery, response: { 200: s.ListOf(s.EventObject) } } }, async (req) => {
    const { limit, cursor, objectId, type } = req.query;
    const page = await listEvents(app, req.caller, { objectId, type }, { limit, afterPosition: afterPosition(cursor) });
    return listBody(page.items.map((e) => renderEvent(e, deps.publicUrl)), page.hasMore, page.items.at(-1)?.position);
  });

  r.get('/v1/payment-requests/:id/events', {
    schema: { tags, summary: "A request's history: its events and its refunds' events, oldest first", params: s.IdParams, querystring: s.PageQuery, response: { 200: s.ListOf(s.EventObject) } },
  }, async (req) => {
    const page = await listEvents(app, req.caller, { paymentRequestId: req.params.id }, { limit: req.query.limit, afterPosition: afterPosition(req.query.cursor) });
    return listBody(page.items.map((e) => renderEvent(e, deps.publicUrl)), page.hasMore, page.items.at(-1)?.position);
  });
}
