// Delivering events: claim due deliveries, give the sender what it needs, record each attempt.
// The sender (delivery/) does the network I/O between these steps, outside any transaction.
import { afterAttempt, signingSecrets, type AttemptOutcome, type Delivery, type DeliveryAttempt } from '../../core/webhooks.js';
import { canSee, notFound, requireSecretKey } from '../access.js';
import type { App, Caller } from '../context.js';
import { deliveryOf, isNotice, noticeTargetsOf, targetsOf } from '../outbox.js';
import type { ReadTx, StoredEvent } from '../ports/persistence.js';
import { merchantNow } from '../time.js';
import { inTransaction, type Work } from '../unit-of-work.js';
import { auditCaller } from './audit.js';
import { existingWebhookSecret, merchantWebhookSecret } from './request-webhook-secret.js';

/**
 * Leases due deliveries to `owner`: a name for this one claim (rows held by it are claimed again),
 * so that a claim whose outcome is unknown is repeated with the same name and nothing else.
 */
export async function claimDeliveries(app: App, limit: number, owner = app.config.workerId, skipTargets: readonly string[] = []): Promise<Delivery[]> {
  if (limit <= 0) return [];
  const now = app.clock.now();
  return app.db.transaction((tx) => tx.claimDueDeliveries(now, limit, { owner, until: now + app.config.deliveryLeaseMs }, skipTargets));
}

/** Gives claimed deliveries back untouched (a worker that stops before sending them): their leases end now, not when they run out. */
export async function releaseDeliveries(app: App, deliveries: readonly Delivery[]): Promise<void> {
  if (deliveries.length > 0) await app.db.transaction((tx) => tx.updateDeliveries(deliveries));
}

export interface DeliveryJob {
  delivery: Delivery;
  event: StoredEvent;
  /** Plain signing secrets, newest first. */
  secrets: string[];
}

/** Reads each value once, however many deliveries of a batch share it (an endpoint, a merchant's clock). */
function once<A extends Array<string | boolean>, T>(load: (...args: A) => Promise<T>): (...args: A) => Promise<T> {
  const loaded = new Map<string, Promise<T>>();
  return (...args) => {
    const key = args.join(' '); // ids hold no space
    let value = loaded.get(key);
    if (!value) loaded.set(key, (value = load(...args)));
    return value;
  };
}

/**
 * What claimed deliveries need to be sent, each null (and the delivery cancelled) if its endpoint is
 * gone or disabled. Read outside a transaction, and together: the deliveries of one claim mostly
 * share their endpoint and merchant, read once for all of them. Only a delivery to cancel, or a
 * merchant without a webhook secret yet, takes a transaction, so a delivery waits for one commit
 * (its attempt's), not two.
 */
export async function prepareDeliveries(app: App, deliveries: readonly Delivery[]): Promise<Array<DeliveryJob | null>> {
  const read = app.db.read;
  const endpointOf = once((id: string) => read.getWebhookEndpoint(id));
  const nowOf = once((merchantId: string, livemode: boolean) => merchantNow(app, read, merchantId, livemode));
  const endpointSecrets = once(async (id: string) => {
    const endpoint = (await endpointOf(id))!;
    return signingSecrets(endpoint, await nowOf(endpoint.merchantId, endpoint.livemode)).map((sealed) => app.box.open(sealed));
  });
  const merchantSecret = once(async (merchantId: string, livemode: boolean) => {
    const secret = await existingWebhookSecret(app, read, merchantId, livemode);
    return secret === null ? null : [secret];
  });
  const events = new Map((await read.getEvents([...new Set(deliveries.map((d) => d.eventId))])).map((e) => [e.id, e]));
  return Promise.all(
    deliveries.map(async (delivery) => {
      const event = events.get(delivery.eventId);
      const endpoint = delivery.endpointId ? await endpointOf(delivery.endpointId) : null;
      if (!event || (delivery.endpointId && (!endpoint || endpoint.status !== 'enabled'))) return prepareInTransaction(app, delivery);
      const secrets = endpoint ? await endpointSecrets(endpoint.id) : await merchantSecret(delivery.merchantId, delivery.livemode);
      return secrets === null ? prepareInTransaction(app, delivery) : { delivery, event, secrets };
    }),
  );
}

/** What one claimed delivery needs to be sent (see prepareDeliveries). */
export async function prepareDelivery(app: App, delivery: Delivery): Promise<DeliveryJob | null> {
  return (await prepareDeliveries(app, [delivery]))[0] ?? null;
}

