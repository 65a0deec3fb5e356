// The Centrapay webhook JWT (verified here with node:crypto against the JWK a JWKS would publish)
// and which events become which webhook, with which activity.
import { createHash, createPublicKey, generateKeyPairSync, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../app/ports/persistence.js';
import type { PaymentRequest } from '../../core/payment-request.js';
import type { Refund } from '../../core/refund.js';
import { webhookJwt, WEBHOOK_JWT_LIFETIME_SECONDS } from './jwt.js';
import type { RequestView } from './views.js';
import { webhookOf } from './webhooks.js';

function keyPair(): { privateKey: KeyObject; jwk: JsonWebKey } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey, jwk: publicKey.export({ format: 'jwk' }) };
}

interface Check {
  ok: boolean;
  why?: string;
  header?: any;
  claims?: any;
}

/** What a receiver does: pick the key by kid, check the ES256 signature, the body hash, aud and exp. */
function verifyToken(token: string, body: string, keys: (JsonWebKey & { kid: string })[], audience: string, nowSeconds: number): Check {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, why: 'parts' };
  const [h, p, s] = parts as [string, string, string];
  const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
  if (header.alg !== 'ES256') return { ok: false, why: 'alg', header, claims };
  const jwk = keys.find((k) => k.kid === header.kid);
  if (!jwk) return { ok: false, why: 'kid', header, claims };
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  if (!verify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url'))) return { ok: false, why: 'signature', header, claims };
  if (claims.request_body_sha256 !== createHash('sha256').update(body, 'utf8').digest('hex')) return { ok: false, why: 'body', header, claims };
  if (claims.aud !== audience) return { ok: false, why: 'aud', header, claims };
  if (!(claims.iat <= nowSeconds && nowSeconds < claims.exp)) return { ok: false, why: 'time', header, claims };
  return { ok: true, header, claims };
}

describe('webhookJwt', () => {
  const { privateKey, jwk } = keyPair();
  const keys = [{ ...jwk, kid: 'k1' }];
  const body = '{"id":"evt_1","type":"payment-request:paid"}';
  const nowSeconds = 1_760_000_000;
  const token = webhookJwt({ kid: 'k1', privateKey, body, audience: 'https://pos.example', nowSeconds });

  it('is an ES256 JWT whose header and claims are what Centrapay documents', () => {
    const check = verifyToken(token, body, keys, 'https://pos.example', nowSeconds);
    expect(check.ok, check.why).toBe(true);
    expect(check.header).toStrictEqual({ alg: 'ES256', typ: 'JWT', kid: 'k1' });
    expect(check.claims).toStrictEqual({
      iat: nowSeconds, exp: nowSeconds + 300, aud: 'https://pos.example',
      request_body_sha256: createHash('sha256').update(body).digest('hex'),
    });
    expect(WEBHOOK_JWT_LIFETIME_SECONDS).toBe(300);
  });

  it('is compact base64url (no padding, no +/) and its signature is raw r||s (64 bytes)', () => {
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(Buffer.from(token.split('.')[2] as string, 'base64url')).toHaveLength(64);
  });

  it('fails for a tampered body, a wrong kid, another key, a changed claim or another audience', () => {
    expect(verifyToken(token, body.replace('paid', 'refund-completed'), keys, 'https://pos.example', nowSeconds).why).toBe('body');
    expect(verifyToken(token, `${body} `, keys, 'https://pos.example', nowSeconds).why).toBe('body');
    expect(verifyToken(token, body, [{ ...jwk, kid: 'k2' }], 'https://pos.example', nowSeconds).why).toBe('kid');
    // the right kid naming another key: the signature does not match
    expect(verifyToken(token, body, [{ ...keyPair().jwk, kid: 'k1' }], 'https://pos.example', nowSeconds).why).toBe('signature');
    const [h, , s] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString('utf8'));
    const forged = Buffer.from(JSON.stringify({ ...claims, exp: claims.exp + 3600 })).toString('base64url');
    expect(verifyToken(`${h}.${forged}.${s}`, body, keys, 'https://pos.example', nowSeconds).why).toBe('signature');
    expect(verifyToken(token, body, keys, 'https://other.example', nowSeconds).why).toBe('aud');
    expect(verifyToken(token, body, keys, 'https://pos.example', nowSeconds + 300).why).toBe('time');
  });

  it('signs each time afresh (ECDSA is randomized) and every signature verifies', () => {
    const again = webhookJwt({ kid: 'k1', privateKey, body, audience: 'https://pos.example', nowSeconds });
    expect(again.split('.')[2]).not.toBe(token.split('.')[2]);
    expect(verifyToken(again, body, keys, 'https://pos.example', nowSeconds).ok).toBe(true);
  });
});

