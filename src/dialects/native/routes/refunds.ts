import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import * as uc from '../../../app/use-cases/refunds.js';
import { respond } from '../../shared/idempotency.js';
import { errors } from '../../shared/openapi.js';
import type { NativeDeps } from '../deps.js';
import { listBody } from '../pagination.js';
import { renderRefund } from '../render.js';
import * as s from '../schemas.js';

const tags = ['Refunds'];

export function refundRoutes(fastify: FastifyInstance, { app }: NativeDeps): void {
  const r = fastify.withTypeProvider<ZodTypeProvider>();
  const one = { 200: s.RefundObject };

  r.post('/v1/payment-requests/:id/refunds', {
    schema: {
      tags, summary: 'Refund all or part of a succeeded request', operationId: 'createRefund',
      description: '201 with the new refund; 200 when `reference` names a refund of the same amount (a replay).',
      'x-errors': errors('not_found', 'duplicate_reference', 'amount_exceeds_refundable', 'refund_window_exceeded', 'currency_mismatch', 'invalid_state'),
      params: s.IdParams, body: s.CreateRefundBody, headers: s.IdempotencyHeaders, response: { 200: s.RefundObject, 201: s.RefundObject } },
  }, async (req, reply) =>
    respond(app, req, reply, req.caller, (unit) => uc.createRefund(unit, req.caller, req.params.id, req.body),
      (result) => ({ status: result.replayedByReference ? 200 : 201, body: renderRefund(result.refund) })));

  r.get('/v1/payment-requests/:id/refunds', { schema: { tags, summary: "A request's refunds, oldest first", operationId: 'listRefunds', 'x-errors': errors('not_found'), params: s.IdParams, querystring: s.PageQuery, response: { 200: s.ListOf(s.RefundObject) } } }, async (req) => {
    const page = await uc.listRefunds(app, req.caller, req.params.id, { limit: req.query.limit, afterId: req.query.cursor });
    return listBody(page.items.map(renderRefund), page.hasMore, page.items.at(-1)?.id);
  });

  r.get('/v1/refunds/:id', { schema: { tags, summary: 'Read a refund', operationId: 'retrieveRefund', 'x-errors': errors('not_found'), params: s.IdParams, response: one } }, async (req) => renderRefund(await uc.getRefund(app, req.caller, req.params.id)));

  for (const [path, run, summary, operationId] of [
    ['capture', uc.captureRefund, 'Capture a manual refund', 'captureRefund'],
    ['cancel', uc.cancelRefund, 'Cancel a manual refund before capture', 'cancelRefund'],
  ] as const) {
    r.post(`/v1/refunds/:id/${path}`, { schema: { tags, summary, operationId, 'x-errors': errors('not_found', 'invalid_state'), params: s.IdParams, body: s.EmptyBody, headers: s.IdempotencyHeaders, response: one } }, async (req, reply) =>
      respond(app, req, reply, req.caller, (unit) => run(unit, req.caller, req.params.id), (refund) => ({ status: 200, body: renderRefund(refund) })));
  }
}
