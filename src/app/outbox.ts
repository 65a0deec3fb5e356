// The transactional outbox: every event, as it is written, becomes one delivery per target that
// wants it (the merchant's endpoints, and the request's own webhookUrl), in the same transaction.
import type { PaymentRequest } from '../core/payment-request.js';
import { wantsEvent, type Delivery, type WebhookEndpoint } from '../core/webhooks.js';
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

/** The targets an event goes to now: enabled endpoints that want its type, and its request's webhookUrl. */
export function targetsOf(event: StoredEvent, endpoints: WebhookEndpoint[], request: Pick<PaymentRequest, 'webhookUrl' | 'source'> | null): Target[] {
  const targets = endpoints.filter((e) => wantsEvent(e, event.type)).map(endpointTarget);
  const own = request ? requestTarget(request) : null;
  return own ? [...targets, own] : targets;
}

/** Queues the event for every target, due at once (on the clock of the event's mode). */
export async function enqueue(tx: Tx, ids: Ids, event: StoredEvent, endpoints: WebhookEndpoint[], request: Pick<PaymentRequest, 'webhookUrl' | 'source'>): Promise<void> {
  for (const target of targetsOf(event, endpoints, request)) await tx.insertDelivery(deliveryOf(ids, event, target, event.createdAt));
}
