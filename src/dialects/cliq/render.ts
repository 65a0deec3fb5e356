// CLIQ's answers, rendered from posgate's one stored state and the payment's dialect record.
import { currencyExponent, minorToDecimal } from '../../core/money.js';
import { refundStatusOf, type PaymentRequest } from '../../core/payment-request.js';
import type { Refund } from '../../core/refund.js';
import type { CliqPayment, CliqRefund } from './fields.js';
import { btcFigures } from './quote.js';

export type CliqStatus = 'pending' | 'unconfirmed' | 'underpaid' | 'expired' | 'paid' | 'overpaid' | 'partially_refunded' | 'refunded' | 'cancelled' | 'failed';

/** The payment's status in CLIQ's words (docs/dialects/cliq.md has the table). */
export function statusOf(request: PaymentRequest, payment: CliqPayment, now: number): CliqStatus {
  switch (request.status) {
    case 'prepared':
    case 'created':
    case 'pending':
      if (Object.keys(payment.unconfirmed).length > 0) return 'unconfirmed';
      if (request.amountReceived > 0) return 'underpaid';
      // the quote ran out: getupdate re-quotes it (the payment itself is still open)
      return now >= payment.quote.expiresAt ? 'expired' : 'pending';
    case 'authorized': // CLIQ captures at once; a manual-capture request made elsewhere waits here
      return 'unconfirmed';
    case 'succeeded': {
      const refunded = refundStatusOf(request);
      if (refunded !== 'none') return refunded === 'full' ? 'refunded' : 'partially_refunded';
      return request.overpaid ? 'overpaid' : 'paid';
    }
    case 'cancelled':
      // money taken before the end went back (a void, an underpaid refund)
      return request.amountCaptured > 0 && request.amountRefunded >= request.amountCaptured ? 'refunded' : 'cancelled';
    case 'expired':
      return 'expired';
    case 'failed':
      return 'failed';
  }
}

export const unixSeconds = (ms: number) => Math.floor(ms / 1000);
export const assetAmount = (minor: number, asset: string) => minorToDecimal(minor, currencyExponent(asset));

/** The quote's fields, as create and getupdate show them. */
export function quoteFields(request: PaymentRequest, payment: CliqPayment) {
  const figures = btcFigures(request, payment.quote);
  return {
    paymentId: request.id,
    payment_code: payment.paymentCode,
    payment_address: payment.quote.address,
    payment_amount: figures.paymentAmount,
    payment_missing_amount: figures.missingAmount,
    payment_amount_asset: payment.requestedAsset,
    payment_payreq: payment.quote.payreq,
    expires_at: unixSeconds(payment.quote.expiresAt),
    exchange_rate: payment.quote.exchangeRate,
  };
}

export function createdAnswer(request: PaymentRequest, payment: CliqPayment) {
  const { payment_missing_amount: _missing, ...fields } = quoteFields(request, payment);
  return { status: 'ok', message: 'Create POS Payment Successfully', ...fields };
}

export function updateAnswer(request: PaymentRequest, payment: CliqPayment) {
  return { status: 'ok', payment: { ...quoteFields(request, payment), message: 'Get pos payment update successfully' }, message: 'Get payment detail successfully' };
}

/**
 * A refund in CLIQ's words: asked for (the customer is asked where to send it), then completed or
 * failed. A refund awaiting its capture (made through the native API) is asked, not failed: its
 * capture may still send it; one cancelled or expired uncaptured ended without sending anything.
 */
export function refundView(refund: Refund, own: CliqRefund | undefined) {
  const status: 'completed' | 'pending' | 'failed' =
    refund.status === 'succeeded' ? 'completed' : refund.status === 'pending' || refund.status === 'requires_capture' ? 'pending' : 'failed';
  return { refund_id: refund.id, refund_type: own?.refundType ?? 'full', amount: assetAmount(refund.amount, refund.currency), asset: refund.currency, status };
}

/** The whole payment (payment/get and the postbacks' figures). */
export function paymentView(request: PaymentRequest, payment: CliqPayment, refunds: Array<{ refund: Refund; own?: CliqRefund }>, now: number) {
  const figures = btcFigures(request, payment.quote);
  return {
    ...quoteFields(request, payment),
    payment_status: statusOf(request, payment, now),
    received_amount: figures.receivedAmount,
    reference: request.reference,
    description: request.description,
    asset: request.currency,
    amount: assetAmount(request.amount ?? 0, request.currency),
    requested_asset: payment.requestedAsset,
    // posgate's additions, in the settlement asset: what arrived and what was given back
    received_asset_amount: assetAmount(request.amountReceived, request.currency),
    refunded_asset_amount: assetAmount(request.amountRefunded, request.currency),
    refunds: refunds.map(({ refund, own }) => refundView(refund, own)),
    created_at: unixSeconds(request.createdAt),
  };
}
