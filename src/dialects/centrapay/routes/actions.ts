// What a POS (and, in the sandbox, the patron) does to a request: pay, cancel, void, refund, and a
// pre-auth's confirm and release; and the merchant's answer to a condition. Each answer is read in
// the action's own transaction, so a replay (idempotencyKey) answers exactly what the first did.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Caller } from '../../../app/context.js';
import { acceptCondition, declineCondition } from '../../../app/use-cases/conditions.js';
import { cancelPaymentRequest, confirmPaymentRequest, getPaymentRequest, loadCurrent, releasePaymentRequest } from '../../../app/use-cases/payment-requests.js';
import { createRefund, voidPaymentRequest } from '../../../app/use-cases/refunds.js';
import { sandboxPay } from '../../../app/use-cases/sandbox.js';
import { execute, inTransaction, type Work } from '../../../app/unit-of-work.js';
import { DomainError } from '../../../core/errors.js';
import { sumMinor } from '../../../core/money.js';
import { refundableAmount, type PaymentRequest } from '../../../core/payment-request.js';
import { fingerprint, routePath, sendExecuted } from '../../shared/idempotency.js';
import { CentrapayRefusal, type CentrapayDeps } from '../deps.js';
import { bodyOf } from '../errors.js';
import { isPreAuth } from '../render.js';
import * as s from '../schemas.js';
import { activityOfEvent, latestActivity, renderView, viewOf, type RequestView } from '../views.js';

/** Σ of the line items' prices, exactly (core/money); null when it passes 10^12. */
const lineTotal = (items: s.CentrapayLineItem[]) => sumMinor(items.map((item) => s.centsOf(item.price)));

/** Line items, when given, must add up to the value (Centrapay's sum check). */
function checkSum(items: s.CentrapayLineItem[] | undefined, amount: number): void {
  if (!items || items.length === 0) return;
  const total = lineTotal(items);
  if (total !== amount)
    throw new DomainError('line_items_mismatch', `The line items add up to ${total ?? 'more than 10^12'}, but value.amount is ${amount}.`, 'lineItems');
}

function requirePreAuth(request: PaymentRequest): void {
  if (!isPreAuth(request)) throw new CentrapayRefusal(403, 'INVALID_PAYMENT_REQUEST_TYPE', `Payment request ${request.id} is not a pre-authorization.`);
}

