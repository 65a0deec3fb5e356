// The payment-request state machine: a transition table (data) and pure functions that return
// the new request and the events it raises. No clock, no I/O: `now` is always passed in.
import { amounts } from './amounts.js';
import { DomainError } from './errors.js';
import { formatMoney, isAtLeastFraction, isValidAmount, MAX_AMOUNT, sumMinor } from './money.js';

export const PAYMENT_REQUEST_STATUSES = ['prepared', 'created', 'pending', 'authorized', 'succeeded', 'cancelled', 'expired', 'failed'] as const;
export type PaymentRequestStatus = (typeof PAYMENT_REQUEST_STATUSES)[number];
export const ACTIVE_STATUSES: readonly PaymentRequestStatus[] = ['prepared', 'created', 'pending', 'authorized'];
export const FINAL_STATUSES: readonly PaymentRequestStatus[] = ['succeeded', 'cancelled', 'expired', 'failed'];
/** States that end by expiry at `expiresAt` (an authorization has its own expiry). */
export const EXPIRABLE_STATUSES: readonly PaymentRequestStatus[] = ['prepared', 'created', 'pending'];
/** Final states in which the patron did not pay: money already taken is owed back. */
export const UNPAID_FINAL_STATUSES: readonly PaymentRequestStatus[] = ['cancelled', 'expired', 'failed'];

export type CaptureMode = 'automatic' | 'manual';
export type RefundStatusSummary = 'none' | 'partial' | 'full';

export const PAYMENT_REQUEST_ACTIONS = [
  'ready', 'engage', 'pay', 'decline', 'fail', 'patron_cancel', 'cancel', 'expire', 'capture', 'confirm', 'release', 'expire_authorization', 'void', 'refund',
  'hold', 'accept_condition', 'decline_condition', 'decline_attempt',
] as const;
export type PaymentRequestAction = (typeof PAYMENT_REQUEST_ACTIONS)[number];

/**
 * Which actions each state accepts and the states they can lead to. Anything absent is refused.
 * `refund` leaves the status alone (refunds never change status); `pay` may settle fully or partially.
 */
export const PAYMENT_REQUEST_TRANSITIONS: Readonly<Record<PaymentRequestStatus, Partial<Record<PaymentRequestAction, readonly PaymentRequestStatus[]>>>> = {
  prepared: { ready: ['created', 'pending'], engage: ['prepared'], patron_cancel: ['cancelled'], cancel: ['cancelled'], expire: ['expired'] },
  created: {
    engage: ['pending'], pay: ['pending', 'authorized', 'succeeded'], decline: ['failed'], fail: ['failed'], patron_cancel: ['cancelled'], cancel: ['cancelled'], expire: ['expired'],
    release: ['cancelled'], hold: ['pending'],
  },
  pending: {
    engage: ['pending'], pay: ['pending', 'authorized', 'succeeded'], decline: ['failed'], fail: ['failed'], patron_cancel: ['cancelled'], cancel: ['cancelled'], expire: ['expired'],
    release: ['cancelled'], hold: ['pending'], accept_condition: ['pending'], decline_condition: ['cancelled'], decline_attempt: ['created', 'pending'],
  },
  // refund: of what confirmations captured, while the rest of the authorization is still held
  authorized: { capture: ['succeeded'], confirm: ['authorized', 'succeeded'], release: ['succeeded', 'cancelled'], cancel: ['cancelled', 'succeeded'], expire_authorization: ['expired', 'succeeded'], refund: ['authorized'] },
  succeeded: { void: ['cancelled'], refund: ['succeeded'] },
  // refund: of what an unpaid end still holds, when the return made as it ended failed later (takesRefund)
  cancelled: { refund: ['cancelled'] },
  expired: { refund: ['expired'] },
  failed: { refund: ['failed'] },
};

export const PAYMENT_REQUEST_EVENT_TYPES = [
  'payment_request.created', 'payment_request.ready', 'payment_request.pending', 'payment_request.authorized',
  'payment_request.succeeded', 'payment_request.cancelled', 'payment_request.expired', 'payment_request.failed',
  'payment_request.partially_paid', 'payment_request.captured', 'payment_request.condition_raised', 'payment_request.condition_accepted',
  'payment_request.payment_declined',
] as const;
export type PaymentRequestEventType = (typeof PAYMENT_REQUEST_EVENT_TYPES)[number];
/**
 * Notices an API raises for one URL of a request's own (Work.notify: a payment seen on its way but
 * not yet confirmed, a quote renewed): in the request's history and the events list like any event,
 * never sent to a webhook endpoint, so not among the types an endpoint subscribes to.
 */
