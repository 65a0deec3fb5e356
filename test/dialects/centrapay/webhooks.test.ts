// Centrapay dialect: webhooks from a native endpoint made with format "centrapay": the three event
// types, the body, and the ES256 JWT in `Authorization`, checked with node:crypto only against
// posgate's JWKS; signing key rotation; and a pre-authorization that ends `paid`, which sends one
// `payment-request:paid` carrying the `release` activity that made it paid, on each of the three
// ways it gets there (docs/dialects/centrapay.md "Webhooks", docs/webhooks.md "Centrapay format").
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, type TestGateway } from '../../harness.js';
import { deliverUntil, startReceiver, type Receiver } from '../../support/receiver.js';
import {
  advance, ASSET, clockNow, expectActivity, expectOk, paidRequest, patronPays, send, uniqueName, useGateway, verifyWebhookJwt, type Centrapay,
} from './client.js';

/** The gateway's app clock, moved by hand (a rotated-in signing key starts signing on it). */
const clock = { offsetMs: 0, now: () => Date.now() + clock.offsetMs };
let t: TestGateway;
let cp: Centrapay;
let receiver: Receiver | undefined;
useGateway((gateway, client) => { t = gateway; cp = client; }, { clock });
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

async function centrapayReceiver(): Promise<Receiver> {
  const r = await startReceiver();
  const res = await t.api('POST', '/v1/webhook-endpoints', { body: { url: r.url, format: 'centrapay' } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return r;
}

const paidOf = (r: Receiver, id: string) => about(r, id).filter((x) => x.json.type === 'payment-request:paid');
/** Runs the background work and due deliveries a few times (more than once: a second webhook would have come by then). */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await t.gateway.tick();
}

const confirmBody = (key: string, price: string) => ({ idempotencyKey: key, invoiceRef: `INV-${key}`, lineItems: [{ name: 'Fuel', qty: '1', price }] });

async function authorized(amount: string): Promise<any> {
  const pr = await cp.createOk({ preAuth: true, externalRef: uniqueName('pre') }, amount);
  await patronPays(t, pr.id);
  const read = await cp.read(pr.id);
  expect(read).toMatchObject({ status: 'new', preAuth: true, preAuthStatus: 'authorized' });
  return read;
}

/** The one paid webhook of the request: signed, about the request's newest `release` activity, as GET shows it paid. */
async function expectOnePaid(r: Receiver, pr: any, released: string, paid: string): Promise<any> {
  await deliverUntil(() => t.gateway.tick(), () => paidOf(r, pr.id), 1);
  await settle();
  const got = paidOf(r, pr.id);
  expect(got.map((x) => x.json.type), JSON.stringify(about(r, pr.id).map((x) => x.json))).toEqual(['payment-request:paid']);
  const webhook = got[0]!;
  expect(webhook.json).toMatchObject({ accountId: cp.set.merchantId, test: true });
  expectActivity(webhook.json.metadata, pr, 'release', released);
  expect(webhook.json.metadata.assetType).toBe(ASSET);
  // the activity is the request's own release activity, as its activity list shows it
  const activities = await cp.activityList(pr.id);
  expect(activities.find((a) => a.id === webhook.json.metadata.id)).toEqual(webhook.json.metadata);
  expect(activities[0]).toEqual(webhook.json.metadata);
  const jwks = (await send(t, 'GET', '/centrapay/.well-known/jwks.json')).body;
  const check = verifyWebhookJwt(String(webhook.headers.authorization), webhook.body, jwks, new URL(r.url).origin);
  expect(check.ok, check.why).toBe(true);
  expect(await cp.read(pr.id)).toMatchObject({ status: 'paid', preAuthStatus: 'released', paidBy: { assetTotals: [{ type: ASSET, total: { amount: paid, currency: 'NZD' } }] } });
  return webhook;
}

describe('centrapay webhooks: a pre-authorization that ends paid', () => {
  it('confirmed then released: one payment-request:paid with the release activity (what was released back)', async () => {
    receiver = await centrapayReceiver();
    const pr = await authorized('1000');
    expectOk(await cp.confirm(pr.id, confirmBody(uniqueName('c'), '300')));
    expectOk(await cp.confirm(pr.id, confirmBody(uniqueName('c'), '200')));
    await settle();
    expect(paidOf(receiver, pr.id)).toEqual([]); // a confirmation alone is no payment: it is still `new`
    const released = await cp.release(pr.id);
    expectOk(released);
    const webhook = await expectOnePaid(receiver, pr, '500', '500');
    expect(webhook.json.metadata.id).toBe(released.body.id);
    // a refund afterwards sends its own two webhooks, never a second paid
    expectOk(await cp.refund(pr.id, '100'));
    await deliverUntil(() => t.gateway.tick(), () => about(receiver!, pr.id), 3);
    await settle();
    expect(about(receiver, pr.id).map((x) => x.json.type).sort()).toEqual(['payment-request:paid', 'payment-request:refund-completed', 'payment-request:refund-initiated']);
  });

  it('confirmed in full (released at once): one payment-request:paid with that release activity (nothing released back)', async () => {
    receiver = await centrapayReceiver();
    const pr = await authorized('1000');
    const confirmed = await cp.confirm(pr.id, confirmBody(uniqueName('all'), '1000'));
    expectOk(confirmed);
    const webhook = await expectOnePaid(receiver, pr, '0', '1000');
    expect(webhook.json.metadata.id).not.toBe(confirmed.body.id);
    expect(webhook.json.metadata.activityNumber).toBe(String(Number(confirmed.body.activityNumber) + 1));
  });

  it('past preAuthExpiresAt with a confirmation: one payment-request:paid with the release of the expiry', async () => {
    receiver = await centrapayReceiver();
    const pr = await authorized('5000');
    expectOk(await cp.confirm(pr.id, confirmBody(uniqueName('kept'), '1200')));
    await settle();
    expect(paidOf(receiver, pr.id)).toEqual([]);
    await advance(t, Math.ceil((Date.parse(pr.preAuthExpiresAt) - (await clockNow(t))) / 1000) + 1);
    await expectOnePaid(receiver, pr, '3800', '1200');
  });

  it('a pre-authorization released (or expired) with nothing confirmed is cancelled and sends nothing', async () => {
    receiver = await centrapayReceiver();
    const released = await authorized('800');
    expectOk(await cp.release(released.id));
    const expiring = await authorized('900');
    await advance(t, Math.ceil((Date.parse(expiring.preAuthExpiresAt) - (await clockNow(t))) / 1000) + 1);
    await settle();
    for (const pr of [released, expiring]) {
      expect((await cp.read(pr.id)).status).toBe('cancelled');
      expect(about(receiver, pr.id)).toEqual([]);
    }
  });
});
