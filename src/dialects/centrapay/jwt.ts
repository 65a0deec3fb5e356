// The JWT a Centrapay webhook carries in `Authorization`: ES256 (P-256, SHA-256), signature in
// JOSE's raw r||s form, binding the exact body by its SHA-256 and the receiver by `aud`. Made with
// node:crypto alone: the whole of JWS that a webhook needs is these few lines.
import { createHash, sign, type KeyObject } from 'node:crypto';
import { SIGNED_TOKEN_LIFETIME_SECONDS } from '../../app/use-cases/signing-keys.js';

/**
 * A webhook's token is good for 5 minutes from when it was signed (Centrapay: exp = iat + 5 min);
 * a rotated-out key stays published at least that long after it last signed.
 */
export const WEBHOOK_JWT_LIFETIME_SECONDS = SIGNED_TOKEN_LIFETIME_SECONDS;

export interface WebhookJwtInput {
  kid: string;
  privateKey: KeyObject;
  /** The exact body that is sent. */
  body: string;
  /** The receiver: the webhook URL's origin. */
  audience: string;
  /** Seconds since the epoch, real time. */
  nowSeconds: number;
}

const segment = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

export const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** `<header>.<claims>.<signature>`, each base64url without padding (RFC 7515 compact form). */
export function webhookJwt(input: WebhookJwtInput): string {
  const header = { alg: 'ES256', typ: 'JWT', kid: input.kid };
  const claims = {
    iat: input.nowSeconds,
    exp: input.nowSeconds + WEBHOOK_JWT_LIFETIME_SECONDS,
    aud: input.audience,
    request_body_sha256: sha256Hex(input.body),
  };
  const signingInput = `${segment(header)}.${segment(claims)}`;
  // ieee-p1363: the 64-byte r||s JWS wants, not DER
  const signature = sign('sha256', Buffer.from(signingInput, 'ascii'), { key: input.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${signature.toString('base64url')}`;
}