export const PAYMENT_REQUEST_NOTICE_TYPES = ['payment_request.payment_seen', 'payment_request.quote_renewed'] as const;
export type PaymentRequestNoticeType = (typeof PAYMENT_REQUEST_NOTICE_TYPES)[number];

export interface LineItem {
  name: string;
  sku?: string;
  quantity: number;
  unitAmount: number;
  discountAmount?: number;
  taxRate?: number;
  restricted?: boolean;
}

/** A check the merchant makes before the patron's payment completes (e.g. age-restricted goods). */
export interface MerchantCondition {
  id: string;
  name: string;
  message: string;
  /** awaiting-patron until the patron pays; then awaiting-merchant until the merchant answers. */
  status: 'awaiting-patron' | 'awaiting-merchant' | 'accepted' | 'declined';
}

export const AGE_CONDITION: Omit<MerchantCondition, 'status'> = {
  id: 'age-verification',
  name: 'Age verification',
  message: 'The basket has age-restricted items: check the patron\'s proof of age.',
};

export interface PaymentRequest {
  id: string;
  livemode: boolean;
  merchantId: string;
  storeId: string;
  terminalId: string;
  status: PaymentRequestStatus;
  statusReason: string | null;
  /** The merchant's own words when it cancelled (statusReason stays a stable code). */
  cancellationReason: string | null;
  amount: number | null;
  currency: string;
  amountReceived: number;
  amountAuthorized: number;
  amountCaptured: number;
  amountRefunded: number;
  /** Refunds that are pending, awaiting capture or succeeded: what the captured amount already owes. */
  amountRefundReserved: number;
  overpaid: boolean;
  captureMode: CaptureMode;
  reference: string | null;
  /** The POS's own order id (an order number, a basket id): unlike `reference`, not unique. */
  externalRef: string | null;
  shortCode: string;
  description: string | null;
  lineItems: LineItem[] | null;
  metadata: Record<string, string>;
  webhookUrl: string | null;
  redirectUrl: string | null;
  partialAllowed: boolean;
  basketAmount: number | null;
  patronNotPresent: boolean;
  allowConcurrent: boolean;
  allowedMethods: string[] | null;
  paymentMethod: string | null;
  /** What the chosen channel told the patron to do: the prompt, the account, the crypto quote. */
  methodDetails: Record<string, unknown> | null;
  patronId: string | null;
  /** A patron younger than this cannot approve (the approval is declined with reason `age_restriction`). */
  minimumAge: number | null;
  /**
   * Whether restricted line items are a merchant condition: true, the merchant accepts or declines
   * once the patron pays; false, the payment is refused; null, the API has no conditions (native).
   */
  conditionsEnabled: boolean | null;
  conditions: MerchantCondition[];
  /** This request's authorization lifetime, when its API sets one (a pre-authorization may last months). */
  authorizationTtlMs: number | null;
  /** Which API surface created it (native or a dialect name): its callbacks use that format. */
  source: string;
  /** Hash of the create body: tells a replay by reference from a conflicting reuse of it. */
  fingerprint: string | null;
  expiresAt: number;
  authorizationExpiresAt: number | null;
  createdAt: number;
  updatedAt: number;
  version: number;
}

export interface Transition {
  request: PaymentRequest;
  events: PaymentRequestEventType[];
}

/**
 * Whether two transitions are one ending: the same state and reason made of the same version. A
 * return of what a request owes carries the ending it belongs to, and is that ending's alone.
 */
export function sameEnding(a: Transition, b: Transition): boolean {
  return a.request.version === b.request.version && a.request.status === b.request.status && a.request.statusReason === b.request.statusReason;
}

export const VOID_WINDOW_MS = 24 * 60 * 60 * 1000;

export function isActive(status: PaymentRequestStatus): boolean {
  return ACTIVE_STATUSES.includes(status);
}

