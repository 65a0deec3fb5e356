// What a patron does to a payment request (approve, decline, cancel, fail), from wherever it comes:
// the sandbox API, the pay page, the patron's own page, auto-pay, or a merchant accepting a held
// payment. An approval is authorized by the payment channel before it counts. Production logic,
// which is why it is not in sandbox.ts.
import { amounts } from '../../core/amounts.js';
import { DomainError } from '../../core/errors.js';
import * as pr from '../../core/payment-request.js';
import type { PaymentRequest } from '../../core/payment-request.js';
import type { Work } from '../unit-of-work.js';
import { refreshInstructions } from './channels.js';
import { commit } from './payment-requests.js';

export type PatronOutcome = 'approve' | 'decline' | 'cancel' | 'fail';

export interface PatronAction {
  outcome: PatronOutcome;
  amount?: number;
  method?: string;
}

export interface PaymentSettings {
  authorizationTtlMs: number;
  toleranceBps: number;
}

/**
 * The method of an approval that names none (auto-pay, the pay page before a channel is picked, the
 * sandbox pay without `method`): the one the patron engaged with, else card when the request takes
 * it, else the first method the request allows (of those `offered`, the channels the connector has).
 */
export function defaultMethod(request: PaymentRequest, offered?: readonly string[]): string {
  if (request.paymentMethod) return request.paymentMethod;
  const allowed = request.allowedMethods;
  if (!allowed || allowed.includes('card')) return 'card';
  return allowed.find((method) => !offered || offered.includes(method)) ?? allowed[0] ?? 'card';
}

/** Applies what the patron did to a request (shared by the sandbox endpoint, the pay page and auto-pay). */
export function patronActs(request: PaymentRequest, input: PatronAction, now: number, settings: PaymentSettings): pr.Transition {
  if (input.method && request.allowedMethods && !request.allowedMethods.includes(input.method))
    throw new DomainError('method_not_allowed', `This request accepts only ${request.allowedMethods.join(', ')}.`, 'method');
  switch (input.outcome) {
    case 'approve':
      return pr.pay(request, { amount: input.amount, method: input.method ?? defaultMethod(request), ...settings }, now);
    case 'decline':
      return pr.decline(request, now);
    case 'fail':
      return pr.fail(request, now);
    case 'cancel':
      return pr.patronCancel(request, now);
  }
}

/**
 * What the patron did, through the channel: an approval is authorized by the connector (the
 * inbound "patron paid" path) before it counts; a channel that declines fails the request.
 */
export async function patronAct(unit: Work, request: PaymentRequest, input: PatronAction, now: number): Promise<PaymentRequest> {
  if (input.outcome === 'approve' && pr.canApply(request.status, 'decline') && pr.isUnderAge(request, await patronAge(unit, request)))
    return commit(unit, request, pr.decline(request, now, 'age_restriction'));
  // restricted goods: the payment waits for the merchant's check (or is refused without conditions)
  if (input.outcome === 'approve' && pr.canApply(request.status, 'hold') && pr.awaitsCondition(request)) {
    // the held approval is completed for what is owed when the merchant accepts: no part payments
    const outstanding = amounts(request).outstanding;
    if (input.amount !== undefined && outstanding !== null && input.amount < outstanding)
      throw new DomainError('partial_payment_not_allowed', 'A payment that waits for the merchant\'s check pays all that is owed.', 'amount');
    return commit(unit, request, pr.holdForCondition(request, now, input.method ?? null));
  }
  const settings = await paymentSettings(unit, request.merchantId);
  const chosen = input.outcome === 'approve' ? (input.method ?? defaultMethod(request, unit.app.connector.channels(request))) : input.method;
  const transition = patronActs(request, { ...input, method: chosen }, now, settings); // validates before the channel is asked
  if (input.outcome !== 'approve') return commit(unit, request, transition);
  // the channel is asked for what the request takes: an offer above what is owed is recorded
  // (amountReceived, overpaid) but its excess is not taken, as no capture or refund would account
  // for it (money a channel delivered on its own, a transfer, is all taken: channel-events.ts)
  const paid = transition.request.amountReceived - request.amountReceived;
  const excess = transition.request.overpaid ? transition.request.amountReceived - (transition.request.amount as number) : 0;
  const amount = paid - excess;
  const method = transition.request.paymentMethod ?? 'card';
  // a request that takes part payments may rightly take two of one amount at once
  const { outcome } = await unit.moveMoney(request, 'authorize', amount, { method }, method, request.partialAllowed);
  const after = await commit(unit, request, outcome === 'approved' ? transition : pr.decline(request, now));
  // still owed after a partial payment: the instructions now describe the remainder
  return after.status === 'pending' ? refreshInstructions(unit, after, now) : after;
}

async function patronAge(unit: Work, request: PaymentRequest): Promise<number | null> {
  if (request.minimumAge === null || request.patronId === null) return null;
  return (await unit.tx.getPatron(request.patronId))?.age ?? null;
}

/** The settings a payment of this merchant is judged by. */
export async function paymentSettings(unit: Work, merchantId: string): Promise<PaymentSettings> {
  const merchant = await unit.tx.getMerchant(merchantId);
  return { authorizationTtlMs: unit.app.config.authorizationTtlMs, toleranceBps: merchant?.underpaymentToleranceBps ?? 0 };
}
