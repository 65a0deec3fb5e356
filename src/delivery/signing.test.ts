import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateWebhookSecret, isWebhookSecret, signatureHeaders, verifySignature, webhookSecretKey } from './signing.js';

const NOW = 1_700_000_000;
const BODY = '{"id":"evt_1","type":"payment_request.succeeded","data":{"object":{"amount":2700}}}';

/** Computed here with node:crypto alone, the way the README receiver does: not with the module's code. */
function referenceSignature(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  return createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
}

function signed(secrets: string[], id = 'evt_1', ts = NOW, body = BODY) {
  const headers = signatureHeaders({ id, timestampSeconds: ts, body, secrets });
  return { headers, id, timestamp: String(ts), body, signatureHeader: headers['webhook-signature'] ?? '' };
}

describe('webhook secrets', () => {
  it('are whsec_ + base64 of 32 random bytes, each different', () => {
    const a = generateWebhookSecret();
    const b = generateWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(a).not.toBe(b);
    expect(webhookSecretKey(a)).toHaveLength(32);
    expect(isWebhookSecret(a)).toBe(true);
  });

  it('are refused without the whsec_ prefix, with bad base64 or a too short key', () => {
    const raw = generateWebhookSecret().slice('whsec_'.length);
    for (const bad of [raw, `wh_${raw}`, 'whsec_', 'whsec_not base64!', `whsec_${Buffer.alloc(8).toString('base64')}`]) {
      expect(isWebhookSecret(bad)).toBe(false);
      expect(() => signatureHeaders({ id: 'evt_1', timestampSeconds: NOW, body: BODY, secrets: [bad] })).toThrow(Error);
    }
    expect(() => signatureHeaders({ id: 'evt_1', timestampSeconds: NOW, body: BODY, secrets: [raw] })).toThrow(/whsec_/);
  });
});

describe('signatureHeaders', () => {
  it('matches the published Standard Webhooks test vector', () => {
    const headers = signatureHeaders({
      id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      timestampSeconds: 1614265330,
      body: '{"test": 2432232314}',
      secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
    });
    expect(headers).toEqual({
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    });
  });

  it('matches an HMAC computed independently with node:crypto (non-ASCII body included)', () => {
    const secret = generateWebhookSecret();
    const body = '{"description":"Café – 2 × crème brûlée","amount":1250}';
    const headers = signatureHeaders({ id: 'evt_9', timestampSeconds: NOW, body, secrets: [secret] });
    expect(headers['webhook-id']).toBe('evt_9');
    expect(headers['webhook-timestamp']).toBe(String(NOW));
    expect(headers['webhook-signature']).toBe(`v1,${referenceSignature(secret, 'evt_9', NOW, body)}`);
  });

  it('signs with every secret during a rotation, newest first, and each secret verifies alone', () => {
    const newer = generateWebhookSecret();
    const older = generateWebhookSecret();
    const s = signed([newer, older]);
    const entries = s.signatureHeader.split(' ');
    expect(entries).toEqual([`v1,${referenceSignature(newer, s.id, NOW, BODY)}`, `v1,${referenceSignature(older, s.id, NOW, BODY)}`]);
    expect(verifySignature({ ...s, secret: newer, nowSeconds: NOW })).toBe(true);
    expect(verifySignature({ ...s, secret: older, nowSeconds: NOW })).toBe(true);
    expect(verifySignature({ ...s, secret: generateWebhookSecret(), nowSeconds: NOW })).toBe(false);
  });

  it('refuses to sign without a secret, an id or with a fractional timestamp', () => {
    const secret = generateWebhookSecret();
    expect(() => signatureHeaders({ id: 'evt_1', timestampSeconds: NOW, body: BODY, secrets: [] })).toThrow(Error);
    expect(() => signatureHeaders({ id: '', timestampSeconds: NOW, body: BODY, secrets: [secret] })).toThrow(Error);
    expect(() => signatureHeaders({ id: 'evt_1', timestampSeconds: NOW + 0.5, body: BODY, secrets: [secret] })).toThrow(Error);
    expect(() => signatureHeaders({ id: 'evt_1', timestampSeconds: -1, body: BODY, secrets: [secret] })).toThrow(Error);
  });
});

