// Merchant conditions: the merchant checks something (the patron's age) before the payment the
// patron already approved completes.
import * as pr from '../../core/payment-request.js';
import type { PaymentRequest } from '../../core/payment-request.js';
import type { Caller } from '../context.js';
import type { Work } from '../unit-of-work.js';
import { commit, loadCurrent } from './payment-requests.js';
import { patronAct } from './patron-payments.js';

/** Accepting completes the payment the patron approved while the condition waited. */
export async function acceptCondition(unit: Work, caller: Caller, id: string, conditionId: string): Promise<PaymentRequest> {
  const { request, now } = await loadCurrent(unit, caller, id);
  const accepted = await commit(unit, request, pr.acceptCondition(request, conditionId, now));
  if (pr.awaitsCondition(accepted)) return accepted;
  return patronAct(unit, accepted, { outcome: 'approve', method: accepted.paymentMethod ?? undefined }, now);
}

export async function declineCondition(unit: Work, caller: Caller, id: string, conditionId: string): Promise<PaymentRequest> {
  const { request, now } = await loadCurrent(unit, caller, id);
  return commit(unit, request, pr.declineCondition(request, conditionId, now));
}