export function refundStatusOf(request: Pick<PaymentRequest, 'amountRefunded' | 'amountCaptured'>): RefundStatusSummary {
  if (request.amountRefunded === 0) return 'none';
  return request.amountRefunded >= request.amountCaptured ? 'full' : 'partial';
}

/** quantity × unitAmount − discount, exactly (BigInt: the product of two valid fields may pass 2^53). */
function exactLineTotal(item: LineItem): bigint {
  return BigInt(item.quantity) * BigInt(item.unitAmount) - BigInt(item.discountAmount ?? 0);
}

/** A line's total in minor units (exact for any line that checkLineItems accepts). */
export function lineItemTotal(item: LineItem): number {
  return Number(exactLineTotal(item));
}

/**
 * Each line's total must be a whole, non-negative amount within the limit, and Σ line items must
 * equal the amount exactly; returns the error to raise, or null. All arithmetic is exact. The
 * currency, when the caller knows it already, lets the refusal state both sums as money (a decimal
 * API's POS would read a bare 1000 as 1000.00); without it they are stated as minor units.
 */
export function checkLineItems(amount: number | null, lineItems: LineItem[] | null | undefined, currency?: string): DomainError | null {
  if (!lineItems || lineItems.length === 0) return null;
  for (const [index, item] of lineItems.entries()) {
    if (![item.quantity, item.unitAmount, item.discountAmount ?? 0].every(Number.isSafeInteger))
      return new DomainError('parameter_invalid', `Line item ${index}: quantity, unitAmount and discountAmount must be whole numbers.`, `lineItems.${index}`);
    const total = exactLineTotal(item);
    if (BigInt(item.quantity) * BigInt(item.unitAmount) > BigInt(Number.MAX_SAFE_INTEGER) || total > BigInt(MAX_AMOUNT))
      return new DomainError('parameter_invalid', `Line item ${index}: quantity × unitAmount exceeds the largest amount (10^12 minor units).`, `lineItems.${index}.unitAmount`);
    if (total < 0n)
      return new DomainError('parameter_invalid', `Line item ${index}: discountAmount is larger than quantity × unitAmount.`, `lineItems.${index}.discountAmount`);
  }
  if (amount === null) return null;
  // each line is at most 10^12 here; their sum is exact however many there are (null: past 10^12)
  const sum = sumMinor(lineItems.map(lineItemTotal));
  if (sum === amount) return null;
  const stated = (minor: number) => (currency === undefined ? `${minor} minor units` : formatMoney(minor, currency));
  return new DomainError('line_items_mismatch', `The line items add up to ${sum === null ? 'more than the largest amount' : stated(sum)}, but amount is ${stated(amount)}.`, 'lineItems', { sum, amount });
}

export function canApply(status: PaymentRequestStatus, action: PaymentRequestAction): boolean {
  return PAYMENT_REQUEST_TRANSITIONS[status][action] !== undefined;
}

/** The error for an action the table refuses in this state: the specific codes of the API contract first. */
export function refusal(request: PaymentRequest, action: PaymentRequestAction): DomainError {
  const facts = { status: request.status, statusReason: request.statusReason, action };
  const id = request.id;
  if (action === 'cancel' && request.status === 'succeeded')
    return new DomainError('already_succeeded', `Payment request ${id} has succeeded and cannot be cancelled; void or refund it instead.`, undefined, facts);
  if (action === 'capture') return new DomainError('not_authorized', `Payment request ${id} is ${request.status}; only an authorized request can be captured.`, undefined, facts);
  if (action === 'ready') return new DomainError('not_prepared', `Payment request ${id} is ${request.status}; ready applies only to a prepared request.`, undefined, facts);
  if (request.status === 'expired' && ['pay', 'engage', 'decline', 'fail', 'patron_cancel'].includes(action))
    return new DomainError('request_expired', `Payment request ${id} has expired.`, undefined, facts);
  if (action === 'pay' && request.status === 'prepared')
    return new DomainError('amount_required', `Payment request ${id} is prepared and has no amount yet; make it ready first.`, undefined, facts);
  return new DomainError('invalid_state', `Payment request ${id} is ${request.status}; ${action.replace('_', ' ')} is not possible in that state.`, undefined, facts);
}

function guard(request: PaymentRequest, action: PaymentRequestAction): void {
  if (!canApply(request.status, action)) throw refusal(request, action);
}

