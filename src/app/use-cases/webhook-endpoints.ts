// Webhook endpoints: where a merchant's events are delivered, and the secret that signs them.
import { DomainError } from '../../core/errors.js';
import { ROTATION_OVERLAP_MS, type WebhookEndpoint } from '../../core/webhooks.js';
import { notFound, requireSecretKey, sameTenant } from '../access.js';
import type { App, Caller } from '../context.js';
import type { ReadTx } from '../ports/persistence.js';
import { merchantNow } from '../time.js';
import type { Work } from '../unit-of-work.js';

/** Formats a delivery can take without any dialect; the composition passes the full list (native + dialects with a webhook format). */
export const DEFAULT_WEBHOOK_FORMATS: readonly string[] = ['native'];

export interface NewEndpoint {
  url: string;
  eventTypes?: string[];
  format?: string;
}

export interface EndpointWithSecret {
  endpoint: WebhookEndpoint;
  /** Shown once, when created or rotated; null for a format signed with posgate's own key (nothing uses a secret). */
  secret: string | null;
}

async function loadEndpoint(tx: ReadTx, caller: Caller, id: string): Promise<WebhookEndpoint> {
  const endpoint = await tx.getWebhookEndpoint(id);
  if (!endpoint || !sameTenant(caller, endpoint)) throw notFound('webhook endpoint', id);
  return endpoint;
}

/**
 * Checks that need the network (resolving the URL in live mode), made before the create's
 * transaction: on SQLite every write waits for the one writer, and a host whose DNS never answers
 * would hold it (and every payment of every merchant) for as long as the lookup takes.
 */
export async function assertEndpointCreatable(app: App, caller: Caller, input: Pick<NewEndpoint, 'url'>): Promise<void> {
  requireSecretKey(caller, 'Managing webhook endpoints'); // a key that may not register one makes no lookup
  await app.outbound.assertAllowed(input.url, caller.livemode);
}

/** A new endpoint; its URL is checked by assertEndpointCreatable, before the transaction. */
export async function createEndpoint(unit: Work, caller: Caller, input: NewEndpoint, formats: readonly string[] = DEFAULT_WEBHOOK_FORMATS, secretless: readonly string[] = []): Promise<EndpointWithSecret> {
  requireSecretKey(caller, 'Managing webhook endpoints');
  const format = input.format ?? 'native';
  if (!formats.includes(format))
    throw new DomainError('parameter_invalid', `format ${format} is not available; choose one of ${formats.join(', ')}.`, 'format');
  // a test-mode endpoint is a test-mode object: its timestamps are on the merchant's test clock
  const now = await merchantNow(unit.app, unit.tx, caller.merchantId, caller.livemode);
  const secret = unit.app.ids.webhookSecret();
  const endpoint: WebhookEndpoint = {
    id: unit.app.ids.id('we'), merchantId: caller.merchantId, livemode: caller.livemode, url: input.url,
    // a set: a type named twice is one subscription, stored and shown once
    eventTypes: input.eventTypes ? [...new Set(input.eventTypes)] : null,
    format, status: 'enabled', disabledReason: null, secretSealed: unit.app.box.seal(secret), previousSecretSealed: null, previousSecretExpiresAt: null,
    createdAt: now, updatedAt: now,
  };
  await unit.tx.insertWebhookEndpoint(endpoint);
  // the row keeps a sealed secret either way (the column is required); it is never shown for such a format
  return { endpoint, secret: secretless.includes(format) ? null : secret };
}

export async function listEndpoints(app: App, caller: Caller): Promise<WebhookEndpoint[]> {
  requireSecretKey(caller, 'Managing webhook endpoints');
  return app.db.read.listWebhookEndpoints(caller.merchantId, caller.livemode);
}

export async function getEndpoint(app: App, caller: Caller, id: string): Promise<WebhookEndpoint> {
  requireSecretKey(caller, 'Managing webhook endpoints');
  return loadEndpoint(app.db.read, caller, id);
}

/** Deletes the endpoint; what was still waiting to go to it is cancelled. */
export async function deleteEndpoint(unit: Work, caller: Caller, id: string): Promise<WebhookEndpoint> {
  requireSecretKey(caller, 'Managing webhook endpoints');
  const endpoint = await loadEndpoint(unit.tx, caller, id);
  await unit.tx.cancelPendingDeliveries(endpoint.id, await merchantNow(unit.app, unit.tx, caller.merchantId, caller.livemode));
  await unit.tx.deleteWebhookEndpoint(endpoint.id);
  return endpoint;
}

/** A new secret; the old one keeps signing beside it for 24 h so receivers can switch without a gap. */
export async function rotateSecret(unit: Work, caller: Caller, id: string, secretless: readonly string[] = []): Promise<EndpointWithSecret> {
  requireSecretKey(caller, 'Managing webhook endpoints');
  const endpoint = await loadEndpoint(unit.tx, caller, id);
  if (secretless.includes(endpoint.format))
    throw new DomainError('invalid_state', `Endpoints of format ${endpoint.format} are signed with posgate's own key, not a secret: there is no secret to rotate.`);
  // on the mode's clock, like the deliveries it signs: in test mode the overlap ends on the test clock
  const now = await merchantNow(unit.app, unit.tx, caller.merchantId, caller.livemode);
  const secret = unit.app.ids.webhookSecret();
  const rotated: WebhookEndpoint = {
    ...endpoint, secretSealed: unit.app.box.seal(secret), previousSecretSealed: endpoint.secretSealed, previousSecretExpiresAt: now + ROTATION_OVERLAP_MS, updatedAt: now,
  };
  // checked against the row as read: of two rotations at once the second runs again on the first's
  // secret (keeping it, not the original, beside its own), and an endpoint disabled meanwhile stays so
  await unit.tx.updateWebhookEndpoint(rotated, endpoint);
  return { endpoint: rotated, secret };
}

/** Turns a disabled endpoint (e.g. after a 410) back on; deliveries resume with new events and redeliveries. */
export async function enableEndpoint(unit: Work, caller: Caller, id: string): Promise<WebhookEndpoint> {
  requireSecretKey(caller, 'Managing webhook endpoints');
  const endpoint = await loadEndpoint(unit.tx, caller, id);
  const enabled: WebhookEndpoint = { ...endpoint, status: 'enabled', disabledReason: null, updatedAt: await merchantNow(unit.app, unit.tx, caller.merchantId, caller.livemode) };
  await unit.tx.updateWebhookEndpoint(enabled, endpoint);
  return enabled;
}
