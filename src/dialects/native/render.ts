// Domain objects → the native API's JSON. The one place native field names are decided.
import { refundStatusOf, type PaymentRequest, type PaymentRequestEventType, type PaymentRequestNoticeType } from '../../core/payment-request.js';
import type { Refund, RefundEventType } from '../../core/refund.js';
import type { Merchant, Store, StoredEvent, Terminal } from '../../app/ports/persistence.js';
import type { IssuedKey } from '../../app/use-cases/merchants.js';
import type { DeliveryAttempt, WebhookEndpoint } from '../../core/webhooks.js';
import { minorToDecimal } from '../../core/money.js';
import { checkInUrlOf, payUrlOf } from '../shared/links.js';

export const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

export function renderPaymentRequest(p: PaymentRequest, publicUrl: string) {
  return {
    id: p.id, object: 'payment_request' as const, livemode: p.livemode, merchantId: p.merchantId, storeId: p.storeId, terminalId: p.terminalId,
    status: p.status, statusReason: p.statusReason, cancellationReason: p.cancellationReason, amount: p.amount, currency: p.currency,
    amountReceived: p.amountReceived, amountAuthorized: p.amountAuthorized, amountCaptured: p.amountCaptured, amountRefunded: p.amountRefunded,
    refundStatus: refundStatusOf(p), overpaid: p.overpaid, captureMode: p.captureMode, reference: p.reference, externalRef: p.externalRef, minimumAge: p.minimumAge, shortCode: p.shortCode,
    payUrl: payUrlOf(publicUrl, p.id), description: p.description, lineItems: p.lineItems, metadata: p.metadata,
    webhookUrl: p.webhookUrl, redirectUrl: p.redirectUrl, partialAllowed: p.partialAllowed, basketAmount: p.basketAmount,
    patronNotPresent: p.patronNotPresent, allowConcurrent: p.allowConcurrent, allowedMethods: p.allowedMethods, paymentMethod: p.paymentMethod, paymentMethodDetails: p.methodDetails,
    expiresAt: iso(p.expiresAt), authorizationExpiresAt: isoOrNull(p.authorizationExpiresAt), createdAt: iso(p.createdAt), updatedAt: iso(p.updatedAt),
    version: p.version,
  };
}

export function renderRefund(r: Refund) {
  return {
    id: r.id, object: 'refund' as const, livemode: r.livemode, paymentRequestId: r.paymentRequestId, amount: r.amount, currency: r.currency,
    status: r.status, reference: r.reference, reason: r.reason, captureMode: r.captureMode, expiresAt: isoOrNull(r.expiresAt),
    createdAt: iso(r.createdAt), updatedAt: iso(r.updatedAt), version: r.version,
  };
}

/** What an event's type can be: the store keeps a string, every writer one of these (the response schema checks it). */
type EventType = PaymentRequestEventType | PaymentRequestNoticeType | RefundEventType;

export function renderEvent(e: StoredEvent, publicUrl: string) {
  const object = e.objectType === 'refund' ? renderRefund(e.data as Refund) : renderPaymentRequest(e.data as PaymentRequest, publicUrl);
  return { id: e.id, object: 'event' as const, type: e.type as EventType, createdAt: iso(e.createdAt), livemode: e.livemode, objectId: e.objectId, sequence: e.sequence, data: { object } };
}

export function renderTerminal(t: Terminal, publicUrl: string) {
  return { id: t.id, object: 'terminal' as const, merchantId: t.merchantId, storeId: t.storeId, name: t.name, checkInUrl: checkInUrlOf(publicUrl, t.id), createdAt: iso(t.createdAt) };
}

/** An API key; the key itself only when just issued (shown once). */
export function renderIssuedKey(issued: IssuedKey) {
  const { key, secret } = issued;
  return {
    id: key.id, object: 'api_key' as const, livemode: key.mode === 'live', kind: key.kind, mode: key.mode, merchantId: key.merchantId, terminalId: key.terminalId,
    last4: key.last4, createdAt: iso(key.createdAt), revokedAt: key.revokedAt === null ? null : iso(key.revokedAt),
    ...(secret ? { [key.kind === 'terminal' ? 'terminalKey' : 'secretKey']: secret } : {}),
    ...(secret && issued.webhookSecret ? { webhookSecret: issued.webhookSecret } : {}),
  };
}

export function renderEndpoint(e: WebhookEndpoint) {
  return {
    id: e.id, object: 'webhook_endpoint' as const, livemode: e.livemode, url: e.url, eventTypes: e.eventTypes, format: e.format,
    status: e.status, disabledReason: e.disabledReason, createdAt: iso(e.createdAt), updatedAt: iso(e.updatedAt),
  };
}

export function renderAttempt(a: DeliveryAttempt) {
  return {
    id: a.id, object: 'delivery_attempt' as const, eventId: a.eventId, endpointId: a.endpointId, url: a.url, attemptedAt: iso(a.attemptedAt),
    statusCode: a.statusCode, latencyMs: a.latencyMs, responseSnippet: a.responseSnippet, error: a.error,
  };
}

export const renderMerchant = (m: Merchant) => ({
  id: m.id, object: 'merchant' as const, name: m.name,
  // basis points shown as an exact percent text ("0.5" for 50 bps)
  underpaymentTolerancePercent: minorToDecimal(m.underpaymentToleranceBps, 2).replace(/\.?0+$/, '') || '0',
  timeZone: m.timeZone,
  createdAt: iso(m.createdAt),
});
export const renderStore = (s: Store) => ({ id: s.id, object: 'store' as const, merchantId: s.merchantId, name: s.name, createdAt: iso(s.createdAt) });
