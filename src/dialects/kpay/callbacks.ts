// KPAY callbacks: on a final status (SUCCESSFUL, FAILED, EXPIRED, CANCELLED) the `data` object is
// POSTed to the request's callbackUrl, and to endpoints made with `format: "kpay"`; every other
// event sends nothing. KPAY documents no signature: posgate adds Standard Webhooks headers
// (webhook-id, webhook-timestamp, webhook-signature) signed with the target's webhook secret.
import type { App } from '../../app/context.js';
import type { RenderDelivery } from '../../app/use-cases/deliveries.js';
import { merchantTimeZone } from '../../app/use-cases/merchants.js';
import type { PaymentRequest } from '../../core/payment-request.js';
import { signatureHeaders } from '../../delivery/signing.js';
import { fieldsOf } from './fields.js';
import { dataOf, DEFAULT_TIME_ZONE } from './render.js';

export const CALLBACK_EVENTS: readonly string[] = ['payment_request.succeeded', 'payment_request.failed', 'payment_request.expired', 'payment_request.cancelled'];

export function kpayCallbackFormat(app: App): RenderDelivery {
  return async ({ event, secrets }, nowSeconds) => {
    if (event.objectType !== 'payment_request' || !CALLBACK_EVENTS.includes(event.type)) return null;
    // the request as the event left it: a callback says the status it was sent for
    const request = event.data as PaymentRequest;
    const timeZone = await merchantTimeZone(app, request.merchantId, DEFAULT_TIME_ZONE);
    const body = JSON.stringify(dataOf(request, await fieldsOf(app.db.read, event.paymentRequestId), timeZone));
    return { body, headers: signatureHeaders({ id: event.id, timestampSeconds: nowSeconds, body, secrets }) };
  };
}
