// Row ↔ domain mapping, shared by every driver.
import type { Insertable, Selectable } from 'kysely';
import type { ChannelCommand } from '../core/channel-command.js';
import type { DialectRecord } from '../app/ports/dialect-records.js';
import type { PaymentRequest } from '../core/payment-request.js';
import type { Refund } from '../core/refund.js';
import type { ApiKey, DialectCredential, Merchant, Patron, PatronCode, StoredEvent, Store, Terminal } from '../app/ports/persistence.js';
import type { Delivery, DeliveryAttempt, WebhookEndpoint } from '../core/webhooks.js';
import type { ApiKeysTable, ChannelCommandsTable, DeliveriesTable, DialectRecordsTable, DialectCredentialsTable, DeliveryAttemptsTable, WebhookEndpointsTable, EventsTable, MerchantsTable, PatronCodesTable, PatronsTable, PaymentRequestsTable, RefundsTable, StoresTable, TerminalsTable } from './schema.js';

const bool = (value: number) => value === 1;
const bit = (value: boolean) => (value ? 1 : 0);
/** BIGINT arrives as a number (SQLite) or a string (pg without a parser): normalise to number. */
const num = (value: number | string) => Number(value);
const numOrNull = (value: number | string | null) => (value === null ? null : Number(value));

export const toMerchant = (r: Selectable<MerchantsTable>): Merchant => ({
  id: r.id, name: r.name, testClockOffsetMs: num(r.test_clock_offset_ms), underpaymentToleranceBps: num(r.underpayment_tolerance_bps), timeZone: r.time_zone, createdAt: num(r.created_at),
});
export const toStore = (r: Selectable<StoresTable>): Store => ({ id: r.id, merchantId: r.merchant_id, name: r.name, createdAt: num(r.created_at) });
export const toTerminal = (r: Selectable<TerminalsTable>): Terminal => ({
  id: r.id, merchantId: r.merchant_id, storeId: r.store_id, name: r.name,
  checkedInPatronId: r.checked_in_patron_id, checkedInAt: numOrNull(r.checked_in_at), createdAt: num(r.created_at), posId: r.pos_id,
});
export const toApiKey = (r: Selectable<ApiKeysTable>): ApiKey => ({
  id: r.id, merchantId: r.merchant_id, terminalId: r.terminal_id, kind: r.kind as ApiKey['kind'], mode: r.mode as ApiKey['mode'],
  hash: r.hash, last4: r.last4, createdAt: num(r.created_at), revokedAt: numOrNull(r.revoked_at),
});

export function toPaymentRequest(r: Selectable<PaymentRequestsTable>): PaymentRequest {
  return {
    id: r.id, livemode: bool(r.livemode), merchantId: r.merchant_id, storeId: r.store_id, terminalId: r.terminal_id,
    status: r.status as PaymentRequest['status'], statusReason: r.status_reason, cancellationReason: r.cancellation_reason, amount: numOrNull(r.amount), currency: r.currency,
    amountReceived: num(r.amount_received), amountAuthorized: num(r.amount_authorized), amountCaptured: num(r.amount_captured),
    amountRefunded: num(r.amount_refunded), amountRefundReserved: num(r.amount_refund_reserved), overpaid: bool(r.overpaid),
    captureMode: r.capture_mode as PaymentRequest['captureMode'], reference: r.reference, shortCode: r.short_code,
    description: r.description, lineItems: r.line_items === null ? null : JSON.parse(r.line_items), metadata: JSON.parse(r.metadata),
    webhookUrl: r.webhook_url, redirectUrl: r.redirect_url, partialAllowed: bool(r.partial_allowed), basketAmount: numOrNull(r.basket_amount),
    patronNotPresent: bool(r.patron_not_present), allowConcurrent: bool(r.allow_concurrent),
    allowedMethods: r.allowed_methods === null ? null : JSON.parse(r.allowed_methods), paymentMethod: r.payment_method,
    methodDetails: r.method_details === null ? null : JSON.parse(r.method_details), patronId: r.patron_id,
    source: r.source, fingerprint: r.fingerprint, externalRef: r.external_ref, minimumAge: numOrNull(r.minimum_age),
    conditionsEnabled: r.conditions_enabled === null ? null : bool(num(r.conditions_enabled)), conditions: JSON.parse(r.conditions),
    authorizationTtlMs: numOrNull(r.authorization_ttl_ms), expiresAt: num(r.expires_at), authorizationExpiresAt: numOrNull(r.authorization_expires_at),
    createdAt: num(r.created_at), updatedAt: num(r.updated_at), version: num(r.version),
  };
}