describe('webhookOf', () => {
  const at = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
  const request = { id: 'pr_1', merchantId: 'mer_1', terminalId: 'term_1', livemode: false, currency: 'NZD', amount: 1050, amountReceived: 0, amountCaptured: 0, amountAuthorized: 0, shortCode: 'ABC-DEF', statusReason: null, dialectData: null } as unknown as PaymentRequest;
  const paid = { ...request, amountReceived: 1050, amountCaptured: 1050, status: 'succeeded' } as unknown as PaymentRequest;
  const refund = { id: 're_1', paymentRequestId: 'pr_1', amount: 500 } as unknown as Refund;
  let sequence = 0;
  const event = (id: string, type: string, data: PaymentRequest | Refund, objectType: StoredEvent['objectType'] = 'payment_request'): StoredEvent => ({
    id, type, objectType, objectId: objectType === 'refund' ? 're_1' : 'pr_1', paymentRequestId: 'pr_1', merchantId: 'mer_1', terminalId: 'term_1',
    livemode: false, sequence: ++sequence, data, createdAt: at,
  });
  const events = [
    event('evt_created', 'payment_request.created', request),
    event('evt_paid', 'payment_request.succeeded', paid),
    event('evt_refund_created', 'refund.created', refund, 'refund'),
    event('evt_refund_done', 'refund.succeeded', refund, 'refund'),
  ];
  const view: RequestView = { request: paid, merchantName: 'Demo', events, fields: {} };
  const of = (id: string) => webhookOf(events.find((e) => e.id === id) as StoredEvent, view);

  it('paid carries the paid activity, as {id, type, metadata, accountId, test, createdAt}', () => {
    const webhook = of('evt_paid');
    expect(webhook && Object.keys(webhook)).toStrictEqual(['id', 'type', 'metadata', 'accountId', 'test', 'createdAt']);
    expect(webhook).toMatchObject({ id: 'evt_paid', type: 'payment-request:paid', accountId: 'mer_1', test: true, createdAt: '2026-01-02T03:04:05.678Z' });
    expect(webhook?.metadata).toMatchObject({ id: 'evt_paid', type: 'paid', value: { amount: '1050', currency: 'NZD' }, paymentRequestId: 'pr_1', shortCode: 'CP-ABC-DEF-002' });
  });

  it("both refund webhooks carry the refund's refund.created activity, each under its own event id", () => {
    const initiated = of('evt_refund_created');
    const completed = of('evt_refund_done');
    expect(initiated).toMatchObject({ id: 'evt_refund_created', type: 'payment-request:refund-initiated' });
    expect(completed).toMatchObject({ id: 'evt_refund_done', type: 'payment-request:refund-completed' });
    for (const webhook of [initiated, completed]) expect(webhook?.metadata).toMatchObject({ id: 'evt_refund_created', type: 'refund', value: { amount: '500', currency: 'NZD' } });
  });

  it('every other event sends nothing', () => {
    expect(of('evt_created')).toBeNull();
  });

  it("a pre-authorization's release that leaves it paid is paid, carrying its release activity", () => {
    const authorized = { ...request, status: 'authorized', amountReceived: 1050, amountAuthorized: 1050 } as unknown as PaymentRequest;
    const confirmed = { ...authorized, amountCaptured: 600 } as unknown as PaymentRequest;
    const settled = { ...confirmed, status: 'succeeded', statusReason: 'released' } as unknown as PaymentRequest;
    const own = [
      event('evt_pre', 'payment_request.created', request),
      event('evt_auth', 'payment_request.authorized', authorized),
      event('evt_confirm', 'payment_request.captured', confirmed),
      event('evt_release', 'payment_request.succeeded', settled),
    ];
    const preAuthView: RequestView = { request: settled, merchantName: 'Demo', events: own, fields: { preAuth: true } };
    const webhook = webhookOf(own[3] as StoredEvent, preAuthView);
    expect(webhook).toMatchObject({ id: 'evt_release', type: 'payment-request:paid' });
    expect(webhook?.metadata).toMatchObject({ id: 'evt_release', type: 'release', value: { amount: '450', currency: 'NZD' }, shortCode: 'CP-ABC-DEF-004' });
    // the confirmation itself is no webhook: only the moment the request became paid is
    expect(webhookOf(own[2] as StoredEvent, preAuthView)).toBeNull();
    // a release with nothing confirmed (cancelled) or an authorization's expiry with nothing confirmed is no payment
    const cancelled = event('evt_cancel', 'payment_request.cancelled', { ...authorized, status: 'cancelled', statusReason: 'released' } as unknown as PaymentRequest);
    expect(webhookOf(cancelled, { ...preAuthView, events: [...own.slice(0, 2), cancelled] })).toBeNull();
  });

  it('live mode is test: false', () => {
    const live = { ...events[1], livemode: true } as StoredEvent;
    expect(webhookOf(live, { ...view, events: [events[0] as StoredEvent, live] })?.test).toBe(false);
  });
});
