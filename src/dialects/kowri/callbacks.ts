// Kowri's server-to-server callbacks: when a payment is final (the invoice paid: FULFILLED; a
// payment refused or failed: UNFULFILLED_ERROR), the seed's payload is POSTed to the invoice's
// metadata webhookUrl, else to the merchant's endpoints made with `format: "kowri"` (Kowri's
// pre-configured callback URL): a per-request webhookUrl takes precedence, so such an endpoint is
// not sent a callback for an invoice that has its own. Kowri documents no signature: posgate adds
// Standard Webhooks headers (webhook-id, webhook-timestamp, webhook-signature) signed with the
// target's webhook secret.
import type { App } from '../../app/context.js';
import type { RenderDelivery } from '../../app/use-cases/deliveries.js';
import { merchantTimeZone } from '../../app/use-cases/merchants.js';
import type { PaymentRequest } from '../../core/payment-request.js';
import { signatureHeaders } from '../../delivery/signing.js';
import { twoDecimals } from './amounts.js';
import { findDialectCredentialOfMerchant } from '../../app/use-cases/dialect-credentials.js';
import { appOf, DIALECT } from './credentials.js';
import { channelName } from './pay-options.js';
import { invoiceOf } from './records.js';
import { channelReferenceOf, commentOf, currentAttempt, DEFAULT_TIME_ZONE, kowriDate, plainInvoice, receiptNoOf, redirectWith } from './render.js';

const OUTCOMES: Readonly<Record<string, 'FULFILLED' | 'UNFULFILLED_ERROR'>> = {
  'payment_request.succeeded': 'FULFILLED',
  'payment_request.payment_declined': 'UNFULFILLED_ERROR',
  'payment_request.failed': 'UNFULFILLED_ERROR',
};
/** The events a callback is sent for (Dialect.webhookRules). */
export const CALLBACK_EVENTS: readonly string[] = Object.keys(OUTCOMES);

/** The serviceCode of the merchant's Kowri set, for a request another API made ('' without a set). */
async function merchantServiceCode(app: App, merchantId: string): Promise<string> {
  const credential = await findDialectCredentialOfMerchant(app, merchantId, DIALECT);
  return (credential && (await appOf(app.db.read, credential.lookup))?.serviceCode) ?? '';
}

/** The callback payload for a request as an event left it (null: nothing to call back). */
export async function callbackOf(app: App, eventType: string, request: PaymentRequest, occurredAt: number) {
  const outcome = OUTCOMES[eventType];
  if (!outcome) return null;
  const invoice = (await invoiceOf(app.db.read, request.id)) ?? plainInvoice(request, await merchantServiceCode(app, request.merchantId));
  const attempt = currentAttempt(request, invoice);
  const success = outcome === 'FULFILLED';
  return {
    amount: twoDecimals(request.amount ?? 0),
    currency: request.currency,
    transactionId: attempt?.transactionId ?? null,
    serviceCode: invoice.serviceCode,
    status: outcome,
    success,
    receiptNo: success ? receiptNoOf(request) : null,
    orderId: invoice.merchantOrderId,
    comment: commentOf(success ? 'FULFILLED' : 'FAILED', request, invoice, attempt),
    callbackUrl: redirectWith(invoice.callbackUrl, success ? '0' : '-1', invoice, request, attempt?.transactionId ?? null),
    customerReference: invoice.reference,
    paymentChannel: channelName(attempt?.provider ?? null, request.paymentMethod),
    paymentChannelReference: channelReferenceOf(request, attempt),
    transactionDate: kowriDate(occurredAt, await merchantTimeZone(app, request.merchantId, DEFAULT_TIME_ZONE)),
    // the optional fields, where known
    ...(invoice.appId ? { app_id: invoice.appId } : {}),
    ...(attempt?.customerName ? { payerName: attempt.customerName } : {}),
    ...(attempt?.customerMobile ? { payerNumber: attempt.customerMobile } : {}),
    ...(attempt?.walletRef ? { paymentAccount: attempt.walletRef } : {}),
  };
}

export function kowriCallbackFormat(app: App): RenderDelivery {
  return async ({ event, secrets }, nowSeconds) => {
    if (event.objectType !== 'payment_request') return null;
    const request = event.data as PaymentRequest;
    const payload = await callbackOf(app, event.type, request, event.createdAt);
    if (!payload) return null;
    const body = JSON.stringify(payload);
    return { body, headers: signatureHeaders({ id: event.id, timestampSeconds: nowSeconds, body, secrets }) };
  };
}
