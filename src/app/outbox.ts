// The transactional outbox: every event, as it is written, becomes one delivery per target that
// wants it (the merchant's endpoints, and the request's own webhookUrl), in the same transaction.
import { PAYMENT_REQUEST_NOTICE_TYPES, type PaymentRequest } from '../core/payment-request.js';
import { wantsEvent, type Delivery, type WebhookEndpoint } from '../core/webhooks.js';
import type { App } from './context.js';
import type { Ids } from './ports/ids.js';
import type { StoredEvent, Tx } from './ports/persistence.js';

export interface Target {
  endpointId: string | null;
  target: string;
  url: string;
  format: string;
}

export const endpointTarget = (endpoint: WebhookEndpoint): Target => ({ endpointId: endpoint.id, target: endpoint.id, url: endpoint.url, format: endpoint.format });
/** A request's webhookUrl gets its events in the format of the API that created the request. */
export const requestTarget = (request: Pick<PaymentRequest, 'webhookUrl' | 'source'>): Target | null =>
  request.webhookUrl ? { endpointId: null, target: `url:${request.webhookUrl}`, url: request.webhookUrl, format: request.source } : null;

export function deliveryOf(ids: Ids, event: StoredEvent, target: Target, dueAt: number): Delivery {
  return {
    id: ids.id('dlv'), eventId: event.id, ...target, merchantId: event.merchantId, livemode: event.livemode,
    objectId: event.objectId, sequence: event.sequence, status: 'pending', attempts: 0, nextAttemptAt: dueAt, createdAt: dueAt, updatedAt: dueAt,
  };
}

/** What the outbox knows of a webhook format (a dialect's), by the format's name: where its events go. */
export interface WebhookFormatRules {
  /** The event types it sends (it sends nothing for the others); absent: every type. */
  events?: readonly string[];
  /**
   * A request made through the API of this name with a webhook URL of its own has its events sent
   * there alone: the merchant's endpoints of this format (its pre-configured URL) are not sent them.
   */
  ownUrlFirst?: boolean;
}

/** Whether a target gets an event of this type, by its format's rules (a format without rules gets every type). */
function wants(rules: App['webhookFormats'], target: Target, type: string, request: Pick<PaymentRequest, 'webhookUrl' | 'source'> | null): boolean {
  const format = rules && Object.hasOwn(rules, target.format) ? rules[target.format] : undefined;
  if (!format) return true;
  if (format.events && !format.events.includes(type)) return false;
  return !(format.ownUrlFirst && target.endpointId !== null && request?.source === target.format && request.webhookUrl);
}

/**
 * The targets an event goes to now: enabled endpoints that want its type, and its request's
 * webhookUrl; of those, the ones its format's rules send it to (a delivery its format would not
 * send is not made: it would only be closed unsent, and a redelivery would list it).
 */
export function targetsOf(app: Pick<App, 'webhookFormats'>, event: StoredEvent, endpoints: WebhookEndpoint[], request: Pick<PaymentRequest, 'webhookUrl' | 'source'> | null): Target[] {
  if (isNotice(event.type)) return []; // its own URL alone: noticeTargetsOf
  const targets = endpoints.filter((e) => wantsEvent(e, event.type)).map(endpointTarget);
  const own = request ? requestTarget(request) : null;
  return (own ? [...targets, own] : targets).filter((target) => wants(app.webhookFormats, target, event.type, request));
}

/** Whether an event is a notice (Work.notify): for one URL of its request's own, never an endpoint's nor the webhookUrl's. */
export const isNotice = (type: string) => (PAYMENT_REQUEST_NOTICE_TYPES as readonly string[]).includes(type);

/** The targets a notice was queued for (its own URL, in its format): where a redelivery sends it again. */
export function noticeTargetsOf(deliveries: readonly Delivery[]): Target[] {
  const targets = new Map<string, Target>();
  for (const d of deliveries) if (d.endpointId === null && !targets.has(d.target)) targets.set(d.target, { endpointId: null, target: d.target, url: d.url, format: d.format });
  return [...targets.values()];
}

/** Queues the event for every target, due at once (on the clock of the event's mode). */
export async function enqueue(app: Pick<App, 'ids' | 'webhookFormats'>, tx: Tx, event: StoredEvent, endpoints: WebhookEndpoint[], request: Pick<PaymentRequest, 'webhookUrl' | 'source'>): Promise<void> {
  for (const target of targetsOf(app, event, endpoints, request)) await tx.insertDelivery(deliveryOf(app.ids, event, target, event.createdAt));
}
