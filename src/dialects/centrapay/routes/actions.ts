// What a POS (and, in the sandbox, the patron) does to a request: pay, cancel, void, refund, and a
// pre-auth's confirm and release; and the merchant's answer to a condition. Each answer is read in
// the action's own transaction, so a replay (idempotencyKey) answers exactly what the first did.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Caller } from '../../../app/context.js';
import { acceptCondition, declineCondition } from '../../../app/use-cases/conditions.js';
import { cancelRequest, voidSale } from '../../../app/use-cases/pos-intents.js';
import { confirmPaymentRequest, getPaymentRequest, releasePaymentRequest } from '../../../app/use-cases/payment-requests.js';
import { createRefund } from '../../../app/use-cases/refunds.js';
import { sandboxPay } from '../../../app/use-cases/sandbox.js';
import { execute, inTransaction, type Work } from '../../../app/unit-of-work.js';
import type { ReadTx, Tx } from '../../../app/ports/persistence.js';
import { DomainError } from '../../../core/errors.js';
import { sumMinor } from '../../../core/money.js';
import * as pr from '../../../core/payment-request.js';
import type { LineItem, PaymentRequest } from '../../../core/payment-request.js';
import { fingerprint, routePath, sendExecuted } from '../../shared/idempotency.js';
import { CentrapayRefusal, type CentrapayDeps } from '../deps.js';
import { bodyOf } from '../errors.js';
import { DIALECT } from '../credentials.js';
import { fieldsOf, isPreAuth } from '../fields.js';
import { documented } from '../openapi.js';
import * as s from '../schemas.js';
import type { Activity } from '../activities.js';
import { activitiesOfView, activityOfEvent, latestActivity, renderView, viewOf, type RequestView } from '../views.js';

/** A confirmation is for its value, or else for Σ of its line items (exact; null past 10^12). */
function confirmedAmount(body: s.ConfirmBody, lines: LineItem[]): number | null {
  return body.value === undefined ? sumMinor(lines.map(pr.lineItemTotal)) : s.centsOf(body.value.amount);
}

async function requirePreAuth(deps: CentrapayDeps, request: PaymentRequest): Promise<void> {
  if (!isPreAuth(await fieldsOf(deps.app.db.read, request.id))) throw new CentrapayRefusal(403, 'INVALID_PAYMENT_REQUEST_TYPE', `Payment request ${request.id} is not a pre-authorization.`);
}

/**
 * The dialect's record of a void that cancelled a request not paid yet: the core's cancel is the
 * same whether a cancel or a void made it, so which call did is kept here, with the activity the
 * void answered, in the void's own transaction.
 */
const VOID_KIND = 'void';

async function recordVoid(tx: Tx, request: PaymentRequest, activityId: string): Promise<void> {
  await tx.putDialectRecord({ dialect: DIALECT, kind: VOID_KIND, key: request.id, data: { activityId }, createdAt: request.updatedAt, updatedAt: request.updatedAt });
}

const voidRecordOf = async (tx: ReadTx, requestId: string) => (await tx.getDialectRecord(DIALECT, VOID_KIND, requestId))?.data as { activityId?: string } | undefined;

/** The activity a void of this request answered when it cancelled it, or null if no void did. */
async function voidAnswered(deps: CentrapayDeps, caller: Caller, id: string): Promise<Activity | null> {
  const request = await getPaymentRequest(deps.app, caller, id); // the caller's, as the void's own load checked
  const record = await voidRecordOf(deps.app.db.read, request.id);
  if (request.status !== 'cancelled' || !record?.activityId) return null;
  return activitiesOfView(await viewOf(deps.app.db.read, request)).find((a) => a.id === record.activityId) ?? null;
}

