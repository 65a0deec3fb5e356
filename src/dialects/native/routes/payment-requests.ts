import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Caller } from '../../../app/context.js';
import type { PaymentRequest } from '../../../core/payment-request.js';
import type { Work } from '../../../app/unit-of-work.js';
import * as uc from '../../../app/use-cases/payment-requests.js';
import { voidPaymentRequest } from '../../../app/use-cases/refunds.js';
import { fingerprint, respond } from '../../shared/idempotency.js';
import { errors } from '../../shared/openapi.js';
import type { ErrorCode } from '../../../core/errors.js';
import type { NativeDeps } from '../deps.js';
import { listBody } from '../pagination.js';
import { renderPaymentRequest } from '../render.js';
import * as s from '../schemas.js';

const tags = ['Payment requests'];

export function paymentRequestRoutes(fastify: FastifyInstance, deps: NativeDeps): void {
  const r = fastify.withTypeProvider<ZodTypeProvider>();
  const { app } = deps;
  const render = (p: PaymentRequest) => renderPaymentRequest(p, deps.publicUrl);
  const one = { 200: s.PaymentRequestObject };

  r.post('/v1/payment-requests', {
    schema: {
      tags, summary: 'Create a payment request', operationId: 'createPaymentRequest',
      description: '201 with the new request; 200 when `reference` names a request made with the same body (a replay).',
      body: s.CreatePaymentRequestBody, headers: s.IdempotencyHeaders, response: { 200: s.PaymentRequestObject, 201: s.PaymentRequestObject },
      'x-errors': errors('terminal_busy', 'duplicate_reference', 'line_items_mismatch', 'patron_code_invalid', 'not_found', 'permission_denied', 'method_not_allowed'),
    },
  }, async (req, reply) =>
    respond(app, req, reply, req.caller, (unit) => uc.createPaymentRequest(unit, req.caller, req.body, fingerprint(req.body)),
      (result) => ({ status: result.replayedByReference ? 200 : 201, body: render(result.request) }),
      { before: () => uc.assertCreatable(app, req.caller, req.body) }));

  r.get('/v1/payment-requests', { schema: { tags, summary: 'List payment requests (newest first)', operationId: 'listPaymentRequests', querystring: s.ListPaymentRequestsQuery, response: { 200: s.ListOf(s.PaymentRequestObject) }, 'x-errors': errors('short_code_invalid') } }, async (req) => {
    const { limit, cursor, ...filter } = req.query;
    const page = await uc.listPaymentRequests(app, req.caller, filter, { limit, beforeId: cursor });
    return listBody(page.items.map(render), page.hasMore, page.items.at(-1)?.id);
  });

  // Under /v1/short-codes: beside /v1/payment-requests/{id}/… the old path was ambiguous to tools
  // (docs/api-decisions.md); it is still served, out of the document, for the POS that use it.
  const byShortCode = { tags, params: z.strictObject({ code: s.ShortCodeText }), response: one, 'x-errors': errors('short_code_invalid', 'not_found') };
  const findByShortCode = async (req: { caller: Caller; params: { code: string } }) => render(await uc.findByShortCode(app, req.caller, req.params.code));
  r.get('/v1/short-codes/:code', { schema: { ...byShortCode, summary: 'Find a payment request by short code', operationId: 'retrievePaymentRequestByShortCode' } }, findByShortCode);
  r.get('/v1/payment-requests/short-code/:code', { schema: { ...byShortCode, hide: true } }, findByShortCode);

  // a long-poll in flight when the server closes answers at once, with the request as it is, rather
  // than holding the stop for up to its waitSeconds
  const closing = new AbortController();
  fastify.addHook('preClose', async () => closing.abort());
  r.get('/v1/payment-requests/:id', { schema: { tags, summary: 'Read (and optionally long-poll) a payment request', operationId: 'retrievePaymentRequest', 'x-errors': errors('not_found'), params: s.IdParams, querystring: s.GetPaymentRequestQuery, response: one } }, async (req) =>
    render(await uc.waitForPaymentRequest(app, req.caller, req.params.id, req.query.waitSeconds ?? 0, req.query.unlessStatus, closing.signal)));

  /** POST /v1/payment-requests/{id}/<path>: an idempotent action answering with the request. */
  const action = <B extends z.ZodType>(path: string, doc: { summary: string; operationId: string; errors: readonly ErrorCode[] }, body: B, run: (unit: Work, caller: Caller, id: string, input: z.infer<B>) => Promise<PaymentRequest>) =>
    r.post(`/v1/payment-requests/:id/${path}`, { schema: { tags, summary: doc.summary, operationId: doc.operationId, 'x-errors': doc.errors, params: s.IdParams, body, headers: s.IdempotencyHeaders, response: one } }, async (req, reply) =>
      // the use case writes the audit entry (who acted, with which key) in the same transaction
      respond(app, req, reply, req.caller, (unit) => run(unit, req.caller, req.params.id, req.body as z.infer<B>), (request) => ({ status: 200, body: render(request) })));

  action('ready', { summary: 'Give a prepared request its amount', operationId: 'readyPaymentRequest', errors: errors('not_found', 'not_prepared', 'line_items_mismatch', 'request_expired', 'invalid_state') }, s.ReadyBody, (unit, caller, id, body) => uc.readyPaymentRequest(unit, caller, id, body));
  action('cancel', { summary: 'Cancel (releases an authorization)', operationId: 'cancelPaymentRequest', errors: errors('not_found', 'already_succeeded', 'invalid_state') }, s.CancelBody, (unit, caller, id, body) => uc.cancelPaymentRequest(unit, caller, id, body.reason));
  action('capture', { summary: 'Capture an authorized request, fully or partially', operationId: 'capturePaymentRequest', errors: errors('not_found', 'not_authorized', 'amount_exceeds_authorized', 'request_expired', 'invalid_state') }, s.CaptureBody, (unit, caller, id, body) => uc.capturePaymentRequest(unit, caller, id, body.amount));
  action('void', { summary: 'Void a succeeded request within 24 h (full refund)', operationId: 'voidPaymentRequest', errors: errors('not_found', 'void_window_exceeded', 'invalid_state') }, s.EmptyBody, (unit, caller, id) => voidPaymentRequest(unit, caller, id));
}