export function actionRoutes(fastify: FastifyInstance, deps: CentrapayDeps): void {
  const r = fastify.withTypeProvider<ZodTypeProvider>();
  const { app } = deps;
  const noBody = { hide: true, params: s.IdParams, body: s.EmptyBody };

  /** Runs `change` and reads the view of the request it left, in one transaction. */
  const act = (change: (unit: Work) => Promise<PaymentRequest>) => async (unit: Work) => viewOf(unit.tx, await change(unit));

  /** The body's idempotencyKey scopes a replay to the key, the route and the caller's credential. */
  const keyed = (req: FastifyRequest, caller: Caller, key: string) => ({
    scope: { credentialId: caller.credentialId, method: 'POST', path: routePath(req), key }, fingerprint: fingerprint(req.body),
  });

  r.post('/api/payment-requests/:id/pay', { schema: { hide: true, params: s.IdParams, body: s.PayBody }, config: { operation: 'pay' } }, async (req, reply) => {
    const { caller, body } = req;
    const amount = body.amount === undefined ? undefined : s.centsOf(body.amount);
    const executed = await execute(app, keyed(req, caller, body.idempotencyKey),
      act((unit) => sandboxPay(unit, caller, req.params.id, { outcome: 'approve', method: 'wallet', amount })),
      (view: RequestView) => {
        // a payment the channel (or the restricted-goods rule) declined is recorded, and the call answers the refusal
        const refused = view.request.status === 'failed' ? (view.request.statusReason === 'payment_failed' ? 'PAYMENT_FAILED' : 'PAYMENT_DECLINED') : null;
        return refused ? { status: 403, body: bodyOf({ statusCode: 403, message: refused }) } : { status: 200, body: renderView(deps, view) };
      });
    return sendExecuted(reply, executed);
  });

  r.post('/api/payment-requests/:id/cancel', { schema: noBody, config: { operation: 'cancel' } }, async (req) =>
    renderView(deps, await inTransaction(app, act(async (unit) => {
      const { request } = await loadCurrent(unit, req.caller, req.params.id);
      if (request.status === 'cancelled') return request; // cancelling again answers the same request
      return cancelPaymentRequest(unit, req.caller, req.params.id);
    }))));

  r.post('/api/payment-requests/:id/void', { schema: noBody, config: { operation: 'void' } }, async (req) => {
    const view = await inTransaction(app, act(async (unit) => {
      const { request } = await loadCurrent(unit, req.caller, req.params.id);
      if (request.status === 'succeeded' && refundableAmount(request) === 0)
        throw new CentrapayRefusal(403, 'ALREADY_REFUNDED', `Payment request ${request.id} is already refunded in full.`);
      if (request.status === 'succeeded') return voidPaymentRequest(unit, req.caller, req.params.id);
      if (request.status === 'authorized' && request.amountCaptured > 0)
        throw new CentrapayRefusal(403, 'PRE_AUTH_ALREADY_CONFIRMED', `Payment request ${request.id} has confirmations; refund them instead.`);
      if (request.status === 'cancelled' && request.statusReason === 'voided')
        throw new CentrapayRefusal(403, 'ALREADY_REFUNDED', `Payment request ${request.id} is already voided.`);
      return cancelPaymentRequest(unit, req.caller, req.params.id); // an unpaid request: voiding cancels it
    }));
    return latestActivity(view, view.request.amountRefundReserved > 0 ? ['refund'] : ['cancellation']);
  });

  r.post('/api/payment-requests/:id/refund', { schema: { hide: true, params: s.IdParams, body: s.RefundBody }, config: { operation: 'refund' } }, async (req) => {
    const { value, externalRef, lineItems } = req.body;
    const amount = s.centsOf(value.amount);
    checkSum(lineItems, amount);
    const { view, refundId } = await inTransaction(app, async (unit) => {
      const { request } = await loadCurrent(unit, req.caller, req.params.id);
      if (value.currency !== request.currency) throw new DomainError('currency_invalid', `value.currency must be ${request.currency}, the request's currency.`, 'value.currency');
      const { refund } = await createRefund(unit, req.caller, req.params.id, { amount, reference: externalRef, captureMode: 'automatic' });
      // the channel refused it: recorded as a failed refund, answered as Centrapay's refusal
      if (refund.status === 'failed') return { view: null, refundId: refund.id };
      return { view: await viewOf(unit.tx, (await unit.tx.getPaymentRequest(request.id)) as PaymentRequest), refundId: refund.id };
    });
    if (!view) throw new CentrapayRefusal(403, 'REFUND_DECLINED', `The payment channel declined refund ${refundId}.`);
    // a repeat with the same externalRef and amount answers the first refund's activity
    return activityOfEvent(view, (event) => event.objectId === refundId && event.type === 'refund.created');
  });

  r.post('/api/payment-requests/:id/confirm', { schema: { hide: true, params: s.IdParams, body: s.ConfirmBody }, config: { operation: 'confirm' } }, async (req, reply) => {
    const { caller, body } = req;
    const amount = body.value === undefined ? lineTotal(body.lineItems) : s.centsOf(body.value.amount);
    if (amount !== null) checkSum(body.lineItems, amount);
    requirePreAuth(await getPaymentRequest(app, caller, req.params.id));
    if (amount === null || amount <= 0) throw new CentrapayRefusal(403, 'INVALID_AMOUNT', 'A confirmation must be for more than 0.');
    const executed = await execute(app, keyed(req, caller, body.idempotencyKey),
      act((unit) => confirmPaymentRequest(unit, caller, req.params.id, amount)),
      (view: RequestView) => ({ status: 200, body: latestActivity(view, ['confirmation']) }));
    return sendExecuted(reply, executed);
  });

  r.post('/api/payment-requests/:id/release', { schema: noBody, config: { operation: 'release' } }, async (req) => {
    requirePreAuth(await getPaymentRequest(app, req.caller, req.params.id));
    const view = await inTransaction(app, act((unit) => releasePaymentRequest(unit, req.caller, req.params.id)));
    return latestActivity(view, ['release', 'cancellation']);
  });

  const conditionSchema = { hide: true, params: s.ConditionParams, body: s.EmptyBody };
  r.post('/api/payment-requests/:id/conditions/:conditionId/accept', { schema: conditionSchema, config: { operation: 'condition' } }, async (req) =>
    renderView(deps, await inTransaction(app, act((unit) => acceptCondition(unit, req.caller, req.params.id, req.params.conditionId)))));

  r.post('/api/payment-requests/:id/conditions/:conditionId/decline', { schema: conditionSchema, config: { operation: 'condition' } }, async (req) =>
    renderView(deps, await inTransaction(app, act((unit) => declineCondition(unit, req.caller, req.params.id, req.params.conditionId)))));
}
