// Centrapay dialect: a pre-authorization that ends `paid` sends one `payment-request:paid` webhook,
// carrying the `release` activity that made it paid, on each of the three ways it gets there:
// confirmed then released, confirmed in full (released at once), and past preAuthExpiresAt with a
// confirmation (docs/dialects/centrapay.md "Webhooks", docs/webhooks.md "Centrapay format").
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../../harness.js';
import { deliverUntil, startReceiver, type Receiver } from '../../support/receiver.js';
import {
  advance, ASSET, clockNow, demoClient, expectActivity, expectOk, patronPays, send, uniqueName, verifyWebhookJwt, type Centrapay,
} from './client.js';

let t: TestGateway;
let cp: Centrapay;
let receiver: Receiver | undefined;
beforeAll(async () => {
  t = await startGateway();
  cp = demoClient(t);
});
afterAll(async () => t.close());
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
  for (const e of (await t.api('GET', '/v1/webhook-endpoints')).body.data) await t.api('DELETE', `/v1/webhook-endpoints/${e.id}`);
});

async function centrapayReceiver(): Promise<Receiver> {
  const r = await startReceiver();
  const res = await t.api('POST', '/v1/webhook-endpoints', { body: { url: r.url, format: 'centrapay' } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return r;
}

const about = (r: Receiver, id: string) => r.received.filter((x) => x.json?.metadata?.paymentRequestId === id);
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
  expect(await cp.read(pr.id)).toMatchObject({ status: 'paid', preAuthStatus: 'released', paidBy: { assetTotals: [{ assetType: ASSET, amount: paid }] } });
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
    expect(webhook.json.metadata.activityNumber).toBe(confirmed.body.activityNumber + 1);
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