function changed(request: PaymentRequest, now: number, patch: Partial<PaymentRequest>): PaymentRequest {
  return { ...request, ...patch, updatedAt: now, version: request.version + 1 };
}

/**
 * Whether expireIfDue can ever act on this request: a reader that finds it cannot need not learn
 * what time it is (in test mode that costs a read of the merchant's test clock).
 */
export function mayExpire(request: PaymentRequest): boolean {
  return EXPIRABLE_STATUSES.includes(request.status) || (request.status === 'authorized' && request.authorizationExpiresAt !== null);
}

/** The request as it is at `now`: an overdue request or authorization expires before anything else happens. */
export function expireIfDue(request: PaymentRequest, now: number): Transition | null {
  if (EXPIRABLE_STATUSES.includes(request.status) && now >= request.expiresAt) return expire(request, now);
  if (request.status === 'authorized' && request.authorizationExpiresAt !== null && now >= request.authorizationExpiresAt)
    return expireAuthorization(request, now);
  return null;
}

export interface ReadyInput {
  amount: number;
  lineItems?: LineItem[] | null;
  /** A prepared request has no amount yet, so its currency may still be set with the amount. */
  currency?: string;
  minimumAge?: number | null;
}

export function ready(request: PaymentRequest, input: ReadyInput, now: number): Transition {
  guard(request, 'ready');
  const lineItems = input.lineItems ?? request.lineItems;
  const currency = input.currency ?? request.currency;
  const mismatch = checkLineItems(input.amount, lineItems, currency);
  if (mismatch) throw mismatch;
  const status: PaymentRequestStatus = request.patronId ? 'pending' : 'created';
  const events: PaymentRequestEventType[] = status === 'pending' ? ['payment_request.ready', 'payment_request.pending'] : ['payment_request.ready'];
  const minimumAge = input.minimumAge === undefined ? request.minimumAge : input.minimumAge;
  return { request: changed(request, now, { status, amount: input.amount, lineItems, currency, minimumAge }), events };
}

/** Whether a patron of this age (null: not known, taken as of age) is too young for the request. */
export function isUnderAge(request: Pick<PaymentRequest, 'minimumAge'>, patronAge: number | null): boolean {
  return request.minimumAge !== null && patronAge !== null && patronAge < request.minimumAge;
}

/** A patron scanned, checked in or was pushed the request. In `prepared` that pairs without a status change. */
export function engage(request: PaymentRequest, patronId: string | null, now: number): Transition {
  guard(request, 'engage');
  if (request.patronId && patronId && request.patronId !== patronId)
    throw new DomainError('invalid_state', `Payment request ${request.id} is already with another patron.`, undefined, { status: request.status });
  if (request.status === 'prepared') return { request: changed(request, now, { patronId }), events: [] };
  if (request.status === 'pending' && request.patronId === patronId) return { request, events: [] };
  return { request: changed(request, now, { status: 'pending', patronId }), events: request.status === 'pending' ? [] : ['payment_request.pending'] };
}

/** The patron picked how to pay; a created request becomes pending (the patron is engaged). */
export function chooseMethod(request: PaymentRequest, method: string, details: Record<string, unknown>, now: number): Transition {
  guard(request, 'engage');
  if (request.amount === null) throw refusal(request, 'pay');
  const events: PaymentRequestEventType[] = request.status === 'created' ? ['payment_request.pending'] : [];
  return { request: changed(request, now, { status: 'pending', paymentMethod: method, methodDetails: details }), events };
}

export interface PaymentInput {
  /** Defaults to what is still owed. */
  amount?: number;
  method?: string | null;
  patronId?: string | null;
  authorizationTtlMs: number;
  /** The merchant's underpayment tolerance: a payment this many basis points short still settles. */
  toleranceBps?: number;
  /**
   * The channel already holds all that arrived (a bank transfer, a crypto payment): an overpayment's
   * excess is taken with the rest, so that it can be refunded. Otherwise only the amount is taken.
   */
  holdsExcess?: boolean;
}

/**
 * Whether what was received settles the amount, allowing for the merchant's tolerance:
 * received ≥ amount × (10 000 − bps) / 10 000, compared exactly (the products pass 2^53 near MAX_AMOUNT).
 */
export function settles(received: number, amount: number, toleranceBps = 0): boolean {
  return isAtLeastFraction(received, amount, 10_000 - toleranceBps, 10_000);
}

