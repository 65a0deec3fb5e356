// CLIQ postbacks, sent by the shared outbox and worker: a payment's state changes and its refunds'
// go to its postback_url (and to endpoints made with `format: "cliq"`), and so does a transaction
// seen but not confirmed; a renewed quote goes to its pos_price_update_postback_url. Each carries a `hash` the receiver checks with its api_secret
// (docs/dialects/cliq.md), and counts as delivered only when the receiver answers {"status":"ok"}:
// anything else is retried on the native schedule, at most 10 attempts, each in the delivery log.
import type { App } from '../../app/context.js';
import type { RenderDelivery } from '../../app/use-cases/deliveries.js';
import type { Work } from '../../app/unit-of-work.js';
import type { PaymentRequest, PaymentRequestNoticeType } from '../../core/payment-request.js';
import type { Refund } from '../../core/refund.js';
import { signatureHeaders } from '../../delivery/signing.js';
import { merchantApiSecret } from './credentials.js';
import { DIALECT, paymentOf, refundsOf, type CliqPayment } from './fields.js';
import { md5Hex } from './hash.js';
import { paymentView, refundView } from './render.js';

/**
 * The engine's events a postback is sent for: what CLIQ calls a payment state change, and refunds
 * asked and ended (a refund awaiting capture that is cancelled or expires ends `failed`, as one the
 * channel refused: the POS that was told it was asked is told it will not come).
 */
export const POSTBACK_EVENTS: readonly string[] = [
  'payment_request.partially_paid', 'payment_request.succeeded', 'payment_request.expired', 'payment_request.cancelled', 'payment_request.failed',
  'refund.created', 'refund.succeeded', 'refund.failed', 'refund.cancelled', 'refund.expired',
];
/** The notice a renewed quote raises (Work.notify), for the price-update URL only. */
export const PRICE_UPDATE_EVENT: PaymentRequestNoticeType = 'payment_request.quote_renewed';
/** The notice a transaction seen but not confirmed raises (CLIQ's unconfirmed update), for the postback URL only. */
export const SEEN_EVENT: PaymentRequestNoticeType = 'payment_request.payment_seen';

/** The receiver took it only if it answered {"status":"ok"}. */
export function answeredOk({ body }: { body: string | null }): boolean {
  try {
    return (JSON.parse(body ?? '') as { status?: unknown } | null)?.status === 'ok';
  } catch {
    return false;
  }
}

/** hash = md5(payment_code + status + payment_amount + received_amount + api_secret), the fields as the body has them. */
export const postbackHash = (fields: { payment_code: string; status: string; payment_amount: string; received_amount: string }, apiSecret: string) =>
  md5Hex([fields.payment_code, fields.status, fields.payment_amount, fields.received_amount, apiSecret]);

export async function queueSeen(unit: Work, request: PaymentRequest, payment: CliqPayment, now: number): Promise<void> {
  if (payment.postbackUrl) await unit.notify(request, SEEN_EVENT, { url: payment.postbackUrl, format: DIALECT }, now);
}

export async function queuePriceUpdate(unit: Work, request: PaymentRequest, payment: CliqPayment, now: number): Promise<void> {
  if (payment.priceUpdateUrl) await unit.notify(request, PRICE_UPDATE_EVENT, { url: payment.priceUpdateUrl, format: DIALECT }, now);
}

export function cliqPostbackFormat(app: App): RenderDelivery {
  return async ({ event, secrets }, nowSeconds) => {
    const priceUpdate = event.type === PRICE_UPDATE_EVENT;
    const seen = event.type === SEEN_EVENT;
    if (!priceUpdate && !seen && !POSTBACK_EVENTS.includes(event.type)) return null;
    const payment = await paymentOf(app.db.read, event.paymentRequestId);
    // an endpoint in this format hears every event of its merchant: a request not made through CLIQ has no postback
    if (!payment) return null;
    // the request as the event left it (a refund's event: the request as it is now)
    const request = event.objectType === 'payment_request' ? (event.data as PaymentRequest) : await app.db.read.getPaymentRequest(event.paymentRequestId);
    if (!request) return null;
    const apiSecret = await merchantApiSecret(app, request);
    // no set any more (revoked): nothing a receiver could check, so nothing is sent
    if (apiSecret === null) return null;
    const { refunds: _refunds, payment_status: current, ...view } = paymentView(request, payment, [], event.createdAt);
    // a seen transaction is reported as such even if it was confirmed before the postback left
    const status = seen ? 'unconfirmed' : current;
    const type = priceUpdate ? 'price_update' : seen ? 'unconfirmed_update' : event.objectType === 'refund' ? 'refund' : 'payment';
    const fields: Record<string, unknown> = { type, status, ...view };
    if (event.objectType === 'refund') {
      const refund = event.data as Refund;
      fields.refund = refundView(refund, (await refundsOf(app.db.read, [refund.id])).get(refund.id));
    }
    const hash = postbackHash(fields as Parameters<typeof postbackHash>[0], apiSecret);
    const body = JSON.stringify({ ...fields, hash });
    return { body, headers: signatureHeaders({ id: event.id, timestampSeconds: nowSeconds, body, secrets }), acknowledged: answeredOk };
  };
}