async function prepareInTransaction(app: App, delivery: Delivery): Promise<DeliveryJob | null> {
  return inTransaction(app, async ({ tx }) => {
    const event = await tx.getEvent(delivery.eventId);
    const endpoint = delivery.endpointId ? await tx.getWebhookEndpoint(delivery.endpointId) : null;
    if (!event || (delivery.endpointId && (!endpoint || endpoint.status !== 'enabled'))) {
      await tx.updateDelivery({ ...delivery, status: 'cancelled', updatedAt: await merchantNow(app, tx, delivery.merchantId, delivery.livemode) });
      return null;
    }
    const sealed = endpoint ? signingSecrets(endpoint, await merchantNow(app, tx, delivery.merchantId, delivery.livemode)) : null;
    const secrets = sealed ? sealed.map((s) => app.box.open(s)) : [await merchantWebhookSecret(app, tx, delivery.merchantId, delivery.livemode)];
    return { delivery, event, secrets };
  });
}

/** What goes on the wire for one attempt: the exact body and the headers that sign it. */
export interface RenderedDelivery {
  body: string;
  headers: Record<string, string>;
  /**
   * The format's own ack rule, when a 2xx alone does not mean delivered (a protocol whose receivers
   * must answer a given body): judges what the receiver answered (the first 1 KiB of its body). A
   * 2xx it does not accept is a failed attempt, retried on the schedule.
   */
  acknowledged?: (answer: { statusCode: number; body: string | null }) => boolean;
}

/**
 * Turns a delivery into the request its target's format sends (native, or a dialect's), signed for
 * this attempt (`nowSeconds`: real time, what receivers compare with their own clocks). Null: the
 * format has nothing to send for this event (see `skipDelivery`).
 */
export type RenderDelivery = (job: DeliveryJob, nowSeconds: number) => Promise<RenderedDelivery | null>;

/**
 * Ends a delivery whose format has nothing to send for its event (a format that reports payments
 * only, and a `payment_request.created`): no request is made, so no attempt is logged (the event's attempts
 * list shows only what was sent) and the delivery leaves `pending`, so it is neither retried nor
 * holding back the object's later events. Cancelled, as the one ended status that means "not sent".
 */
export async function skipDelivery(app: App, delivery: Delivery): Promise<void> {
  await inTransaction(app, async ({ tx }) => {
    const current = await tx.getDelivery(delivery.id);
    if (!current || current.status !== 'pending') return; // ended meanwhile (endpoint deleted): leave it
    await tx.updateDelivery({ ...current, status: 'cancelled', updatedAt: await merchantNow(app, tx, delivery.merchantId, delivery.livemode) });
  });
}

export interface SendResult {
  statusCode: number | null;
  latencyMs: number;
  /** The first 1 KiB of the response body. */
  responseSnippet: string | null;
  error: string | null;
  /** From a Retry-After header on 429 and 503. */
  retryAfterMs?: number;
  /** False when the receiver answered 2xx but not as the format's ack rule asks (RenderedDelivery.acknowledged). */
  acknowledged?: boolean;
}

/** A send's result judged by the format's ack rule: a 2xx the rule refuses is a failure, with the reason logged. */
export function judged(result: SendResult, rendered: Pick<RenderedDelivery, 'acknowledged'>): SendResult {
  const status = result.statusCode;
  if (!rendered.acknowledged || status === null || status < 200 || status >= 300) return result;
  if (rendered.acknowledged({ statusCode: status, body: result.responseSnippet })) return result;
  return { ...result, acknowledged: false, error: 'the receiver did not acknowledge the delivery as its format asks' };
}

function outcomeOf(result: SendResult): AttemptOutcome {
  const status = result.statusCode;
  if (status !== null && status >= 200 && status < 300 && result.acknowledged !== false) return { kind: 'delivered' };
  if (status === 410) return { kind: 'gone' };
  const honoursRetryAfter = (status === 429 || status === 503) && result.retryAfterMs !== undefined;
  return honoursRetryAfter ? { kind: 'failed', retryAfterMs: result.retryAfterMs } : { kind: 'failed' };
}

/**
 * Records attempts and schedules what follows each: done, retry later, or give up (and on 410,
 * disable the endpoint). In one transaction for all of them: the worker records together the
 * attempts that come back while a record commits.
 */