/** The patron paid (all, part, or more than owed). Full payment settles or authorizes by capture mode. */
export function pay(request: PaymentRequest, input: PaymentInput, now: number): Transition {
  guard(request, 'pay');
  const amount = request.amount as number;
  const remainder = amounts(request).outstanding as number; // payable: it has an amount, not yet settled
  const paid = input.amount ?? remainder;
  mustBeAmount(paid, 'A payment');
  const received = request.amountReceived + paid;
  // short of the amount beyond the merchant's tolerance: a partial payment, if the request allows one
  if (!settles(received, amount, input.toleranceBps) && !request.partialAllowed)
    throw new DomainError('partial_payment_not_allowed', `The payment of ${formatMoney(paid, request.currency)} is less than the ${formatMoney(remainder, request.currency)} owed and this request does not allow partial payment.`, 'amount');
  const common = {
    amountReceived: received,
    paymentMethod: input.method ?? request.paymentMethod,
    patronId: input.patronId ?? request.patronId,
  };
  if (!settles(received, amount, input.toleranceBps)) {
    const events: PaymentRequestEventType[] = request.status === 'pending' ? ['payment_request.partially_paid'] : ['payment_request.pending', 'payment_request.partially_paid'];
    return { request: changed(request, now, { ...common, status: 'pending' }), events };
  }
  // within the tolerance, what arrived is what is taken: captured never exceeds received, nor the
  // amount unless the channel holds the excess already (it is then the patron's, to refund)
  const taken = input.holdsExcess ? received : Math.min(received, amount);
  const settled = { ...common, overpaid: received > amount, amountAuthorized: taken, statusReason: null };
  if (request.captureMode === 'manual') {
    return {
      request: changed(request, now, { ...settled, status: 'authorized', authorizationExpiresAt: now + (request.authorizationTtlMs ?? input.authorizationTtlMs) }),
      events: ['payment_request.authorized'],
    };
  }
  return { request: changed(request, now, { ...settled, status: 'succeeded', amountCaptured: taken }), events: ['payment_request.succeeded'] };
}

/**
 * Ends a request. Money a patron already paid towards an unpaid request (partial payments) counts
 * as taken, so that it can be returned as a refund (see owedBack).
 */
function finish(request: PaymentRequest, action: PaymentRequestAction, status: PaymentRequestStatus, statusReason: string, now: number, patch: Partial<PaymentRequest> = {}): Transition {
  guard(request, action);
  const taken = UNPAID_FINAL_STATUSES.includes(status) && request.amountCaptured === 0 && request.amountReceived > 0 && request.status !== 'authorized'
    ? { amountAuthorized: request.amountReceived, amountCaptured: request.amountReceived }
    : {};
  return { request: changed(request, now, { status, statusReason, ...taken, ...patch }), events: [`payment_request.${status}` as PaymentRequestEventType] };
}

/** The patron's payment was refused (by the channel, or an age check: reason `age_restriction`). */
export const decline = (request: PaymentRequest, now: number, reason: 'declined' | 'age_restriction' = 'declined', conditions?: MerchantCondition[]) =>
  finish(request, 'decline', 'failed', reason, now, conditions ? { conditions } : {});
/**
 * One attempt to pay was refused by the channel (a mobile-money prompt the patron declined), on a
 * request that stays payable: the channel's instructions are dropped and the request waits for
 * another attempt (`created` again unless a patron is engaged or part was paid). Unlike `decline`,
 * nothing ends: an API whose requests outlive a failed payment (an invoice) uses this.
 */
export function declineAttempt(request: PaymentRequest, now: number): Transition {
  guard(request, 'decline_attempt');
  const status: PaymentRequestStatus = request.patronId === null && request.amountReceived === 0 ? 'created' : 'pending';
  return { request: changed(request, now, { status, statusReason: 'payment_declined', paymentMethod: paidChannelOf(request), methodDetails: null }), events: ['payment_request.payment_declined'] };
}

/**
 * The channel money already came through, once part of the request is paid (else null). A request
 * records one channel: the settlement report counts its whole gross under it and a refund goes back
 * through it, so the rest must come the same way (a second channel's money would be reported and
 * refunded as the first's), and a refused attempt keeps it.
 */
