// What a payment request's amounts mean to someone reading it: the one place "due", "paid",
// "outstanding" and "overpaid" are computed, so every renderer (native, dialects, the patron's
// pages) and every rule that needs them means the same thing by them. Pure: no I/O, no clock.
import type { PaymentRequest } from './payment-request.js';

export interface RequestAmounts {
  /** The amount asked for; null while the request is prepared (no amount yet). */
  requested: number | null;
  /** All the patron has paid towards it (amountReceived): part payments and any overpayment included, refunds not subtracted. */
  received: number;
  /**
   * What the patron has not paid yet of the amount asked for: requested − received, never below 0,
   * whatever the status (a cancelled request with 400 of 1050 paid has 650 outstanding); null
   * while there is no amount. What a payment made now is measured against.
   */
  outstanding: number | null;
  /** What the patron paid beyond the amount asked for (0 when not overpaid, or no amount yet). */
  overpaid: number;
  /**
   * What the patron has paid and the merchant keeps, as of the status: what was captured once the
   * request succeeded (a pre-authorization counts what was confirmed); what was received while it
   * still takes payments (created, pending: part payments); 0 while it is only authorized (nothing
   * is taken yet) and once it ended unpaid (what was paid went back) or before any amount.
   */
  paid: number;
  /**
   * What the patron must still pay for the request to complete, as of the status: 0 once it is
   * authorized or succeeded (nothing more is asked); otherwise requested − paid, never below 0, so
   * an ended unpaid request is due in full (its money went back) and a prepared one is due 0.
   */
  due: number;
}

type AmountFields = Pick<PaymentRequest, 'status' | 'amount' | 'amountReceived' | 'amountCaptured'>;

export function amounts(request: AmountFields): RequestAmounts {
  const requested = request.amount;
  const received = request.amountReceived;
  const outstanding = requested === null ? null : Math.max(requested - received, 0);
  const overpaid = requested !== null && received > requested ? received - requested : 0;
  const paid = request.status === 'succeeded' ? request.amountCaptured : request.status === 'created' || request.status === 'pending' ? received : 0;
  const due = request.status === 'authorized' || request.status === 'succeeded' ? 0 : Math.max((requested ?? 0) - paid, 0);
  return { requested, received, outstanding, overpaid, paid, due };
}
