// Centrapay dialect: webhooks from a native endpoint made with format "centrapay": the three event
// types, the body, and the ES256 JWT in `Authorization`, checked with node:crypto only against
// posgate's JWKS; signing key rotation (docs/dialects/centrapay.md "Webhooks").
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startGateway, type TestGateway } from '../../harness.js';
import { deliverUntil, startReceiver, type Receiver } from '../../support/receiver.js';
import { advance, ASSET, demoClient, expectOk, paidRequest, send, verifyWebhookJwt, type Centrapay } from './client.js';

/** The gateway's app clock, moved by hand (a rotated-in signing key starts signing on it). */
const clock = { offsetMs: 0, now: () => Date.now() + clock.offsetMs };
let t: TestGateway;
let cp: Centrapay;
let receiver: Receiver | undefined;
beforeAll(async () => {
  t = await startGateway({ clock });
  cp = demoClient(t);
});
afterAll(async () => t.close());
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
  for (const e of (await t.api('GET', '/v1/webhook-endpoints')).body.data) await t.api('DELETE', `/v1/webhook-endpoints/${e.id}`);
});

const TYPES = ['payment-request:paid', 'payment-request:refund-initiated', 'payment-request:refund-completed'];

async function centrapayEndpoint(r: Receiver): Promise<void> {
  const res = await t.api('POST', '/v1/webhook-endpoints', { body: { url: r.url, format: 'centrapay' } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  expect(res.body.format).toBe('centrapay');
}

async function jwks(): Promise<{ keys: any[] }> {
  const res = await send(t, 'GET', '/centrapay/.well-known/jwks.json');
  expect(res.status, res.text).toBe(200);
  expect(Array.isArray(res.body.keys), res.text).toBe(true);
  return res.body;
}

const about = (r: Receiver, id: string) => r.received.filter((x) => x.json?.metadata?.paymentRequestId === id);
const audience = (r: Receiver) => new URL(r.url).origin;
const headerOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8'));

/** Runs due deliveries until the receiver has `count` requests about the request (or gives up). */
const deliver = (r: Receiver, id: string, count: number) => deliverUntil(() => t.gateway.tick(), () => about(r, id), count);

describe('centrapay webhooks', () => {
  it('paid, refund-initiated and refund-completed arrive as {id, type, metadata, accountId, test, createdAt}', async () => {
    receiver = await startReceiver();
    await centrapayEndpoint(receiver);
    const pr = await paidRequest(cp, '1000');
    const refund = await cp.refund(pr.id, '400');
    expectOk(refund);
    const got = await deliver(receiver, pr.id, 3);
    expect(got.map((r) => r.json.type).sort()).toEqual([...TYPES].sort());
    // nothing but the three Centrapay types reaches a centrapay endpoint
    for (const r of receiver.received) expect(TYPES).toContain(r.json?.type);
    for (const r of got) {
      expect(Object.keys(r.json).sort()).toEqual(['accountId', 'createdAt', 'id', 'metadata', 'test', 'type']);
      expect(r.json).toMatchObject({ accountId: cp.set.merchantId, test: true });
      expect(typeof r.json.id).toBe('string');
      expect(r.json.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(r.json.metadata).toMatchObject({ paymentRequestId: pr.id, merchantId: cp.set.merchantId, shortCode: expect.stringMatching(new RegExp(`^${pr.shortCode}-\\d{3}$`)) });
    }
    expect(new Set(got.map((r) => r.json.id)).size).toBe(3);
    const byType = Object.fromEntries(got.map((r) => [r.json.type, r.json]));
    expect(byType['payment-request:paid'].metadata).toMatchObject({ type: 'paid', value: { amount: '1000', currency: 'NZD' }, assetType: ASSET });
    for (const type of ['payment-request:refund-initiated', 'payment-request:refund-completed']) {
      expect(byType[type].metadata, type).toMatchObject({ type: 'refund', value: { amount: '400', currency: 'NZD' }, assetType: ASSET });
    }
  });

  it('each webhook carries an ES256 JWT that verifies against the JWKS and binds the exact body; a tampered body fails', async () => {
    receiver = await startReceiver();
    await centrapayEndpoint(receiver);
    const pr = await paidRequest(cp, '1000');
    expectOk(await cp.refund(pr.id, '100'));
    const got = await deliver(receiver, pr.id, 3);
    expect(got).toHaveLength(3);
    const keys = await jwks();
    for (const key of keys.keys) {
      expect(key).toMatchObject({ kty: 'EC', crv: 'P-256' });
      expect(typeof key.kid).toBe('string');
      expect(key.d, 'the JWKS must not publish the private key').toBeUndefined();
    }
    for (const r of got) {
      const token = String(r.headers.authorization);
      expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      const check = verifyWebhookJwt(token, r.body, keys, audience(receiver));
      expect(check.ok, `${r.json.type}: ${check.why} ${JSON.stringify(check.claims)}`).toBe(true);
      expect(check.header).toMatchObject({ alg: 'ES256' });
      expect(keys.keys.map((k) => k.kid)).toContain(check.header.kid);
      expect(check.claims.exp).toBe(check.claims.iat + 300);
      expect(check.claims.aud).toBe(audience(receiver));
      expect(check.claims.request_body_sha256).toMatch(/^[0-9a-f]{64}$/);
      // a tampered body, or a tampered signature, does not verify
      const tampered = r.body.replace('"test":true', '"test":false');
      expect(tampered).not.toBe(r.body);
      expect(verifyWebhookJwt(token, tampered, keys, audience(receiver)).ok).toBe(false);
      expect(verifyWebhookJwt(token, `${r.body} `, keys, audience(receiver)).ok).toBe(false);
      const [h, p, s] = token.split('.') as [string, string, string];
      const flipped = Buffer.from(s, 'base64url');
      flipped[5] = flipped[5]! ^ 0xff;
      expect(verifyWebhookJwt(`${h}.${p}.${flipped.toString('base64url')}`, r.body, keys, audience(receiver)).ok).toBe(false);
      // another audience is not this receiver
      expect(verifyWebhookJwt(token, r.body, keys, 'http://example.com').ok).toBe(false);
    }
  });

  it('a failed delivery is retried on the native schedule with the same id and a valid JWT', async () => {
    receiver = await startReceiver((i) => ({ status: i === 0 ? 500 : 200 }));
    await centrapayEndpoint(receiver);
    const pr = await paidRequest(cp, '700');
    await deliver(receiver, pr.id, 1);
    expect(about(receiver, pr.id)).toHaveLength(1);
    await advance(t, 6);
    const got = await deliver(receiver, pr.id, 2);
    expect(got).toHaveLength(2);
    expect(got[1]!.json.id).toBe(got[0]!.json.id);
    expect(got[1]!.json.type).toBe('payment-request:paid');
    const check = verifyWebhookJwt(String(got[1]!.headers.authorization), got[1]!.body, await jwks(), audience(receiver));
    expect(check.ok, check.why).toBe(true);
  });

  it('key rotation: a new kid in the JWKS, the old one still there and signing for one JWKS cache lifetime, then the new key signs', async () => {
    receiver = await startReceiver();
    await centrapayEndpoint(receiver);
    const first = await paidRequest(cp, '500');
    const [before] = await deliver(receiver, first.id, 1);
    expect(before).toBeDefined();
    const oldKid = headerOf(String(before!.headers.authorization)).kid as string;

    const rotated = await t.api('POST', '/admin/v1/webhook-signing-keys/rotate', { key: ADMIN_TOKEN, body: {} });
    expect([200, 201], JSON.stringify(rotated.body)).toContain(rotated.status);
    const newKid = rotated.body.kid as string;
    expect(typeof newKid).toBe('string');
    expect(newKid).not.toBe(oldKid);
    const keys = await jwks();
    const kids = keys.keys.map((k) => k.kid);
    expect(kids).toContain(newKid);
    expect(kids).toContain(oldKid);
    // the webhook signed before the rotation still verifies
    expect(verifyWebhookJwt(String(before!.headers.authorization), before!.body, keys, audience(receiver)).ok).toBe(true);

    // right after the rotation the old key still signs: a receiver's cached JWKS (max-age) verifies it
    const second = await paidRequest(cp, '600');
    const [soon] = await deliver(receiver, second.id, 1);
    expect(soon).toBeDefined();
    const early = verifyWebhookJwt(String(soon!.headers.authorization), soon!.body, keys, audience(receiver));
    expect(early.ok, early.why).toBe(true);
    expect(early.header.kid).toBe(oldKid);

    // once the JWKS cache lifetime (and a margin) has passed, the new key signs
    clock.offsetMs += Date.parse(rotated.body.signsFrom) - clock.now() + 1000;
    const third = await paidRequest(cp, '700');
    const [after] = await deliver(receiver, third.id, 1);
    expect(after).toBeDefined();
    const check = verifyWebhookJwt(String(after!.headers.authorization), after!.body, keys, audience(receiver));
    expect(check.ok, check.why).toBe(true);
    expect(check.header.kid).toBe(newKid);
  });

  it('rotation needs the admin token', async () => {
    const kids = (await jwks()).keys.map((k) => k.kid);
    const res = await t.api('POST', '/admin/v1/webhook-signing-keys/rotate', { body: {} }); // the merchant's secret key
    expect([401, 403]).toContain(res.status);
    expect((await jwks()).keys.map((k) => k.kid)).toEqual(kids);
  });
});
