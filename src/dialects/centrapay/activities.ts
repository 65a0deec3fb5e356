// Payment activities: posgate's events of a request and its refunds, rendered as Centrapay's
// activity records (request, payment, paid, refund, …). The event log is the only record.
import type { StoredEvent } from '../../app/ports/persistence.js';
import type { PaymentRequest } from '../../core/payment-request.js';
import type { Refund } from '../../core/refund.js';
import { isPreAuth, type CentrapayFields } from './fields.js';
import { assetTypeOf, shortCodeOf } from './render.js';

export interface Activity {
  id: string;
  type: string;
  value: { amount: string; currency: string };
  assetType: string;
  paymentRequestId: string;
  shortCode: string;
  merchantId: string;
  createdAt: string;
  createdBy: string;
  /** Centrapay's bignumber: the count, as a string of digits ("3"). */
  activityNumber: string;
}

/** The activity type an event is, or null for events Centrapay has no activity for. */
export function activityTypeOf(event: StoredEvent, fields: CentrapayFields): string | null {
  const data = event.data as PaymentRequest;
  switch (event.type) {
    case 'payment_request.created':
      return isPreAuth(fields) ? 'preAuthRequest' : 'request';
    case 'payment_request.partially_paid':
      return 'payment';
    case 'payment_request.authorized':
      return 'authorization';
    case 'payment_request.captured':
      return 'confirmation';
    case 'payment_request.succeeded':
      return data.statusReason === 'released' ? 'release' : 'paid';
    case 'payment_request.cancelled':
      return data.statusReason === 'declined_by_merchant' ? 'decline-condition' : data.statusReason === 'released' && data.amountAuthorized > 0 ? 'release' : 'cancellation';
    case 'payment_request.failed':
      return 'cancellation';
    case 'payment_request.expired':
      return data.statusReason === 'authorization_expired' ? 'release' : 'expiry';
    case 'payment_request.condition_accepted':
      return 'accept-condition';
    case 'refund.created':
      return 'refund';
    default:
      return null;
  }
}

/** The amount an activity is about; `before` is the request as the previous event left it. */
function valueOf(type: string, event: StoredEvent, before: PaymentRequest | null): number {
  if (event.objectType === 'refund') return (event.data as Refund).amount;
  const data = event.data as PaymentRequest;
  switch (type) {
    case 'payment':
      return data.amountReceived - (before?.amountReceived ?? 0);
    case 'confirmation':
      return data.amountCaptured - (before?.amountCaptured ?? 0);
    case 'authorization':
      return data.amountAuthorized;
    case 'paid':
      return data.amountCaptured;
    case 'release':
      return data.amountAuthorized - data.amountCaptured;
    default:
      return data.amount ?? 0;
  }
}

function render(event: StoredEvent, type: string, request: PaymentRequest, value: number, activityNumber: number): Activity {
  return {
    id: event.id,
    type,
    value: { amount: String(value), currency: request.currency },
    assetType: assetTypeOf(request.currency, request.livemode),
    paymentRequestId: request.id,
    shortCode: `${shortCodeOf(request)}-${String(activityNumber).padStart(3, '0')}`,
    merchantId: request.merchantId,
    createdAt: new Date(event.createdAt).toISOString(),
    createdBy: event.terminalId,
    activityNumber: String(activityNumber),
  };
}

/** A request's activities from all of its events (and its refunds'), oldest first. */
export function activitiesOf(request: PaymentRequest, events: StoredEvent[], fields: CentrapayFields): Activity[] {
  let before: PaymentRequest | null = null;
  const activities: Activity[] = [];
  for (const event of events) {
    const type = activityTypeOf(event, fields);
    if (type) activities.push(render(event, type, request, valueOf(type, event, before), activities.length + 1));
    if (event.objectType === 'payment_request') before = event.data as PaymentRequest;
  }
  return activities;
}
