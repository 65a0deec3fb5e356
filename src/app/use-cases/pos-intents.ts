// What a POS asks for, as a whole intent: a cancel or a capture that may repeat, a void of whatever
// the sale is now. Checked here, so a dialect parses, calls one of these and renders. Cancel and
// void lock the request once, commit through the same transitions as the plain use cases
// and are audited as they are (auditOperation).
import { DomainError } from '../../core/errors.js';
import * as pr from '../../core/payment-request.js';
import type { PaymentRequest } from '../../core/payment-request.js';
import type { Caller } from '../context.js';
import type { Work } from '../unit-of-work.js';
import { auditOperation } from './audit.js';
import { capturePaymentRequest, commit, loadCurrent } from './payment-requests.js';

export interface CancelIntent {
  /** The merchant's own words, kept as cancellationReason. */
  reason?: string;
  /**
   * A cancel that finds the request already cancelled answers it unchanged instead of refusing it
   * (invalid_state): `by_merchant` when the merchant ended it (cancelled, voided, released, or
   * declined its condition; not the patron), `any` whoever cancelled it, `unpaid_end` whenever it
   * ended unpaid in any way (cancelled by anyone, expired, failed). Absent: no repeat.
   */
  again?: 'by_merchant' | 'any' | 'unpaid_end';
}

/** Whether the request is already what a repeated cancel of this kind asks for. */
export function alreadyCancelled(request: Pick<PaymentRequest, 'status' | 'statusReason'>, again: CancelIntent['again']): boolean {
  if (again === 'unpaid_end') return request.status === 'cancelled' || request.status === 'expired' || request.status === 'failed';
  if (request.status !== 'cancelled' || again === undefined) return false;
  return again === 'any' || request.statusReason !== 'cancelled_by_patron';
}

/** The merchant cancels; money the patron paid towards it goes back in the same change (see commit). */
export async function cancelRequest(unit: Work, caller: Caller, id: string, intent: CancelIntent = {}): Promise<PaymentRequest> {
  const { request, now } = await loadCurrent(unit, caller, id);
  if (alreadyCancelled(request, intent.again)) return request; // a repeat changes nothing: not audited
  const cancelled = await commit(unit, request, pr.cancel(request, now, intent.reason ?? null));
  await auditOperation(unit, caller, 'payment_request.cancel', id, intent.reason ?? null);
  return cancelled;
}

/**
 * A POS's void: undo the sale, whatever state it is in now. A paid request is voided (everything
 * not yet refunded goes back; 24 h window); one with nothing left to refund, or already voided, is
 * `already_refunded`. A request not paid yet is cancelled instead (an authorization with nothing
 * confirmed is released); an authorization with confirmations is refused (invalid_state: refund
 * what was confirmed). The native API's void is voidPaymentRequest: a succeeded request only.
 */
export async function voidSale(unit: Work, caller: Caller, id: string): Promise<PaymentRequest> {
  const { request, now } = await loadCurrent(unit, caller, id);
  if (request.status === 'succeeded') {
    // nothing left to give back: all captured is refunded or on its way. A manual refund still
    // awaiting capture has sent nothing: the void cancels it and returns its amount (returnOwedFunds)
    if (pr.refundableAmount(request) === 0 && !(await unit.tx.listRefunds(request.id)).some((refund) => refund.status === 'requires_capture'))
      throw new DomainError('already_refunded', `Payment request ${request.id} is already refunded in full.`, undefined, { status: request.status, refundable: 0 });
    const voided = await commit(unit, request, pr.voidRequest(request, now));
    await auditOperation(unit, caller, 'payment_request.void', id);
    return voided;
  }
  if (request.status === 'authorized' && request.amountCaptured > 0)
    throw new DomainError('invalid_state', `Payment request ${request.id} has confirmations; refund them instead.`, undefined, { status: request.status, statusReason: request.statusReason });
  if (request.status === 'cancelled' && request.statusReason === 'voided')
    throw new DomainError('already_refunded', `Payment request ${request.id} is already voided.`, undefined, { status: request.status, statusReason: request.statusReason });
  const cancelled = await commit(unit, request, pr.cancel(request, now)); // not paid yet: voiding it cancels it
  await auditOperation(unit, caller, 'payment_request.cancel', id, 'a void of a request not paid yet');
  return cancelled;
}

export interface CaptureIntent {
  /** In minor units, or read in the request's currency; absent: all that is left of the authorization. */
  amount?: number | ((currency: string) => number);
  /**
   * A capture that finds the request already succeeded, asking for no amount or for the amount
   * already captured, answers it unchanged instead of refusing it (not_authorized).
   */
  again?: boolean;
}

/** Captures an authorization (capturePaymentRequest), or answers a repeat of a capture that was made. */
export async function captureRequest(unit: Work, caller: Caller, id: string, intent: CaptureIntent = {}): Promise<PaymentRequest> {
  const { request } = await loadCurrent(unit, caller, id);
  const amount = typeof intent.amount === 'function' ? intent.amount(request.currency) : intent.amount;
  if (intent.again && request.status === 'succeeded' && (amount === undefined || amount === request.amountCaptured)) return request;
  return capturePaymentRequest(unit, caller, id, amount);
}
