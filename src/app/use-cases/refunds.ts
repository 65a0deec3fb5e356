// Refunds and void: money goes back; Σ refunds ≤ captured is checked by the core and the database.
import { DomainError } from '../../core/errors.js';
import * as pr from '../../core/payment-request.js';
import type { PaymentRequest } from '../../core/payment-request.js';
import { applyRefundAction, createRefund as reserveRefund, type Refund, type RefundAction } from '../../core/refund.js';
import { loadPaymentRequest, loadRefund } from '../access.js';
import type { App, Caller } from '../context.js';
import { merchantNow } from '../time.js';
import type { Work } from '../unit-of-work.js';
import { commit, loadCurrent } from './payment-requests.js';

export interface CreateRefundInput {
  amount: number;
  reference: string;
  reason?: string;
  captureMode?: pr.CaptureMode;
}

export interface RefundResult {
  refund: Refund;
  replayedByReference: boolean;
}

/** Creates the refund and, for automatic refunds, sends it to the channel in the same unit of work. */
async function refundInto(unit: Work, request: PaymentRequest, input: CreateRefundInput, now: number): Promise<{ refund: Refund; request: PaymentRequest }> {
  const reserved = reserveRefund(request, { id: unit.app.ids.id('rf'), amount: input.amount, reference: input.reference, reason: input.reason ?? null, captureMode: input.captureMode ?? 'automatic' }, now);
  await unit.tx.updatePaymentRequest(reserved.request);
  await unit.tx.insertRefund(reserved.refund);
  await unit.emitForRefund(reserved.refund, reserved.request, reserved.events);
  if (reserved.refund.status !== 'pending') return reserved;
  const outcome = await unit.app.connector.refund(reserved.request, reserved.refund);
  if (outcome === 'pending') return reserved;
  return applyAndStore(unit, reserved.refund, reserved.request, outcome === 'succeeded' ? 'settle' : 'fail', now);
}

async function applyAndStore(unit: Work, refund: Refund, request: PaymentRequest, action: RefundAction, now: number) {
  const change = applyRefundAction(refund, request, action, now);
  await unit.tx.updatePaymentRequest(change.request);
  await unit.tx.updateRefund(change.refund);
  await unit.emitForRefund(change.refund, change.request, change.events);
  return change;
}

export async function createRefund(unit: Work, caller: Caller, paymentRequestId: string, input: CreateRefundInput): Promise<RefundResult> {
  const { request, now } = await loadCurrent(unit, caller, paymentRequestId);
  const existing = await unit.tx.findRefundByReference(request.id, input.reference);
  if (existing) {
    if (existing.amount === input.amount) return { refund: existing, replayedByReference: true };
    throw new DomainError('duplicate_reference', `Refund reference ${input.reference} is already used by ${existing.id} for a different amount.`, 'reference', { existingId: existing.id });
  }
  const { refund } = await refundInto(unit, request, input, now);
  return { refund, replayedByReference: false };
}

/** Void: refunds whatever is still refundable while the request is succeeded, then cancels it as voided. */
export async function voidPaymentRequest(unit: Work, caller: Caller, id: string): Promise<PaymentRequest> {
  const { request, now } = await loadCurrent(unit, caller, id);
  pr.voidRequest(request, now); // refuses early (wrong state, window passed) before any refund is made
  const remaining = pr.refundableAmount(request);
  const refunded = remaining > 0 ? (await refundInto(unit, request, { amount: remaining, reference: `void_${request.id}`, reason: 'voided' }, now)).request : request;
  return commit(unit, refunded, pr.voidRequest(refunded, now));
}

async function refundAction(unit: Work, caller: Caller, refundId: string, action: RefundAction): Promise<Refund> {
  const refund = await loadRefund(unit.tx, caller, refundId);
  const request = await loadPaymentRequest(unit.tx, caller, refund.paymentRequestId);
  const now = await merchantNow(unit.app, unit.tx, request.merchantId, request.livemode);
  if (refund.status === 'requires_capture' && refund.expiresAt !== null && now >= refund.expiresAt)
    throw new DomainError('invalid_state', `Refund ${refund.id} expired before it was captured.`, undefined, { status: 'expired' });
  return (await applyAndStore(unit, refund, request, action, now)).refund;
}

export const captureRefund = (unit: Work, caller: Caller, refundId: string) => refundAction(unit, caller, refundId, 'capture');
export const cancelRefund = (unit: Work, caller: Caller, refundId: string) => refundAction(unit, caller, refundId, 'cancel');

export async function getRefund(app: App, caller: Caller, id: string): Promise<Refund> {
  return loadRefund(app.store.read, caller, id);
}

export async function listRefunds(app: App, caller: Caller, paymentRequestId: string): Promise<Refund[]> {
  await loadPaymentRequest(app.store.read, caller, paymentRequestId);
  return app.store.read.listRefunds(paymentRequestId);
}

/** Used by the expiry sweep: a manual refund not captured in time frees its amount. */
export async function expireRefund(unit: Work, refund: Refund, now: number): Promise<void> {
  const request = await unit.tx.getPaymentRequest(refund.paymentRequestId);
  if (!request) return;
  await applyAndStore(unit, refund, request, 'expire', now);
}
