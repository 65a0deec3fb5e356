// Writing refund changes, shared by merchant refunds, void, and the return of money owed on a
// request that ended unpaid.
import { formatMoney } from '../../core/money.js';
import { DomainError } from '../../core/errors.js';
import { owedBack, type PaymentRequest, type Transition } from '../../core/payment-request.js';
import { applyRefundAction, returnOwed, type Refund, type RefundAction, type RefundChange } from '../../core/refund.js';
import type { Work } from '../unit-of-work.js';

export async function applyRefund(unit: Work, refund: Refund, request: PaymentRequest, action: RefundAction, now: number): Promise<RefundChange> {
  const change = applyRefundAction(refund, request, action, now);
  await unit.tx.updatePaymentRequest(change.request);
  await unit.tx.updateRefund(change.refund);
  await unit.emitForRefund(change.refund, change.request, change.events);
  return change;
}

/**
 * Persists a newly reserved refund and, unless it awaits a manual capture, has the channel send it
 * (a channel command: the unit runs again with the channel's answer, see Work.moveMoney). The
 * refund keeps the id the channel was told, however often the unit runs.
 */
export async function storeNewRefund(unit: Work, reserved: RefundChange, now: number, ending?: Transition): Promise<RefundChange> {
  if (reserved.refund.status !== 'pending') return writeNewRefund(unit, reserved, null, now);
  const intent = { refund: reserved.refund, ...(ending ? { ending } : {}) };
  const command = await unit.moveMoney(reserved.request, 'refund', reserved.refund.amount, intent, reserved.refund.reference);
  const change = { ...reserved, refund: { ...reserved.refund, id: (command.intent.refund as Refund).id } };
  return writeNewRefund(unit, change, command.outcome === 'pending' ? null : command.outcome === 'succeeded' ? 'settle' : 'fail', now);
}

/**
 * A refund just reserved, and what the channel's answer made of it (`answer`: settled or failed;
 * null while it is pending or awaits a manual capture): the request and the refund are written
 * once, as they end, and the events of both steps are appended.
 */
export async function writeNewRefund(unit: Work, reserved: RefundChange, answer: 'settle' | 'fail' | null, now: number): Promise<RefundChange> {
  const answered = answer === null ? null : applyRefundAction(reserved.refund, reserved.request, answer, now);
  const final = answered ?? reserved;
  // the request as read is the version before the reservation: both steps are one write of it
  await unit.tx.updatePaymentRequest(final.request, reserved.request.version - 1);
  await unit.tx.insertRefund(final.refund);
  await unit.emitForRefund(reserved.refund, reserved.request, reserved.events);
  if (answered) await unit.emitForRefund(answered.refund, answered.request, answered.events);
  return final;
}

/**
 * Gives back all a request owes once it ended unpaid or was voided: manual refunds still awaiting
 * capture are cancelled and one refund returns everything taken and not yet refunded. If the
 * channel refuses that refund, the whole change is refused, so a request never ends owing money;
 * except an expiry, which no one asked for and no one can retry: refused, it would never happen
 * (the request overdue and active for good, its terminal busy, the channel asked for a new return
 * on every sweep and read). It stands with the return failed, and what the request holds is
 * refundable again, as after a return the channel fails later (core takesRefund).
 */
export async function returnOwedFunds(unit: Work, request: PaymentRequest, now: number, ending?: Transition): Promise<PaymentRequest> {
  let current = request;
  for (const refund of await unit.tx.listRefunds(request.id)) {
    if (refund.status === 'requires_capture') current = (await applyRefund(unit, refund, current, 'cancel', now)).request;
  }
  if (owedBack(current) <= 0) return current;
  const returned = await storeNewRefund(unit, returnOwed(current, unit.app.ids.id('rf'), now), now, ending);
  if (returned.refund.status === 'failed' && request.status !== 'expired')
    throw new DomainError('invalid_state', `The payment channel refused to return ${formatMoney(returned.refund.amount, request.currency)} for ${request.id}; nothing was changed.`, undefined, { status: request.status });
  return returned.request;
}
