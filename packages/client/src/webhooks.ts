// Verifying a delivery posgate signed (Standard Webhooks v1): `webhook-id`, `webhook-timestamp`
// and `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">` (several, space-separated,
// during a secret's rotation). Web Crypto's verify compares in constant time.
import { WebhookVerificationError } from './errors.js';
import type { Event } from './types.js';

export type HeaderBag = Headers | Record<string, string | string[] | undefined>;

export interface VerifyOptions {
  /** How far the timestamp may be from now, in seconds (default 300). */
  toleranceSeconds?: number;
  /** Now, in ms since the epoch (default Date.now()): tests and replays set it. */
  now?: number;
}

function header(headers: HeaderBag, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : headers[key];
  return Array.isArray(value) ? value[0] : value;
}

function base64Bytes(text: string): Uint8Array<ArrayBuffer> | null {
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

/** The HMAC key of a `whsec_…` secret. */
async function keyOf(secret: string): Promise<CryptoKey> {
  const bytes = secret.startsWith('whsec_') ? base64Bytes(secret.slice('whsec_'.length)) : null;
  if (!bytes || bytes.length === 0) throw new TypeError('the webhook secret must be the whsec_… value posgate showed when the endpoint was made');
  return globalThis.crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
}

/**
 * The event of a delivery whose signature `secret` made, within the timestamp tolerance; throws
 * WebhookVerificationError otherwise. Pass the body exactly as received, before any JSON parsing.
 */
export async function verifyWebhook(rawBody: string | Uint8Array, headers: HeaderBag, secret: string, options: VerifyOptions = {}): Promise<Event> {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures) throw new WebhookVerificationError('missing webhook-id, webhook-timestamp or webhook-signature header');
  if (!/^\d+$/.test(timestamp)) throw new WebhookVerificationError('webhook-timestamp is not a number of seconds');
  const tolerance = options.toleranceSeconds ?? 300;
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  if (Math.abs(now - Number(timestamp)) > tolerance) throw new WebhookVerificationError(`webhook-timestamp is more than ${tolerance} s from now: a replay, or a clock out of step`);

  const body = typeof rawBody === 'string' ? rawBody : new TextDecoder().decode(rawBody);
  const signed = new TextEncoder().encode(`${id}.${timestamp}.${body}`);
  const key = await keyOf(secret);
  for (const entry of signatures.split(' ')) {
    const [version, encoded] = entry.split(',', 2);
    const signature = version === 'v1' && encoded ? base64Bytes(encoded) : null;
    if (signature && (await globalThis.crypto.subtle.verify('HMAC', key, signature, signed))) return JSON.parse(body) as Event;
  }
  throw new WebhookVerificationError('no signature matches this secret');
}
