// Centrapay webhooks: the delivery format of a native endpoint made with `format: "centrapay"` (and
// of a Centrapay request's own webhookUrl). Three of posgate's events have a Centrapay webhook
// type; every other event sends nothing. The body carries the event's payment activity; the
// `Authorization` header an ES256 JWT that receivers verify with GET /centrapay/.well-known/jwks.json.
import type { App } from '../../app/context.js';
import type { StoredEvent } from '../../app/ports/persistence.js';
import type { RenderDelivery } from '../../app/use-cases/deliveries.js';
import { currentSigningKey } from '../../app/use-cases/signing-keys.js';
import type { Activity } from './activities.js';
import { webhookJwt } from './jwt.js';
import { activitiesOfView, viewOf, type RequestView } from './views.js';

/** posgate event type → Centrapay webhook type. */
export const WEBHOOK_TYPES: Readonly<Record<string, string>> = {
  'payment_request.succeeded': 'payment-request:paid',
  'refund.created': 'payment-request:refund-initiated',
  'refund.succeeded': 'payment-request:refund-completed',
};

export interface CentrapayWebhook {
  id: string;
  type: string;
  metadata: Activity;
  accountId: string;
  test: boolean;
  createdAt: string;
}

/**
 * The activities a webhook may carry: the activity of the event that made the request `paid` (the
 * only succeeded event a request has), `paid` for a plain request, `release` for a
 * pre-authorization (released by the merchant, by confirming all that was authorized, or at its
 * expiry, with something confirmed); for a refund event, the `refund` activity.
 */
const WEBHOOK_ACTIVITIES: Readonly<Record<string, readonly string[]>> = { payment_request: ['paid', 'release'], refund: ['refund'] };

/**
 * The activity a webhook is about: for paid, the activity of the event itself (see
 * WEBHOOK_ACTIVITIES); for a refund event, the `refund` activity of that refund's refund.created,
 * the one Centrapay's refund call answers.
 */
export function activityOfWebhook(event: StoredEvent, view: RequestView): Activity | null {
  const source = event.objectType === 'refund' ? view.events.find((e) => e.type === 'refund.created' && e.objectId === event.objectId) : event;
  if (!source) return null;
  const activity = activitiesOfView(view).find((a) => a.id === source.id);
  return activity && WEBHOOK_ACTIVITIES[event.objectType]?.includes(activity.type) ? activity : null;
}

/** The webhook body for an event, or null when Centrapay has no webhook for it. */
export function webhookOf(event: StoredEvent, view: RequestView): CentrapayWebhook | null {
  const type = WEBHOOK_TYPES[event.type];
  const metadata = type ? activityOfWebhook(event, view) : null;
  if (!type || !metadata) return null;
  return { id: event.id, type, metadata, accountId: event.merchantId, test: !event.livemode, createdAt: new Date(event.createdAt).toISOString() };
}

/** The Centrapay delivery format. It reads the request and its events outside any transaction (the log only grows). */
export function centrapayWebhookFormat(app: App): RenderDelivery {
  return async ({ delivery, event }, nowSeconds) => {
    if (!WEBHOOK_TYPES[event.type]) return null; // most events: nothing to read, nothing to send
    const request = await app.db.read.getPaymentRequest(event.paymentRequestId);
    if (!request) throw new Error(`payment request ${event.paymentRequestId} of event ${event.id} not found`);
    const webhook = webhookOf(event, await viewOf(app.db.read, request));
    if (!webhook) return null;
    const body = JSON.stringify(webhook);
    const key = await currentSigningKey(app);
    const token = webhookJwt({ kid: key.kid, privateKey: key.privateKey, body, audience: new URL(delivery.url).origin, nowSeconds });
    return { body, headers: { authorization: token } };
  };
}