export function fromPaymentRequest(p: PaymentRequest): Insertable<PaymentRequestsTable> {
  return {
    id: p.id, livemode: bit(p.livemode), merchant_id: p.merchantId, store_id: p.storeId, terminal_id: p.terminalId,
    status: p.status, status_reason: p.statusReason, cancellation_reason: p.cancellationReason, amount: p.amount, currency: p.currency,
    amount_received: p.amountReceived, amount_authorized: p.amountAuthorized, amount_captured: p.amountCaptured,
    amount_refunded: p.amountRefunded, amount_refund_reserved: p.amountRefundReserved, overpaid: bit(p.overpaid),
    capture_mode: p.captureMode, reference: p.reference, short_code: p.shortCode, description: p.description,
    line_items: p.lineItems === null ? null : JSON.stringify(p.lineItems), metadata: JSON.stringify(p.metadata),
    webhook_url: p.webhookUrl, redirect_url: p.redirectUrl, partial_allowed: bit(p.partialAllowed), basket_amount: p.basketAmount,
    patron_not_present: bit(p.patronNotPresent), allow_concurrent: bit(p.allowConcurrent),
    allowed_methods: p.allowedMethods === null ? null : JSON.stringify(p.allowedMethods), payment_method: p.paymentMethod,
    method_details: p.methodDetails === null ? null : JSON.stringify(p.methodDetails), patron_id: p.patronId,
    source: p.source, fingerprint: p.fingerprint, external_ref: p.externalRef, minimum_age: p.minimumAge,
    conditions_enabled: p.conditionsEnabled === null ? null : bit(p.conditionsEnabled), conditions: JSON.stringify(p.conditions),
    authorization_ttl_ms: p.authorizationTtlMs, expires_at: p.expiresAt, authorization_expires_at: p.authorizationExpiresAt,
    created_at: p.createdAt, updated_at: p.updatedAt, version: p.version,
  };
}

export const toRefund = (r: Selectable<RefundsTable>): Refund => ({
  id: r.id, livemode: bool(r.livemode), merchantId: r.merchant_id, terminalId: r.terminal_id, paymentRequestId: r.payment_request_id,
  amount: num(r.amount), currency: r.currency, status: r.status as Refund['status'], reference: r.reference, reason: r.reason,
  captureMode: r.capture_mode as Refund['captureMode'], expiresAt: numOrNull(r.expires_at), createdAt: num(r.created_at), updatedAt: num(r.updated_at), version: num(r.version),
});

export const fromRefund = (r: Refund): Insertable<RefundsTable> => ({
  id: r.id, livemode: bit(r.livemode), merchant_id: r.merchantId, terminal_id: r.terminalId, payment_request_id: r.paymentRequestId,
  amount: r.amount, currency: r.currency, status: r.status, reference: r.reference, reason: r.reason, capture_mode: r.captureMode,
  expires_at: r.expiresAt, created_at: r.createdAt, updated_at: r.updatedAt, version: r.version,
});

export const toEvent = (r: Selectable<EventsTable>): StoredEvent => ({
  id: r.id, type: r.type, objectType: r.object_type as StoredEvent['objectType'], objectId: r.object_id, paymentRequestId: r.payment_request_id,
  merchantId: r.merchant_id, terminalId: r.terminal_id, livemode: bool(r.livemode), sequence: num(r.sequence), data: JSON.parse(r.data),
  createdAt: num(r.created_at), position: num(r.position),
});

export const toPatron = (r: Selectable<PatronsTable>): Patron => ({ id: r.id, merchantId: r.merchant_id, livemode: bool(r.livemode), name: r.name, age: numOrNull(r.age), createdAt: num(r.created_at) });
export const toPatronCode = (r: Selectable<PatronCodesTable>): PatronCode => ({
  code: r.code, patronId: r.patron_id, merchantId: r.merchant_id, livemode: bool(r.livemode), issuedAt: num(r.issued_at), expiresAt: num(r.expires_at), usedAt: numOrNull(r.used_at),
});

export const toDialectCredential = (r: Selectable<DialectCredentialsTable>): DialectCredential => ({
  id: r.id, merchantId: r.merchant_id, dialect: r.dialect, livemode: bool(r.livemode), lookup: r.lookup, secretHash: r.secret_hash,
  secretSealed: r.secret_sealed, apiKeyId: r.api_key_id, createdAt: num(r.created_at), updatedAt: num(r.updated_at),
});

