// payment/refund: full, partial, underpaid or overpaid. A refund is asked of the channel and is
// pending until the customer has said where to send it (CLIQ emails or texts them), then completed
// or failed. Never more than is refundable: the engine holds Σ refunds ≤ what was taken; the type
// fixes the amount: full = the payment's amount, overpaid = the excess, underpaid = all that a
// payment still short received (the payment then ends, as cancelled, its money on the way back).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { App, Caller } from '../../app/context.js';
import { cancelPaymentRequest, loadCurrent } from '../../app/use-cases/payment-requests.js';
import { createRefund } from '../../app/use-cases/refunds.js';
import { inTransaction, type Work } from '../../app/unit-of-work.js';
import { amounts } from '../../core/amounts.js';
import { DomainError } from '../../core/errors.js';
import type { PaymentRequest } from '../../core/payment-request.js';
import { RETURN_REFERENCE, type Refund } from '../../core/refund.js';
import { authOf, checkHash } from './auth.js';
import { refundsOf, saveRefund, type CliqRefund } from './fields.js';
import { findPayment } from './lookup.js';
import { decimalAmount, documented, hashOf, Key, Refunded } from './openapi.js';
import { amountOf, hashText, onlyKnown, optionalText, requiredText, type Params } from './params.js';
import { route } from './transport.js';
import { assetAmount, refundView } from './render.js';

export const REFUND_TYPES = ['full', 'partial', 'underpaid', 'overpaid'] as const;
type RefundType = (typeof REFUND_TYPES)[number];

// The body as the call checks it, for the document
const RefundBody = z.strictObject({
  payment_code: z.string().min(1).max(64),
  refund_type: z.enum(REFUND_TYPES).describe('full: the whole amount; partial: any amount up to what is refundable; overpaid: exactly the excess; underpaid: exactly what a payment still short received'),
  amount: decimalAmount("The refund's amount in the settlement asset's major units, with at most its decimals"),
  email: z.string().max(255).optional(),
  mobile: z.string().max(32).optional(),
  remarks: z.string().max(1000).optional(),
  key: Key,
  hash: hashOf("key + asset + amount + api_secret (asset: the payment's settlement asset; amount: the refund's, as sent), or key + payment_code + amount + api_secret"),
});

/** The amount a type refunds, from the request as it is now; the amount sent must be exactly it. */
function expectedAmount(type: Exclude<RefundType, 'partial'>, request: PaymentRequest): number {
  const { requested, received, overpaid } = amounts(request);
  const short = (request.status === 'created' || request.status === 'pending') && received > 0;
  if (type === 'full') return requested ?? 0;
  if (type === 'overpaid') {
    if (request.status !== 'succeeded' || overpaid === 0) throw new DomainError('invalid_state', 'The payment is not overpaid: an overpaid refund returns the excess of an overpaid payment.', 'refund_type', { status: request.status });
    return overpaid;
  }
  if (!short) throw new DomainError('invalid_state', 'The payment is not underpaid: an underpaid refund returns what a payment still short has received.', 'refund_type', { status: request.status });
  return received;
}

/**
 * The underpaid refund a payment already had, when `amount` is what it returned: an underpaid
 * refund ends the payment, so a repeat (its answer lost, or two sent at once) finds it ended and
 * answers that refund, as a repeated full or overpaid refund answers its own.
 */
async function underpaidRefundOf(unit: Work, request: PaymentRequest, amount: number): Promise<Refund | null> {
  if (request.status !== 'cancelled') return null;
  const returned = (await unit.tx.listRefunds(request.id)).find((refund) => refund.reference === RETURN_REFERENCE);
  if (!returned || returned.amount !== amount) return null;
  return (await refundsOf(unit.tx, [returned.id])).get(returned.id)?.refundType === 'underpaid' ? returned : null;
}

async function refundOf(unit: Work, caller: Caller, requestId: string, type: RefundType, amount: number, reference: string): Promise<Refund> {
  const { request } = await loadCurrent(unit, caller, requestId);
  const repeated = type === 'underpaid' ? await underpaidRefundOf(unit, request, amount) : null;
  if (repeated) return repeated;
  if (type !== 'partial') {
    const expected = expectedAmount(type, request);
    if (amount !== expected)
      throw new DomainError('amount_invalid', `A${type === 'overpaid' || type === 'underpaid' ? 'n' : ''} ${type} refund is exactly ${assetAmount(expected, request.currency)} ${request.currency}, not ${assetAmount(amount, request.currency)}.`, 'amount');
  }
  if (type !== 'underpaid') return (await createRefund(unit, caller, requestId, { amount, reference })).refund;
  // the payment stays short: it ends, and what it received goes back (the engine's return of money owed)
  await cancelPaymentRequest(unit, caller, requestId, 'underpaid refund');
  const returned = (await unit.tx.listRefunds(requestId)).find((refund) => refund.reference === RETURN_REFERENCE);
  if (!returned) throw new DomainError('invalid_state', 'Nothing was returned for this payment.');
  return returned;
}

export function refundRoutes(c: FastifyInstance, app: App): void {
  route(c, 'refund', '/api/payment/refund', documented('requestRefund', 'Refund a payment, all or part of it: pending until the customer says where to send it', RefundBody, Refunded), async (params: Params) => {
    onlyKnown(params, ['payment_code', 'refund_type', 'amount', 'email', 'mobile', 'remarks', 'key', 'hash']);
    const paymentCode = requiredText(params, 'payment_code', 64);
    const auth = await authOf(app, params);
    const { request } = await findPayment(app, auth.caller, { paymentCode });
    // CLIQ documents key+asset+amount (asset: the settlement asset); key+payment_code+amount is accepted too
    checkHash(auth, [
      { parts: [auth.key, request.currency, hashText(params, 'amount')], names: 'key+asset+amount' },
      { parts: [auth.key, paymentCode, hashText(params, 'amount')], names: 'key+payment_code+amount' },
    ]);
    const type = requiredText(params, 'refund_type', 16) as RefundType;
    if (!REFUND_TYPES.includes(type)) throw new DomainError('parameter_invalid', `refund_type must be one of ${REFUND_TYPES.join(', ')}.`, 'refund_type');
    const amount = amountOf(params, request.currency);
    const own: CliqRefund = { refundType: type, email: optionalText(params, 'email'), mobile: optionalText(params, 'mobile', 32), remarks: optionalText(params, 'remarks', 1000) };
    // one full and one overpaid refund per payment (a repeat answers the same refund); partials are each new
    const reference = type === 'partial' ? app.ids.secret('partial_', 8) : type;
    const refund = await inTransaction(app, async (unit) => {
      const made = await refundOf(unit, auth.caller, request.id, type, amount, reference);
      await saveRefund(unit.tx, made.id, own, made.createdAt);
      return made;
    });
    return { status: 'ok', message: 'Refund request accepted: the customer is asked where to send it', refund: refundView(refund, own) };
  });
}
