// Refunds and void: money goes back; Σ refunds ≤ captured is checked by the core and the database.
import { DomainError } from '../../core/errors.js';
import * as pr from '../../core/payment-request.js';
import type { LineItem, PaymentRequest } from '../../core/payment-request.js';
import { createRefund as reserveRefund, SYSTEM_REFERENCE_PREFIX, type Refund, type RefundAction } from '../../core/refund.js';
import { applyRefund, storeNewRefund } from './refund-writes.js';
import { loadPaymentRequest, loadRefund, lockPaymentRequest } from '../access.js';
import type { App, Caller } from '../context.js';
import type { Page } from '../ports/persistence.js';
import { merchantNow } from '../time.js';
import type { Work } from '../unit-of-work.js';
import { commit, loadCurrent } from './payment-requests.js';
import { auditOperation } from './audit.js';
import { formatMoney } from '../../core/money.js';

/** What the audit log says of a refund: "rf_…: NZD 7.50 (succeeded)". */
export const refundDetail = (refund: Refund) => `${refund.id}: ${formatMoney(refund.amount, refund.currency)} (${refund.status})`;

/** A refund as the caller means it: checked whole here, so a dialect only parses and renders. */
export interface CreateRefundInput {
  /**
   * In minor units; or, for an API whose amounts are decimals in the refund's currency, how to read
   * it once that currency is known (the request's, when `currency` is absent).
   */
  amount: number | ((currency: string) => number);
  /** The currency the caller means; absent: the request's. Any other is refused (currency_mismatch). */
  currency?: string;
  /** What is refunded; when given, their totals must add up to the amount (line_items_mismatch). */
  lineItems?: LineItem[];
  reference: string;
  reason?: string;
  captureMode?: pr.CaptureMode;
  /** A provider's refund window (e.g. 30 days); none in the native API. */
  windowMs?: number;
}

export interface RefundResult {
  refund: Refund;
  replayedByReference: boolean;
}

/** Line items, when given, must add up to the amount (core's check: exact sums). */
function checkRefundLineItems(amount: number, lineItems: LineItem[] | undefined, currency: string | undefined): void {
  const mismatch = pr.checkLineItems(amount, lineItems, currency);
  if (mismatch) throw mismatch;
}

export async function createRefund(unit: Work, caller: Caller, paymentRequestId: string, input: CreateRefundInput): Promise<RefundResult> {
  // what can be checked without the request is checked first: a malformed refund reads nothing
  if (typeof input.amount === 'number') checkRefundLineItems(input.amount, input.lineItems, input.currency);
  if (input.reference.startsWith(SYSTEM_REFERENCE_PREFIX))
    throw new DomainError('parameter_invalid', `A refund reference must not start with ${SYSTEM_REFERENCE_PREFIX} (posgate's own refunds).`, 'reference');
  const { request, now } = await loadCurrent(unit, caller, paymentRequestId);
  const currency = input.currency ?? request.currency;
  if (currency !== request.currency)
    throw new DomainError('currency_mismatch', `currency must be ${request.currency}, the currency of payment request ${request.id}.`, 'currency', { expected: request.currency });
  const amount = typeof input.amount === 'number' ? input.amount : input.amount(currency);
  if (typeof input.amount !== 'number') checkRefundLineItems(amount, input.lineItems, currency);
  const existing = await unit.tx.findRefundByReference(request.id, input.reference);
  if (existing) {
    if (existing.amount === amount) return { refund: existing, replayedByReference: true };
    throw new DomainError('duplicate_reference', `Refund reference ${input.reference} is already used by ${existing.id} for a different amount.`, 'reference', { existingId: existing.id });
  }
  const reserved = reserveRefund(request, { id: unit.app.ids.id('rf'), amount, reference: input.reference, reason: input.reason ?? null, captureMode: input.captureMode ?? 'automatic', windowMs: input.windowMs }, now);
  const { refund } = await storeNewRefund(unit, reserved, now);
  // audited here for every API and the dashboard alike; a replay by reference above changed nothing and is not
  await auditOperation(unit, caller, 'payment_request.refund', request.id, refundDetail(refund));
  return { refund, replayedByReference: false };
}