export function actionRoutes(fastify: FastifyInstance, deps: CentrapayDeps): void {
  const r = fastify.withTypeProvider<ZodTypeProvider>();
  const { app } = deps;
  const noBody = { params: s.IdParams, body: s.EmptyBody };

  /** Runs `change` and reads the view of the request it left, in one transaction. */
  const act = (change: (unit: Work) => Promise<PaymentRequest>) => async (unit: Work) => viewOf(unit.tx, await change(unit));

  /** The body's idempotencyKey scopes a replay to the key, the route and the caller's credential. */
  const keyed = (req: FastifyRequest, caller: Caller, key: string) => ({
    scope: { credentialId: caller.credentialId, method: 'POST', path: routePath(req), key }, fingerprint: fingerprint(req.body),
  });

  r.post('/payment-requests/:id/pay', { ...documented('request', 'payPaymentRequest', 'The patron pays the request (the sandbox: test-mode keys only); the same idempotencyKey and body replays', { params: s.IdParams, body: s.PayBody }), config: { operation: 'pay' } }, async (req, reply) => {
    const { caller, body } = req;
    const amount = body.amount === undefined ? undefined : s.centsOf(body.amount);
    const executed = await execute(app, keyed(req, caller, body.idempotencyKey),
      act((unit) => sandboxPay(unit, caller, req.params.id, { outcome: 'approve', method: 'wallet', amount })),
      (view: RequestView) => {
        // a payment the channel (or the restricted-goods rule) declined is recorded, and the call answers the refusal
        const refused = view.request.status === 'failed' ? (view.request.statusReason === 'payment_failed' ? 'PAYMENT_FAILED' : 'PAYMENT_DECLINED') : null;
        return refused ? { status: 403, body: bodyOf({ statusCode: 403, message: refused }, refused === 'PAYMENT_FAILED' ? 'The payment failed: the request is cancelled.' : 'The payment was declined: the request is cancelled.') } : { status: 200, body: renderView(deps, view) };
      });
    return sendExecuted(reply, executed);
  });

  // cancelling a cancelled request (by anyone) answers it again
  r.post('/payment-requests/:id/cancel', { ...documented('request', 'cancelPaymentRequest', 'Cancel an unpaid request (a paid one is refused REQUEST_PAID: void it); cancelling a cancelled one answers it again', noBody), config: { operation: 'cancel' } }, async (req) =>
    renderView(deps, await inTransaction(app, act((unit) => cancelRequest(unit, req.caller, req.params.id, { again: 'any' })))));

  r.post('/payment-requests/:id/void', { ...documented('activity', 'voidPaymentRequest', 'Void a request within 24 h: cancelled if unpaid, refunded if paid; a repeat of a void that cancelled answers its activity again', noBody), config: { operation: 'void' } }, async (req) => {
    try {
      return await inTransaction(app, async (unit) => {
        const view = await viewOf(unit.tx, await voidSale(unit, req.caller, req.params.id));
        const activity = latestActivity(view, view.request.amountRefundReserved > 0 ? ['refund'] : ['cancellation']);
        // this void cancelled a request not paid (a paid one is voided: a repeat is ALREADY_REFUNDED)
        if (activity && view.request.status === 'cancelled' && view.request.statusReason !== 'voided') await recordVoid(unit.tx, view.request, activity.id);
        return activity;
      });
    } catch (error) {
      // "status unknown after retries → void": a repeated void of the request it cancelled answers
      // the same activity again; one a cancel or an expiry ended is refused as before
      const again = error instanceof DomainError && error.code === 'invalid_state' ? await voidAnswered(deps, req.caller, req.params.id) : null;
      if (again) return again;
      throw error;
    }
  });

  r.post('/payment-requests/:id/refund', { ...documented('activity', 'refundPaymentRequest', 'Refund part or all of a paid request; the same externalRef and amount replays', { params: s.IdParams, body: s.RefundBody }), config: { operation: 'refund' } }, async (req) => {
    const { value, externalRef, lineItems } = req.body;
    const { view, refundId } = await inTransaction(app, async (unit) => {
      const { refund } = await createRefund(unit, req.caller, req.params.id, {
        amount: s.centsOf(value.amount), currency: value.currency, lineItems: s.toCoreLineItems(lineItems), reference: externalRef, captureMode: 'automatic',
      });
      // the channel refused it: recorded as a failed refund, answered as Centrapay's refusal
      if (refund.status === 'failed') return { view: null, refundId: refund.id };
      return { view: await viewOf(unit.tx, (await unit.tx.getPaymentRequest(refund.paymentRequestId)) as PaymentRequest), refundId: refund.id };
    });
    if (!view) throw new CentrapayRefusal(403, 'REFUND_DECLINED', `The payment channel declined refund ${refundId}.`);
    // a repeat with the same externalRef and amount answers the first refund's activity
    return activityOfEvent(view, (event) => event.objectId === refundId && event.type === 'refund.created');
  });

  r.post('/payment-requests/:id/confirm', { ...documented('activity', 'confirmPaymentRequest', 'Confirm an amount of an authorized pre-authorization; the same idempotencyKey and body replays', { params: s.IdParams, body: s.ConfirmBody }), config: { operation: 'confirm' } }, async (req, reply) => {
    const { caller, body } = req;
    const lines = s.toCoreLineItems(body.lineItems) ?? [];
    const amount = confirmedAmount(body, lines);
    const mismatch = amount === null ? null : pr.checkLineItems(amount, lines); // core's sum check, as create and refund
    if (mismatch) throw mismatch;
    await requirePreAuth(deps, await getPaymentRequest(app, caller, req.params.id));
    if (amount === null || amount <= 0) throw new CentrapayRefusal(403, 'INVALID_AMOUNT', 'A confirmation must be for more than 0.');
    const executed = await execute(app, keyed(req, caller, body.idempotencyKey),
      act((unit) => confirmPaymentRequest(unit, caller, req.params.id, amount)),
      (view: RequestView) => ({ status: 200, body: latestActivity(view, ['confirmation']) }));
    return sendExecuted(reply, executed);
  });

  r.post('/payment-requests/:id/release', { ...documented('activity', 'releasePaymentRequest', 'Release what a pre-authorization has not confirmed', noBody), config: { operation: 'release' } }, async (req) => {
    await requirePreAuth(deps, await getPaymentRequest(app, req.caller, req.params.id));
    const view = await inTransaction(app, act((unit) => releasePaymentRequest(unit, req.caller, req.params.id)));
    return latestActivity(view, ['release', 'cancellation']);
  });

  const conditionSchema = { params: s.ConditionParams, body: s.EmptyBody };
  // Centrapay: each "Returns a Payment Activity": the accept-condition or decline-condition one
  r.post('/payment-requests/:id/conditions/:conditionId/accept', { ...documented('activity', 'acceptCondition', 'The merchant accepts a condition awaiting it: the payment completes; answers the accept-condition activity', conditionSchema), config: { operation: 'condition' } }, async (req) =>
    latestActivity(await inTransaction(app, act((unit) => acceptCondition(unit, req.caller, req.params.id, req.params.conditionId))), ['accept-condition']));

  r.post('/payment-requests/:id/conditions/:conditionId/decline', { ...documented('activity', 'declineCondition', 'The merchant declines a condition awaiting it: the request is cancelled; answers the decline-condition activity', conditionSchema), config: { operation: 'condition' } }, async (req) =>
    latestActivity(await inTransaction(app, act((unit) => declineCondition(unit, req.caller, req.params.id, req.params.conditionId))), ['decline-condition']));
}
