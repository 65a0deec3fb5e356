// Webhook delivery as data: endpoints, one delivery per (event, target), and what an attempt's
// outcome means for the next one. Sending is someone else's job; this decides.

export type EndpointStatus = 'enabled' | 'disabled';

export interface WebhookEndpoint {
  id: string;
  merchantId: string;
  livemode: boolean;
  url: string;
  /** null: every event type. */
  eventTypes: string[] | null;
  /** `native`, or a dialect name: the body and signature format. */
  format: string;
  status: EndpointStatus;
  disabledReason: string | null;
  secretSealed: string;
  /** During a rotation the previous secret also signs, until it expires. */
  previousSecretSealed: string | null;
  previousSecretExpiresAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'cancelled';

export interface Delivery {
  id: string;
  eventId: string;
  /** null for a request's own webhookUrl. */
  endpointId: string | null;
  /** What order is kept per: the endpoint id, or "url:" + the request's webhookUrl. */
  target: string;
  url: string;
  format: string;
  merchantId: string;
  livemode: boolean;
  objectId: string;
  sequence: number;
  status: DeliveryStatus;
  attempts: number;
  /** On the clock of the delivery's mode (the merchant's test clock in test mode). */
  nextAttemptAt: number;
  createdAt: number;
  updatedAt: number;
}

export interface DeliveryAttempt {
  id: string;
  deliveryId: string;
  eventId: string;
  endpointId: string | null;
  url: string;
  attemptedAt: number;
  statusCode: number | null;
  latencyMs: number;
  responseSnippet: string | null;
  error: string | null;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Delay before attempt n+1 (index n = attempts made so far): 0 s, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h. */
export const RETRY_SCHEDULE_MS = [0, 5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 14 * HOUR, 20 * HOUR, 24 * HOUR] as const;
export const MAX_ATTEMPTS = RETRY_SCHEDULE_MS.length;
/** Retries are spread by up to this fraction of their delay, later never earlier, so a recovering receiver is not hit by every sender at once. */
export const JITTER = 0.1;
/** A Retry-After longer than this is not waited for beyond it. */
export const MAX_RETRY_AFTER_MS = 24 * HOUR;
/** How long a rotated-out secret keeps signing beside the new one. */
export const ROTATION_OVERLAP_MS = 24 * HOUR;

export function wantsEvent(endpoint: WebhookEndpoint, eventType: string): boolean {
  return endpoint.status === 'enabled' && (endpoint.eventTypes === null || endpoint.eventTypes.includes(eventType));
}

export type AttemptOutcome =
  | { kind: 'delivered' }
  /** 410 Gone: the receiver asks never to be called again. */
  | { kind: 'gone' }
  | { kind: 'failed'; retryAfterMs?: number };

export interface AfterAttempt {
  delivery: Delivery;
  disableEndpoint: boolean;
}

/** What one attempt's outcome does to its delivery. `jitter` is a random number in [0, 1). */
export function afterAttempt(delivery: Delivery, outcome: AttemptOutcome, now: number, jitter: number): AfterAttempt {
  const attempts = delivery.attempts + 1;
  const base = { ...delivery, attempts, updatedAt: now };
  if (outcome.kind === 'delivered') return { delivery: { ...base, status: 'delivered' }, disableEndpoint: false };
  if (outcome.kind === 'gone') return { delivery: { ...base, status: 'failed' }, disableEndpoint: delivery.endpointId !== null };
  if (attempts >= MAX_ATTEMPTS) return { delivery: { ...base, status: 'failed' }, disableEndpoint: false };
  const scheduled = Math.round((RETRY_SCHEDULE_MS[attempts] as number) * (1 + JITTER * jitter));
  // a receiver may ask for longer than the schedule (up to a day), never for less: `Retry-After: 0`
  // would spend all ten attempts in seconds and fail an event a short outage should only delay
  const delay = outcome.retryAfterMs === undefined ? scheduled : Math.max(scheduled, Math.min(outcome.retryAfterMs, MAX_RETRY_AFTER_MS));
  return { delivery: { ...base, status: 'pending', nextAttemptAt: now + delay }, disableEndpoint: false };
}

/** Secrets that sign now: the current one, and the previous one while its rotation overlap lasts. */
export function signingSecrets(endpoint: Pick<WebhookEndpoint, 'secretSealed' | 'previousSecretSealed' | 'previousSecretExpiresAt'>, now: number): string[] {
  const previous = endpoint.previousSecretSealed && endpoint.previousSecretExpiresAt !== null && now < endpoint.previousSecretExpiresAt ? [endpoint.previousSecretSealed] : [];
  return [endpoint.secretSealed, ...previous];
}