export async function recordAttempts(app: App, sent: ReadonlyArray<{ delivery: Delivery; result: SendResult }>, jitter: () => number = Math.random): Promise<Delivery[]> {
  return inTransaction(app, async ({ tx }) => {
    const nowOf = once((merchantId: string, livemode: boolean) => merchantNow(app, tx, merchantId, livemode));
    const nows = await Promise.all(sent.map(({ delivery }) => nowOf(delivery.merchantId, delivery.livemode)));
    const attempts = sent.map(({ delivery, result }, i): DeliveryAttempt => ({
      id: app.ids.id('att'), deliveryId: delivery.id, eventId: delivery.eventId, endpointId: delivery.endpointId, url: delivery.url,
      attemptedAt: nows[i]!, statusCode: result.statusCode, latencyMs: result.latencyMs, responseSnippet: result.responseSnippet, error: result.error,
    }));
    await tx.insertDeliveryAttempts(attempts);
    const stored = new Map((await tx.getDeliveries(sent.map(({ delivery }) => delivery.id))).map((d) => [d.id, d]));
    /** Endpoints a 410 in this batch disabled. */
    const disabled = new Set<string>();
    const recorded: Delivery[] = [];
    for (const [i, { delivery, result }] of sent.entries()) {
      const current = stored.get(delivery.id) ?? delivery;
      // cancelled while on the wire (endpoint deleted or disabled): the attempt is logged, the delivery stays ended
      if (current.status !== 'pending') {
        recorded.push(current);
        continue;
      }
      const next = afterAttempt(current, outcomeOf(result), nows[i]!, jitter());
      recorded.push(next.delivery);
      if (next.disableEndpoint && delivery.endpointId) {
        const endpoint = await tx.getWebhookEndpoint(delivery.endpointId);
        if (endpoint && endpoint.status === 'enabled') {
          // on the mode's clock, as the attempt: a test-mode endpoint's timestamps are on the test clock
          await tx.updateWebhookEndpoint({ ...endpoint, status: 'disabled', disabledReason: 'the receiver answered 410 Gone', updatedAt: nows[i]! }, endpoint);
          await tx.cancelPendingDeliveries(endpoint.id, nows[i]!);
          disabled.add(endpoint.id);
        }
      }
    }
    // a 410 disabled an endpoint: its deliveries in this batch that would be retried end with it, as the rest of its pending ones did
    const ended = recorded.map((d, j) => (d.status === 'pending' && d.endpointId !== null && disabled.has(d.endpointId) ? { ...d, status: 'cancelled' as const, updatedAt: nows[j]! } : d));
    await tx.updateDeliveries(ended);
    return ended;
  });
}

async function visibleEvent(tx: ReadTx, caller: Caller, eventId: string): Promise<StoredEvent> {
  const event = await tx.getEvent(eventId);
  if (!event || !canSee(caller, event)) throw notFound('event', eventId);
  return event;
}

/**
 * Every attempt made to deliver an event, oldest first. A terminal key sees only those to its request's own webhookUrl:
 * the merchant's endpoints (their URLs, which may carry a token, and what their receivers answered)
 * are the merchant's, managed with a secret key alone.
 */
export async function listEventAttempts(app: App, caller: Caller, eventId: string): Promise<DeliveryAttempt[]> {
  await visibleEvent(app.db.read, caller, eventId);
  const attempts = await app.db.read.listDeliveryAttempts(eventId);
  return caller.kind === 'secret' ? attempts : attempts.filter((attempt) => attempt.endpointId === null);
}

/**
 * Sends the event again to every target that should have it now (enabled endpoints, and its
 * request's webhookUrl; a notice, to the URL it was queued for): the merchant's endpoints are
 * called, so a secret key is needed.
 */
export async function redeliver(unit: Work, caller: Caller, eventId: string): Promise<Delivery[]> {
  requireSecretKey(caller, 'Redelivering an event');
  const event = await visibleEvent(unit.tx, caller, eventId);
  const endpoints = await unit.tx.listWebhookEndpoints(event.merchantId, event.livemode);
  const request = await unit.tx.getPaymentRequest(event.paymentRequestId);
  const now = await merchantNow(unit.app, unit.tx, event.merchantId, event.livemode);
  // a notice (a price update) goes again where it went: its own URL, not the endpoints nor the webhookUrl
  const targets = isNotice(event.type) ? noticeTargetsOf(await unit.tx.listDeliveriesForEvent(event.id)) : targetsOf(unit.app, event, endpoints, request);
  const deliveries = targets.map((target) => deliveryOf(unit.app.ids, event, target, now));
  for (const delivery of deliveries) await unit.tx.insertDelivery(delivery);
  await auditCaller(unit, caller, 'event.redeliver', 'event', eventId, `${deliveries.length} deliveries`);
  return deliveries;
}

/** The deliveries waiting across every process, for /metrics: due now, waiting for a retry, the oldest due. */
export function webhookBacklog(app: App): Promise<{ due: number; waiting: number; oldestDueCreatedAt: number | null }> {
  return app.db.read.webhookBacklog(app.clock.now());
}
