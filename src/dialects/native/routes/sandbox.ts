import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { inTransaction } from '../../../app/unit-of-work.js';
import * as patrons from '../../../app/use-cases/patrons.js';
import * as uc from '../../../app/use-cases/sandbox.js';
import { respond, respondOutside } from '../../shared/idempotency.js';
import { errors } from '../../shared/openapi.js';
import type { NativeDeps } from '../deps.js';
import { iso, renderPaymentRequest, renderRefund } from '../render.js';
import * as s from '../schemas.js';

const tags = ['Sandbox (test mode)'];
/** Every sandbox call refuses a live-mode key. */
const sandboxErrors: typeof errors = (...codes) => errors('test_mode_only', ...codes);

function renderPatron(view: patrons.PatronView, publicUrl: string) {
  return {
    id: view.patron.id, object: 'patron' as const, livemode: view.patron.livemode, name: view.patron.name, age: view.patron.age,
    patronCode: view.code.code, patronCodeExpiresAt: iso(view.code.expiresAt), pageUrl: `${publicUrl}/patron/${view.patron.id}`, createdAt: iso(view.patron.createdAt),
  };
}

function renderClock(state: uc.ClockState) {
  return { object: 'test_clock' as const, now: iso(state.now), offsetSeconds: Math.floor(state.offsetMs / 1000), expired: state.expired };
}

export function sandboxRoutes(fastify: FastifyInstance, deps: NativeDeps): void {
  const { app } = deps;
  const r = fastify.withTypeProvider<ZodTypeProvider>();

  r.post('/v1/sandbox/payment-requests/:id/pay', {
    schema: {
      tags, summary: 'Act as the patron: approve, decline, cancel or fail', operationId: 'sandboxPay', params: s.IdParams, body: s.SandboxPayBody, headers: s.IdempotencyHeaders,
      response: { 200: s.PaymentRequestObject }, 'x-errors': sandboxErrors('not_found', 'amount_required', 'request_expired', 'partial_payment_not_allowed', 'method_not_allowed', 'invalid_state'),
    },
  }, async (req, reply) =>
    respond(app, req, reply, req.caller, (unit) => uc.sandboxPay(unit, req.caller, req.params.id, req.body), (p) => ({ status: 200, body: renderPaymentRequest(p, deps.publicUrl) })));

  r.post('/v1/sandbox/terminals/:id/check-in', {
    schema: { tags, summary: 'A patron checks in at a terminal', operationId: 'sandboxCheckIn', params: s.IdParams, body: s.CheckInBody, headers: s.IdempotencyHeaders, response: { 200: s.CheckInObject }, 'x-errors': sandboxErrors('not_found', 'invalid_state') },
  }, async (req, reply) =>
    respond(app, req, reply, req.caller, (unit) => uc.checkIn(unit, req.caller, req.params.id, req.body), (result) => ({
      status: 200,
      body: { object: 'check_in', terminalId: result.terminalId, patronId: result.patronId, checkedInAt: iso(result.checkedInAt), paymentRequest: result.paymentRequest ? renderPaymentRequest(result.paymentRequest, deps.publicUrl) : null },
    })));

  r.post('/v1/sandbox/patrons', { schema: { tags, summary: 'A sandbox patron with a rotating, single-use patron code', operationId: 'sandboxCreatePatron', body: s.CreatePatronBody, headers: s.IdempotencyHeaders, response: { 201: s.PatronObject }, 'x-errors': sandboxErrors() } }, async (req, reply) =>
    respond(app, req, reply, req.caller, (unit) => patrons.createPatron(unit, req.caller, req.body), (view) => ({ status: 201, body: renderPatron(view, deps.publicUrl) })));

  r.get('/v1/sandbox/patrons/:id', { schema: { tags, summary: 'A patron and the code it shows now', operationId: 'sandboxRetrievePatron', params: s.IdParams, response: { 200: s.PatronObject }, 'x-errors': sandboxErrors('not_found') } }, async (req) =>
    renderPatron(await inTransaction(app, (unit) => patrons.getPatron(unit, req.caller, req.params.id)), deps.publicUrl));

  r.get('/v1/sandbox/clock', { schema: { tags, summary: "The merchant's test clock", operationId: 'sandboxRetrieveClock', response: { 200: s.TestClockObject }, 'x-errors': sandboxErrors() } }, async (req) => renderClock(await uc.readClock(app, req.caller)));

  // advanceClock runs its own transactions (and the sweep), resolveReference only reads: both run outside ours
  r.post('/v1/sandbox/clock/advance', { schema: { tags, summary: 'Move the test clock forward and run what falls due', operationId: 'sandboxAdvanceClock', description: 'The clock is the merchant\'s: a terminal key may read it (GET), not move it (403 permission_denied).', body: s.ClockAdvanceBody, headers: s.IdempotencyHeaders, response: { 200: s.TestClockObject }, 'x-errors': sandboxErrors('permission_denied') } }, async (req, reply) =>
    respondOutside(app, req, reply, req.caller, () => uc.advanceClock(app, req.caller, req.body.seconds), (state) => ({ status: 200, body: renderClock(state) })));

  // the channel's later answer is an inbound event with a transaction of its own: outside ours
  r.post('/v1/sandbox/refunds/:id/outcome', {
    schema: {
      tags, summary: 'Act as the channel: settle or fail a refund it answered pending (a crypto refund)', operationId: 'sandboxRefundOutcome',
      params: s.IdParams, body: s.RefundOutcomeBody, headers: s.IdempotencyHeaders, response: { 200: s.RefundObject }, 'x-errors': sandboxErrors('not_found', 'invalid_state'),
    },
  }, async (req, reply) =>
    respondOutside(app, req, reply, req.caller, () => uc.sandboxRefundOutcome(app, req.caller, req.params.id, req.body.outcome), (refund) => ({ status: 200, body: renderRefund(refund) })));

  r.post('/v1/sandbox/resolve', { schema: { tags, summary: 'The request behind any id any dialect returned', operationId: 'sandboxResolve', body: s.ResolveBody, headers: s.IdempotencyHeaders, response: { 200: s.ResolvedReference }, 'x-errors': sandboxErrors('not_found') } }, async (req, reply) =>
    respondOutside(app, req, reply, req.caller, () => uc.resolveReference(app, req.caller, req.body.ref), (id) => ({ status: 200, body: { id } })));
}