export function paidChannelOf(request: PaymentRequest): string | null {
  return request.amountReceived > 0 ? request.paymentMethod : null;
}
export const fail = (request: PaymentRequest, now: number) => finish(request, 'fail', 'failed', 'payment_failed', now);
export const patronCancel = (request: PaymentRequest, now: number) => finish(request, 'patron_cancel', 'cancelled', 'cancelled_by_patron', now);
/**
 * Merchant cancel; on an authorized request this releases the authorization, keeping what a
 * pre-auth already confirmed (as release does: that money was taken on purpose).
 */
export function cancel(request: PaymentRequest, now: number, note: string | null = null): Transition {
  if (request.status === 'authorized' && request.amountCaptured > 0) return settleConfirmed(request, 'cancel', now);
  return finish(request, 'cancel', 'cancelled', 'cancelled_by_merchant', now, { cancellationReason: note });
}
export const expire = (request: PaymentRequest, now: number) => finish(request, 'expire', 'expired', 'expired', now);
/** An authorization that runs out: what was already confirmed stays taken (released as succeeded). */
export function expireAuthorization(request: PaymentRequest, now: number): Transition {
  if (request.amountCaptured > 0) return settleConfirmed(request, 'expire_authorization', now);
  return finish(request, 'expire_authorization', 'expired', 'authorization_expired', now);
}

function settleConfirmed(request: PaymentRequest, action: PaymentRequestAction, now: number): Transition {
  guard(request, action);
  return { request: changed(request, now, { status: 'succeeded', statusReason: 'released' }), events: ['payment_request.succeeded'] };
}

/**
 * Confirms part of an authorization (a pre-auth's confirmation): it stays authorized for more, until
 * all is confirmed or it is released.
 */
export function confirm(request: PaymentRequest, amount: number, now: number): Transition {
  if (!canApply(request.status, 'confirm')) throw refusal(request, 'capture');
  mustBeAmount(amount, 'A confirmation');
  const captured = request.amountCaptured + amount;
  if (captured > request.amountAuthorized)
    throw new DomainError('amount_exceeds_authorized', `Cannot confirm ${formatMoney(amount, request.currency)}: ${formatMoney(request.amountAuthorized - request.amountCaptured, request.currency)} of the ${formatMoney(request.amountAuthorized, request.currency)} authorized is left.`, 'amount');
  if (captured === request.amountAuthorized) {
    return { request: changed(request, now, { status: 'succeeded', statusReason: 'released', amountCaptured: captured }), events: ['payment_request.captured', 'payment_request.succeeded'] };
  }
  return { request: changed(request, now, { amountCaptured: captured }), events: ['payment_request.captured'] };
}

/** Ends an authorization: succeeded for what was confirmed, cancelled when nothing was (or it was never authorized). */
export function release(request: PaymentRequest, now: number): Transition {
  if (request.status === 'authorized' && request.amountCaptured > 0) return settleConfirmed(request, 'release', now);
  return finish(request, 'release', 'cancelled', 'released', now);
}

/** The conditions a new request starts with: restricted goods, where the request's API has conditions. */
export function initialConditions(lineItems: LineItem[] | null | undefined, conditionsEnabled: boolean | null): MerchantCondition[] {
  const restricted = lineItems?.some((item) => item.restricted) ?? false;
  return conditionsEnabled !== null && restricted ? [{ ...AGE_CONDITION, status: 'awaiting-patron' }] : [];
}

/** Whether paying this request needs the merchant's acceptance first (restricted goods, conditions on). */
export function awaitsCondition(request: PaymentRequest): boolean {
  const restricted = request.lineItems?.some((item) => item.restricted) ?? false;
  return request.conditionsEnabled !== null && restricted && !request.conditions.some((c) => c.id === AGE_CONDITION.id && c.status === 'accepted');
}

/**
 * The patron approved a request with restricted goods: with conditions on, the payment waits for
 * the merchant (the condition awaits it); with them off, the payment is refused.
 */
