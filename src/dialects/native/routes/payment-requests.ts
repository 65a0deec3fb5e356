import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Caller } from '../../../app/context.js';
import type { PaymentRequest } from '../../../core/payment-request.js';
import type { Work } from '../../../app/unit-of-work.js';
import * as uc from '../../../app/use-cases/payment-requests.js';
import { voidPaymentRequest } from '../../../app/use-cases/refunds.js';
import { auditApi } from '../../../app/use-cases/audit.js';
import { fingerprint, respond } from '../../shared/idempotency.js';
import type { NativeDeps } from '../deps.js';
import { decodeCursor, listBody } from '../pagination.js';
import { renderPaymentRequest } from '../render.js';
import * as s from '../schemas.js';

const tags = ['Payment requests'];

export function paymentRequestRoutes(fastify: FastifyInstance, deps: NativeDeps): void {
  const r = fastify.withTypeProvider<ZodTypeProvider>();
  const { app } = deps;
  const render = (p: PaymentRequest) => renderPaymentRequest(p, deps.publicUrl);
  const one = { 200: s.PaymentRequestObject };

  r.post('/v1/payment-requests', {
    schema: { tags, summary: 'Create a payment request', body: s.CreatePaymentRequestBody, headers: s.IdempotencyHeaders, response: { 200: s.PaymentRequestObject, 201: s.PaymentRequestObject } },
  }, async (req, reply) => {
    await uc.assertCreatable(app, req.caller, req.body);
    return respond(app, req, reply, req.caller, (unit) => uc.createPaymentRequest(unit, req.caller, req.body, fingerprint(req.body)),
      (result) => ({ status: result.replayedByReference ? 200 : 201, body: render(result.request) }));
  });

  r.get('/v1/payment-requests', { schema: { tags, summary: 'List payment requests (newest first)', querystring: s.ListPaymentRequestsQuery, response: { 200: s.ListOf(s.PaymentRequestObject) } } }, async (req) => {
    const { limit, cursor, ...filter } = req.query;
    const page = await uc.listPaymentRequests(app, req.caller, filter, { limit, beforeId: decodeCursor(cursor) });
    return listBody(page.items.map(render), page.hasMore, page.items.at(-1)?.id);
  });

  r.get('/v1/payment-requests/short-code/:code', { schema: { tags, summary: 'Find a payment request by short code', params: z.strictObject({ code: z.string().min(1).max(30) }), response: one } }, async (req) =>
    render(await uc.findByShortCode(app, req.caller, req.params.code)));

  r.get('/v1/payment-requests/:id', { schema: { tags, summary: 'Read (and optionally long-poll) a payment request', params: s.IdParams, querystring: s.GetPaymentRequestQuery, response: one } }, async (req) =>
    render(await uc.waitForPaymentRequest(app, req.caller, req.params.id, req.query.waitSeconds ?? 0, req.query.unlessStatus)));

  /** POST /v1/payment-requests/{id}/<path>: an idempotent action answering with the request. */
  const action = <B extends z.ZodType>(path: string, summary: string, body: B, run: (unit: Work, caller: Caller, id: string, input: z.infer<B>) => Promise<PaymentRequest>) =>
    r.post(`/v1/payment-requests/:id/${path}`, { schema: { tags, summary, params: s.IdParams, body, headers: s.IdempotencyHeaders, response: one } }, async (req, reply) =>
      respond(app, req, reply, req.caller, async (unit) => {
        const request = await run(unit, req.caller, req.params.id, req.body as z.infer<B>);
        // who acted, with which key: the dashboard's audit log lists API operations too
        if (path !== 'ready') await auditApi(unit, req.caller, `payment_request.${path}`, request.id);
        return request;
      }, (request) => ({ status: 200, body: render(request) })));

  action('ready', 'Give a prepared request its amount', s.ReadyBody, (unit, caller, id, body) => uc.readyPaymentRequest(unit, caller, id, body));
  action('cancel', 'Cancel (releases an authorization)', s.CancelBody, (unit, caller, id, body) => uc.cancelPaymentRequest(unit, caller, id, body.reason));
  action('capture', 'Capture an authorized request, fully or partially', s.CaptureBody, (unit, caller, id, body) => uc.capturePaymentRequest(unit, caller, id, body.amount));
  action('void', 'Void a succeeded request within 24 h (full refund)', s.EmptyBody, (unit, caller, id) => voidPaymentRequest(unit, caller, id));
}
