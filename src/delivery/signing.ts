// Webhook signing: Standard Webhooks v1 (https://www.standardwebhooks.com).
//
// Every delivery carries three headers:
//   webhook-id         the event id, stable across retries (receivers deduplicate on it)
//   webhook-timestamp  integer seconds since the Unix epoch of this attempt
//   webhook-signature  `v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`, one entry per
//                      active secret, separated by a single space (newest secret first, so during
//                      a rotation a receiver holding either the old or the new secret verifies)
//
// A secret is `whsec_<base64 key>`; the HMAC key is the base64-decoded part after the prefix.
// `verifySignature` is the receiver side, used by our tests and mirrored by the README receiver.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/** Keys accepted by `webhookSecretKey`: the Standard Webhooks recommendation (24..64 bytes). */
const MIN_KEY_BYTES = 24;
const MAX_KEY_BYTES = 64;

/** Canonical, padded base64 (the alphabet of Buffer's 'base64', not base64url). */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** An HMAC-SHA256 digest is 32 bytes. */
const SIGNATURE_BYTES = 32;

/** A new secret: `whsec_` + base64 of 32 random bytes. Shown to the merchant once. */
export function generateWebhookSecret(): string {
  return WEBHOOK_SECRET_PREFIX + randomBytes(32).toString('base64');
}

/**
 * The HMAC key of a `whsec_…` secret. Throws an Error when the prefix is missing, the rest is not
 * canonical base64, or the key is shorter than 24 or longer than 64 bytes.
 */
export function webhookSecretKey(secret: string): Buffer {
  if (typeof secret !== 'string' || !secret.startsWith(WEBHOOK_SECRET_PREFIX)) {
    throw new Error(`webhook secret must start with "${WEBHOOK_SECRET_PREFIX}"`);
  }
  const encoded = secret.slice(WEBHOOK_SECRET_PREFIX.length);
  if (encoded === '' || !BASE64.test(encoded)) throw new Error('webhook secret is not valid base64 after the whsec_ prefix');
  const key = Buffer.from(encoded, 'base64');
  if (key.length < MIN_KEY_BYTES || key.length > MAX_KEY_BYTES) {
    throw new Error(`webhook secret key must be ${MIN_KEY_BYTES} to ${MAX_KEY_BYTES} bytes, got ${key.length}`);
  }
  return key;
}

/** True when `secret` is a usable `whsec_…` secret (see `webhookSecretKey`). */
export function isWebhookSecret(secret: string): boolean {
  try {
    webhookSecretKey(secret);
    return true;
  } catch {
    return false;
  }
}

function hmac(key: Buffer, id: string, timestamp: string, body: string): Buffer {
  return createHmac('sha256', key).update(`${id}.${timestamp}.${body}`, 'utf8').digest();
}

export interface SignatureInput {
  /** The event id (`webhook-id`), the same on every retry of the event. */
  id: string;
  /** Seconds since the Unix epoch of this attempt (an integer). */
  timestampSeconds: number;
  /** The exact request body that will be sent. */
  body: string;
  /** The endpoint's active secrets, newest first; at least one. */
  secrets: string[];
}

/**
 * The three Standard Webhooks headers for one delivery attempt. Throws an Error on an invalid
 * secret, an empty secret list, an empty id or a timestamp that is not a non-negative integer.
 */
export function signatureHeaders(input: SignatureInput): Record<string, string> {
  const { id, timestampSeconds, body, secrets } = input;
  if (typeof id !== 'string' || id === '') throw new Error('webhook id must be a non-empty string');
  if (!Number.isSafeInteger(timestampSeconds) || timestampSeconds < 0) {
    throw new Error('webhook timestamp must be a non-negative integer number of seconds');
  }
  if (!Array.isArray(secrets) || secrets.length === 0) throw new Error('at least one webhook secret is needed to sign');
  const timestamp = String(timestampSeconds);
  const keys = secrets.map(webhookSecretKey); // validate every secret before signing with any
  const signature = keys.map((key) => `v1,${hmac(key, id, timestamp, body).toString('base64')}`).join(' ');
  return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature };
}

export interface VerifyInput {
  /** The `webhook-id` header. */
  id: string;
  /** The `webhook-timestamp` header, as received (decimal seconds). */
  timestamp: string;
  /** The raw request body, exactly as received. */
  body: string;
  /** The `webhook-signature` header. */
  signatureHeader: string;
  /** The receiver's `whsec_…` secret. An invalid secret throws: it is configuration, not input. */
  secret: string;
  /** How far the timestamp may be from now, either way. Default 300 s. */
  toleranceSeconds?: number;
  /** Now, in seconds since the epoch. Default: the system clock. */
  nowSeconds?: number;
}

/**
 * The receiver side: true when the timestamp is within tolerance and ANY `v1,` entry of the
 * signature header matches (compared in constant time). Malformed headers give false, never throw.
 */
export function verifySignature(input: VerifyInput): boolean {
  const { id, timestamp, body, signatureHeader, secret } = input;
  const key = webhookSecretKey(secret);
  const toleranceSeconds = input.toleranceSeconds ?? 300;
  const nowSeconds = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (typeof id !== 'string' || id === '' || typeof body !== 'string') return false;
  if (typeof timestamp !== 'string' || !/^\d{1,15}$/.test(timestamp)) return false;
  if (Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds) return false;
  if (typeof signatureHeader !== 'string') return false;

  const expected = hmac(key, id, timestamp, body);
  let matched = false;
  for (const entry of signatureHeader.split(' ')) {
    const comma = entry.indexOf(',');
    if (comma < 0 || entry.slice(0, comma) !== 'v1') continue;
    const encoded = entry.slice(comma + 1);
    if (!BASE64.test(encoded)) continue;
    const candidate = Buffer.from(encoded, 'base64');
    if (candidate.length !== SIGNATURE_BYTES) continue;
    // no early exit: every entry is compared, so timing does not reveal which one matched
    if (timingSafeEqual(candidate, expected)) matched = true;
  }
  return matched;
}