export function holdForCondition(request: PaymentRequest, now: number, method: string | null = null): Transition {
  if (!request.conditionsEnabled) return decline(request, now, 'age_restriction', withCondition(request, AGE_CONDITION.id, 'declined'));
  guard(request, 'hold');
  if (request.conditions.some((c) => c.id === AGE_CONDITION.id && c.status === 'awaiting-merchant')) return { request, events: [] }; // already waiting
  const conditions: MerchantCondition[] = [...request.conditions.filter((c) => c.id !== AGE_CONDITION.id), { ...AGE_CONDITION, status: 'awaiting-merchant' }];
  const events: PaymentRequestEventType[] = request.status === 'created' ? ['payment_request.pending', 'payment_request.condition_raised'] : ['payment_request.condition_raised'];
  return { request: changed(request, now, { status: 'pending', conditions, paymentMethod: method ?? request.paymentMethod }), events };
}

function conditionAwaiting(request: PaymentRequest, conditionId: string, action: PaymentRequestAction): MerchantCondition {
  const condition = request.conditions.find((c) => c.id === conditionId);
  if (!condition) throw new DomainError('not_found', `Payment request ${request.id} has no condition ${conditionId}.`, 'conditionId', { kind: 'condition' });
  if (condition.status === 'awaiting-patron')
    throw new DomainError('invalid_state', `Condition ${conditionId} waits for the patron to pay first.`, 'conditionId', { status: request.status, condition: condition.status });
  if (condition.status !== 'awaiting-merchant') throw new DomainError('condition_already_set', `Condition ${conditionId} is already ${condition.status}.`, 'conditionId', { status: condition.status });
  guard(request, action);
  return condition;
}

const withCondition = (request: PaymentRequest, id: string, status: MerchantCondition['status']) => request.conditions.map((c) => (c.id === id ? { ...c, status } : c));

/** The merchant accepts: the payment the patron approved may now complete (the caller completes it). */
export function acceptCondition(request: PaymentRequest, conditionId: string, now: number): Transition {
  conditionAwaiting(request, conditionId, 'accept_condition');
  return { request: changed(request, now, { conditions: withCondition(request, conditionId, 'accepted') }), events: ['payment_request.condition_accepted'] };
}

/** The merchant declines: the request is cancelled. */
export function declineCondition(request: PaymentRequest, conditionId: string, now: number): Transition {
  conditionAwaiting(request, conditionId, 'decline_condition');
  return finish(request, 'decline_condition', 'cancelled', 'declined_by_merchant', now, { conditions: withCondition(request, conditionId, 'declined') });
}

/** An amount the core is given to move: whole minor units, positive, within MAX_AMOUNT (the APIs check it first; this keeps the invariant). */
export function mustBeAmount(amount: number, what: string): void {
  if (!isValidAmount(amount)) throw new DomainError('amount_invalid', `${what} must be a whole, positive amount of at most ${MAX_AMOUNT} minor units.`, 'amount');
}

/** Captures all or part of what is left of an authorization (after any confirmations); the rest is released. */
export function capture(request: PaymentRequest, amount: number | undefined, now: number): Transition {
  guard(request, 'capture');
  if (amount !== undefined) mustBeAmount(amount, 'A capture');
  const left = request.amountAuthorized - request.amountCaptured;
  const captured = request.amountCaptured + (amount ?? left);
  if (captured > request.amountAuthorized)
    throw new DomainError('amount_exceeds_authorized', `Cannot capture ${formatMoney(amount as number, request.currency)}: only ${formatMoney(left, request.currency)} of the ${formatMoney(request.amountAuthorized, request.currency)} authorized is left.`, 'amount');
  return { request: changed(request, now, { status: 'succeeded', amountCaptured: captured }), events: ['payment_request.succeeded'] };
}

/** Void: a succeeded request, within 24 h of creation, becomes cancelled/voided (the caller first refunds what is left). */
export function voidRequest(request: PaymentRequest, now: number): Transition {
  guard(request, 'void');
  if (now - request.createdAt > VOID_WINDOW_MS)
    throw new DomainError('void_window_exceeded', `Payment request ${request.id} was created more than 24 hours ago; refund it instead.`);
  return finish(request, 'void', 'cancelled', 'voided', now);
}

export function refundableAmount(request: Pick<PaymentRequest, 'amountCaptured' | 'amountRefundReserved'>): number {
  return request.amountCaptured - request.amountRefundReserved;
}

/** What must go back to the patron of a request that ended unpaid (or was voided): all that was taken and not yet refunded. */
export function owedBack(request: PaymentRequest): number {
  return UNPAID_FINAL_STATUSES.includes(request.status) ? refundableAmount(request) : 0;
}
