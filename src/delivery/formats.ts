// Delivery formats: a delivery's `format` (its endpoint's, or the API that made the request) picks
// what is sent. Native is a JSON body with Standard Webhooks headers; a dialect brings its own
// renderer (its body and its own signature) through the dialect registry.
import type { StoredEvent } from '../app/ports/persistence.js';
import type { RenderDelivery } from '../app/use-cases/deliveries.js';
import { signatureHeaders } from './signing.js';

/** A format whose body is `body(event)`, signed with the target's secrets as Standard Webhooks v1. */
export function standardWebhooksFormat(body: (event: StoredEvent) => string): RenderDelivery {
  return async ({ event, secrets }, nowSeconds) => {
    const text = body(event);
    return { body: text, headers: signatureHeaders({ id: event.id, timestampSeconds: nowSeconds, body: text, secrets }) };
  };
}

/**
 * One renderer that picks by the delivery's format. A format without a renderer of its own (a
 * request's webhookUrl made by a dialect that has no callback format) gets `fallback`: native.
 */
export function byFormat(formats: Readonly<Record<string, RenderDelivery>>, fallback: RenderDelivery): RenderDelivery {
  return (job, nowSeconds) => (Object.hasOwn(formats, job.delivery.format) ? (formats[job.delivery.format] as RenderDelivery) : fallback)(job, nowSeconds);
}