describe('verifySignature', () => {
  const secret = generateWebhookSecret();
  const s = signed([secret]);

  it('accepts a genuine delivery', () => {
    expect(verifySignature({ ...s, secret, nowSeconds: NOW })).toBe(true);
  });

  it('rejects a tampered body, id or timestamp', () => {
    expect(verifySignature({ ...s, body: BODY.replace('2700', '2701'), secret, nowSeconds: NOW })).toBe(false);
    expect(verifySignature({ ...s, body: `${BODY} `, secret, nowSeconds: NOW })).toBe(false);
    expect(verifySignature({ ...s, id: 'evt_2', secret, nowSeconds: NOW })).toBe(false);
    expect(verifySignature({ ...s, timestamp: String(NOW + 1), secret, nowSeconds: NOW })).toBe(false);
  });

  it('rejects a timestamp outside the tolerance, either way, and accepts one at its edge', () => {
    expect(verifySignature({ ...s, secret, nowSeconds: NOW + 300 })).toBe(true);
    expect(verifySignature({ ...s, secret, nowSeconds: NOW - 300 })).toBe(true);
    expect(verifySignature({ ...s, secret, nowSeconds: NOW + 301 })).toBe(false);
    expect(verifySignature({ ...s, secret, nowSeconds: NOW - 301 })).toBe(false);
    expect(verifySignature({ ...s, secret, nowSeconds: NOW + 3600 })).toBe(false);
    expect(verifySignature({ ...s, secret, nowSeconds: NOW + 3600, toleranceSeconds: 3600 })).toBe(true);
  });

  it('uses the system clock by default, so an old signature fails', () => {
    const fresh = signed([secret], 'evt_1', Math.floor(Date.now() / 1000));
    expect(verifySignature({ ...fresh, secret })).toBe(true);
    expect(verifySignature({ ...s, secret })).toBe(false); // NOW is in 2023
  });

  it('accepts if any v1 entry matches, ignoring other versions and garbage entries', () => {
    const good = s.signatureHeader;
    const other = `v1,${Buffer.alloc(32, 7).toString('base64')}`;
    expect(verifySignature({ ...s, signatureHeader: `${other} ${good}`, secret, nowSeconds: NOW })).toBe(true);
    expect(verifySignature({ ...s, signatureHeader: `v1a,abc ${good} junk`, secret, nowSeconds: NOW })).toBe(true);
    expect(verifySignature({ ...s, signatureHeader: good.replace('v1,', 'v2,'), secret, nowSeconds: NOW })).toBe(false);
  });

  it('returns false on malformed headers without throwing', () => {
    const sig = s.signatureHeader.slice('v1,'.length);
    const malformed = [
      '',
      ' ',
      sig, // no version
      'v1',
      'v1,',
      'v1,!!!not-base64!!!',
      `v1,${sig.slice(0, -4)}`, // truncated: wrong length
      `v1,${sig}${sig}`, // doubled: wrong length
      `v1,${sig.replace(/=$/, '')}`, // unpadded
      `v1,${Buffer.alloc(31).toString('base64')}`,
      `v1,${Buffer.alloc(33).toString('base64')}`,
      'v1,,,',
    ];
    for (const signatureHeader of malformed) {
      expect(() => verifySignature({ ...s, signatureHeader, secret, nowSeconds: NOW }), signatureHeader).not.toThrow();
      expect(verifySignature({ ...s, signatureHeader, secret, nowSeconds: NOW }), signatureHeader).toBe(false);
    }
    for (const timestamp of ['', 'abc', '-1', '1e9', `${NOW}.0`, ` ${NOW}`]) {
      expect(verifySignature({ ...s, timestamp, secret, nowSeconds: NOW }), timestamp).toBe(false);
    }
    expect(verifySignature({ ...s, id: '', secret, nowSeconds: NOW })).toBe(false);
  });
});