/** Void: a succeeded request (≤ 24 h old) is cancelled as voided; committing it returns all it owes (see commit). */
export async function voidPaymentRequest(unit: Work, caller: Caller, id: string): Promise<PaymentRequest> {
  const { request, now } = await loadCurrent(unit, caller, id);
  const voided = await commit(unit, request, pr.voidRequest(request, now));
  await auditOperation(unit, caller, 'payment_request.void', id);
  return voided;
}

/** A refund capture or cancel may repeat: one that finds the refund already so answers it unchanged. */
export interface RefundActionIntent {
  again?: boolean;
}

/** What a repeat finds once the action was done (a capture the channel has yet to settle is pending). */
const OUTCOMES: Record<'capture' | 'cancel', readonly Refund['status'][]> = { capture: ['succeeded', 'pending'], cancel: ['cancelled'] };

async function refundAction(unit: Work, caller: Caller, refundId: string, action: 'capture' | 'cancel', intent: RefundActionIntent): Promise<Refund> {
  // every refund change also changes its request: lock the request first, then read the refund as it is now
  const { paymentRequestId } = await loadRefund(unit.tx, caller, refundId);
  const request = await lockPaymentRequest(unit.tx, caller, paymentRequestId);
  const refund = await loadRefund(unit.tx, caller, refundId);
  if (intent.again && OUTCOMES[action].includes(refund.status)) return refund;
  const now = await merchantNow(unit.app, unit.tx, request.merchantId, request.livemode);
  // a unit applying the channel's answer to this capture sent the money before the deadline: it stands
  if (!unit.holds(request.id) && refund.status === 'requires_capture' && refund.expiresAt !== null && now >= refund.expiresAt)
    throw new DomainError('invalid_state', `Refund ${refund.id} expired before it was captured.`, undefined, { status: 'expired' });
  const step = action === 'capture' ? await sendCaptured(unit, request, refund) : action;
  const changed = (await applyRefund(unit, refund, request, step, now)).refund;
  await auditOperation(unit, caller, `refund.${action}`, request.id, refundDetail(changed));
  return changed;
}

/**
 * A manual refund's money goes when it is captured: the channel is asked then (a channel command,
 * as for every refund), and its answer settles the refund, leaves it pending for the channel to
 * settle later, or fails it (its amount is then refundable again).
 */
async function sendCaptured(unit: Work, request: PaymentRequest, refund: Refund): Promise<RefundAction> {
  if (refund.status !== 'requires_capture') return 'capture'; // refused by the core, as its state
  const command = await unit.moveMoney(request, 'refund', refund.amount, { refund, captured: true }, refund.reference);
  return command.outcome === 'succeeded' ? 'capture' : command.outcome === 'pending' ? 'send' : 'fail';
}

export const captureRefund = (unit: Work, caller: Caller, refundId: string, intent: RefundActionIntent = {}) => refundAction(unit, caller, refundId, 'capture', intent);
export const cancelRefund = (unit: Work, caller: Caller, refundId: string, intent: RefundActionIntent = {}) => refundAction(unit, caller, refundId, 'cancel', intent);

export async function getRefund(app: App, caller: Caller, id: string): Promise<Refund> {
  return loadRefund(app.db.read, caller, id);
}

/** A request's refunds, oldest first. A request has few refunds (each takes money), so paging slices the list. */
export async function listRefunds(app: App, caller: Caller, paymentRequestId: string, page: { limit: number; afterId?: string }): Promise<Page<Refund>> {
  await loadPaymentRequest(app.db.read, caller, paymentRequestId);
  const all = await app.db.read.listRefunds(paymentRequestId);
  const rest = page.afterId === undefined ? all : all.filter((r) => r.id > page.afterId!);
  return { items: rest.slice(0, page.limit), hasMore: rest.length > page.limit };
}

/** Used by the expiry sweep: a manual refund not captured in time frees its amount (`request` locked by the caller, before the refund was read). */
export async function expireRefund(unit: Work, refund: Refund, request: PaymentRequest, now: number): Promise<void> {
  await applyRefund(unit, refund, request, 'expire', now);
}
