// Refunds: a child of a succeeded payment request. Σ (pending + awaiting capture + succeeded) ≤ captured.
import { DomainError } from './errors.js';
import { formatMoney } from './money.js';
import { canApply, mustBeAmount, owedBack, refusal, refundableAmount, UNPAID_FINAL_STATUSES, type CaptureMode, type PaymentRequest } from './payment-request.js';

export const REFUND_STATUSES = ['pending', 'succeeded', 'failed', 'requires_capture', 'cancelled', 'expired'] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];
/** Refunds whose amount is held against the captured amount (the request's amountRefundReserved); the others released it. */
export const REFUND_RESERVING_STATUSES: readonly RefundStatus[] = ['pending', 'requires_capture', 'succeeded'];
/**
 * `capture`, `send` and `fail` on a manual refund are the channel's answers to its capture (the
 * moment its money is sent): settled at once, pending until the channel settles it, or refused.
 */
export const REFUND_ACTIONS = ['settle', 'fail', 'capture', 'send', 'cancel', 'expire'] as const;
export type RefundAction = (typeof REFUND_ACTIONS)[number];

export const REFUND_TRANSITIONS: Readonly<Record<RefundStatus, Partial<Record<RefundAction, RefundStatus>>>> = {
  pending: { settle: 'succeeded', fail: 'failed' },
  requires_capture: { capture: 'succeeded', send: 'pending', fail: 'failed', cancel: 'cancelled', expire: 'expired' },
  succeeded: {},
  failed: {},
  cancelled: {},
  expired: {},
};

export const REFUND_EVENT_TYPES = ['refund.created', 'refund.succeeded', 'refund.failed', 'refund.cancelled', 'refund.expired'] as const;
export type RefundEventType = (typeof REFUND_EVENT_TYPES)[number];

/** A manual refund not captured within this time expires and frees its amount. */
export const REFUND_CAPTURE_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface Refund {
  id: string;
  livemode: boolean;
  merchantId: string;
  terminalId: string;
  paymentRequestId: string;
  amount: number;
  currency: string;
  status: RefundStatus;
  reference: string;
  reason: string | null;
  captureMode: CaptureMode;
  expiresAt: number | null;
  createdAt: number;
  updatedAt: number;
  version: number;
}

export interface RefundChange {
  refund: Refund;
  request: PaymentRequest;
  events: RefundEventType[];
}

export interface NewRefund {
  id: string;
  amount: number;
  reference: string;
  reason: string | null;
  captureMode: CaptureMode;
  /** Refunds are refused this long after the request was created (a provider's refund window). */
  windowMs?: number;
}

/** References starting with this are posgate's own (void and returns); merchants cannot use them. */
export const SYSTEM_REFERENCE_PREFIX = 'posgate:';
export const RETURN_REFERENCE = `${SYSTEM_REFERENCE_PREFIX}return`;

/**
 * Whether the request takes a refund now: a succeeded one; an authorized one of what it captured
 * (a pre-authorization's confirmations, while the rest is held); and one that ended unpaid or was
 * voided while it still holds money. Such an end returns everything at once (returnOwed), but a
 * channel may fail that return later (a crypto refund): the money is then refundable again, so a
 * request never ends owing the patron with no way to pay it back. Anything else (an authorization
 * with nothing captured, an end that holds nothing) is refused as its state.
 */
export function takesRefund(request: Pick<PaymentRequest, 'status' | 'amountCaptured' | 'amountRefundReserved'>): boolean {
  if (!canApply(request.status, 'refund')) return false;
  if (request.status === 'authorized') return request.amountCaptured > 0;
  if (UNPAID_FINAL_STATUSES.includes(request.status)) return refundableAmount(request) > 0;
  return true;
}

/** Reserves the amount against what was captured; the refund then settles or awaits capture. */
export function createRefund(request: PaymentRequest, input: NewRefund, now: number): RefundChange {
  if (!takesRefund(request)) throw refusal(request, 'refund');
  if (input.windowMs !== undefined && now - request.createdAt > input.windowMs)
    throw new DomainError('refund_window_exceeded', `Payment request ${request.id} was created more than ${Math.floor(input.windowMs / 86_400_000)} days ago and can no longer be refunded.`, undefined, { createdAt: request.createdAt });
  mustBeAmount(input.amount, 'A refund');
  const refundable = refundableAmount(request);
  if (input.amount > refundable)
    throw new DomainError('amount_exceeds_refundable', `Cannot refund ${formatMoney(input.amount, request.currency)}: ${formatMoney(refundable, request.currency)} of the ${formatMoney(request.amountCaptured, request.currency)} captured is still refundable.`, 'amount', { refundable });
  return reserve(request, input, now);
}

/** The refund that gives back everything owed on a request that ended unpaid or was voided. */
export function returnOwed(request: PaymentRequest, id: string, now: number): RefundChange {
  const amount = owedBack(request);
  if (amount <= 0) throw new DomainError('invalid_state', `Payment request ${request.id} owes nothing back.`);
  return reserve(request, { id, amount, reference: RETURN_REFERENCE, reason: request.statusReason, captureMode: 'automatic' }, now);
}

function reserve(request: PaymentRequest, input: NewRefund, now: number): RefundChange {
  const manual = input.captureMode === 'manual';
  const refund: Refund = {
    id: input.id,
    livemode: request.livemode,
    merchantId: request.merchantId,
    terminalId: request.terminalId,
    paymentRequestId: request.id,
    amount: input.amount,
    currency: request.currency,
    status: manual ? 'requires_capture' : 'pending',
    reference: input.reference,
    reason: input.reason,
    captureMode: input.captureMode,
    expiresAt: manual ? now + REFUND_CAPTURE_WINDOW_MS : null,
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  const updated = { ...request, amountRefundReserved: request.amountRefundReserved + input.amount, updatedAt: now, version: request.version + 1 };
  return { refund, request: updated, events: ['refund.created'] };
}

/** Applies a refund action; money moves on the request: settled adds to refunded, released frees the reservation. */
export function applyRefundAction(refund: Refund, request: PaymentRequest, action: RefundAction, now: number): RefundChange {
  const next = REFUND_TRANSITIONS[refund.status][action];
  if (!next) {
    throw new DomainError('invalid_state', `Refund ${refund.id} is ${refund.status}; ${action} is not possible in that state.`, undefined, { status: refund.status, action });
  }
  const settled = next === 'succeeded';
  const released = next === 'failed' || next === 'cancelled' || next === 'expired';
  const updatedRequest: PaymentRequest = {
    ...request,
    amountRefunded: request.amountRefunded + (settled ? refund.amount : 0),
    amountRefundReserved: request.amountRefundReserved - (released ? refund.amount : 0),
    updatedAt: now,
    version: request.version + 1,
  };
  return {
    refund: { ...refund, status: next, updatedAt: now, version: refund.version + 1 },
    request: updatedRequest,
    // a captured refund that the channel has yet to settle has no event of its own: refund.succeeded or refund.failed follows
    events: next === 'pending' ? [] : [`refund.${next}` as RefundEventType],
  };
}