export const toWebhookEndpoint = (r: Selectable<WebhookEndpointsTable>): WebhookEndpoint => ({
  id: r.id, merchantId: r.merchant_id, livemode: bool(r.livemode), url: r.url, eventTypes: r.event_types === null ? null : JSON.parse(r.event_types),
  format: r.format, status: r.status as WebhookEndpoint['status'], disabledReason: r.disabled_reason, secretSealed: r.secret_sealed,
  previousSecretSealed: r.previous_secret_sealed, previousSecretExpiresAt: numOrNull(r.previous_secret_expires_at), createdAt: num(r.created_at), updatedAt: num(r.updated_at),
});
export const fromWebhookEndpoint = (e: WebhookEndpoint): Selectable<WebhookEndpointsTable> => ({
  id: e.id, merchant_id: e.merchantId, livemode: bit(e.livemode), url: e.url, event_types: e.eventTypes === null ? null : JSON.stringify(e.eventTypes),
  format: e.format, status: e.status, disabled_reason: e.disabledReason, secret_sealed: e.secretSealed, previous_secret_sealed: e.previousSecretSealed,
  previous_secret_expires_at: e.previousSecretExpiresAt, created_at: e.createdAt, updated_at: e.updatedAt,
});
export const toDelivery = (r: Selectable<DeliveriesTable>): Delivery => ({
  id: r.id, eventId: r.event_id, endpointId: r.endpoint_id, target: r.target, url: r.url, format: r.format, merchantId: r.merchant_id, livemode: bool(r.livemode),
  objectId: r.object_id, sequence: num(r.sequence), status: r.status as Delivery['status'], attempts: num(r.attempts), nextAttemptAt: num(r.next_attempt_at),
  createdAt: num(r.created_at), updatedAt: num(r.updated_at),
});
export const fromDelivery = (d: Delivery): Insertable<DeliveriesTable> => ({
  id: d.id, event_id: d.eventId, endpoint_id: d.endpointId, target: d.target, url: d.url, format: d.format, merchant_id: d.merchantId, livemode: bit(d.livemode),
  object_id: d.objectId, sequence: d.sequence, status: d.status, attempts: d.attempts, next_attempt_at: d.nextAttemptAt, created_at: d.createdAt, updated_at: d.updatedAt,
});
export const toDeliveryAttempt = (r: Selectable<DeliveryAttemptsTable>): DeliveryAttempt => ({
  id: r.id, deliveryId: r.delivery_id, eventId: r.event_id, endpointId: r.endpoint_id, url: r.url, attemptedAt: num(r.attempted_at),
  statusCode: numOrNull(r.status_code), latencyMs: num(r.latency_ms), responseSnippet: r.response_snippet, error: r.error,
});
export const fromDeliveryAttempt = (a: DeliveryAttempt): Selectable<DeliveryAttemptsTable> => ({
  id: a.id, delivery_id: a.deliveryId, event_id: a.eventId, endpoint_id: a.endpointId, url: a.url, attempted_at: a.attemptedAt,
  status_code: a.statusCode, latency_ms: a.latencyMs, response_snippet: a.responseSnippet, error: a.error,
});

export { bit, bool };

export function fromChannelCommand(c: ChannelCommand) {
  return {
    id: c.id, kind: c.kind, payment_request_id: c.paymentRequestId, amount: c.amount, intent: JSON.stringify(c.intent),
    status: c.status, outcome: c.outcome, created_at: c.createdAt, updated_at: c.updatedAt,
  };
}

export function toChannelCommand(row: Selectable<ChannelCommandsTable>): ChannelCommand {
  return {
    id: row.id, kind: row.kind as ChannelCommand['kind'], paymentRequestId: row.payment_request_id, amount: Number(row.amount),
    intent: JSON.parse(row.intent) as Record<string, unknown>, status: row.status as ChannelCommand['status'], outcome: row.outcome,
    createdAt: Number(row.created_at), updatedAt: Number(row.updated_at),
  };
}

export const fromDialectRecord = (r: DialectRecord) => ({
  dialect: r.dialect, kind: r.kind, key: r.key, data: JSON.stringify(r.data), created_at: r.createdAt, updated_at: r.updatedAt,
});

export const toDialectRecord = (row: Selectable<DialectRecordsTable>): DialectRecord => ({
  dialect: row.dialect, kind: row.kind, key: row.key, data: JSON.parse(row.data) as Record<string, unknown>,
  createdAt: Number(row.created_at), updatedAt: Number(row.updated_at),
});
