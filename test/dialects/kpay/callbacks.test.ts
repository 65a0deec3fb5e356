// KPAY callbacks, received by a real local receiver: the `data` object on a final status, to the
// request's callbackUrl and to endpoints with format "kpay", signed by posgate (Standard Webhooks).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { verifySignature } from '../../../src/delivery/signing.js';
import { ADMIN_TOKEN, snapshotCounts, startGateway, type TestGateway } from '../../harness.js';
import { deliverUntil, startReceiver, type Receiver } from '../../support/receiver.js';
import { cancel, create, kpayCall, requery } from './client.js';

let t: TestGateway;
let receiver: Receiver | undefined;
beforeAll(async () => {
  t = await startGateway();
});
afterAll(async () => t.close());
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
  for (const e of (await t.api('GET', '/v1/webhook-endpoints')).body.data) await t.api('DELETE', `/v1/webhook-endpoints/${e.id}`);
});

const transfer = (accountNumber: string, amount: string) => kpayCall(t, 'POST', '/kpay/api/v1/sandbox/transfer', { body: { accountNumber, amount } });
const about = (r: Receiver, reference: string) => r.received.filter((x) => x.json?.reference === reference);

/** Runs due deliveries until the receiver has `count` requests about the request (or gives up). */
const deliver = (r: Receiver, reference: string, count: number) => deliverUntil(() => t.gateway.tick(), () => about(r, reference), count);

describe('kpay callbacks', () => {
  it("a SUCCESSFUL request's data object is POSTed to its callbackUrl once, signed with the merchant's webhook secret", async () => {
    receiver = await startReceiver();
    const { data } = (await create(t, { reference: 'cb-1', amount: '5000', callbackUrl: receiver.url, metaData: 'table 4' })).body;
    await transfer(data.accountNumber, '5000');
    const [got, ...more] = await deliver(receiver, 'cb-1', 1);
    expect(more).toEqual([]);
    expect(got!.json).toEqual((await requery(t, 'cb-1')).body.data);
    expect(got!.json).toMatchObject({ status: 'SUCCESSFUL', responseCode: '00', metaData: 'table 4', amount: '5000' });
    const headers = got!.headers as Record<string, string>;
    expect(verifySignature({
      id: headers['webhook-id']!, timestamp: headers['webhook-timestamp']!, body: got!.body, signatureHeader: headers['webhook-signature']!,
      secret: t.gateway.demo.native.webhookSecret,
    })).toBe(true);
  });

  it('a cancelled request calls back CANCELLED; a pending one (created, part paid) calls back nothing', async () => {
    receiver = await startReceiver();
    const { data } = (await create(t, { reference: 'cb-2', amount: '5000', callbackUrl: receiver.url })).body;
    await transfer(data.accountNumber, '1000');
    await deliver(receiver, 'cb-2', 1);
    expect(about(receiver, 'cb-2')).toEqual([]);
    await cancel(t, 'cb-2');
    const got = await deliver(receiver, 'cb-2', 1);
    expect(got.map((r) => r.json.status)).toEqual(['CANCELLED']);
  });

  it('an endpoint made with format "kpay" receives every final status of the merchant in the KPAY format', async () => {
    receiver = await startReceiver();
    const endpoint = await t.api('POST', '/v1/webhook-endpoints', { body: { url: receiver.url, format: 'kpay' } });
    expect(endpoint.status, JSON.stringify(endpoint.body)).toBe(201);
    const { data } = (await create(t, { reference: 'cb-3', amount: '800' })).body;
    await t.api('POST', `/v1/sandbox/payment-requests/${data.paymentRequestRefId}/pay`, { body: { outcome: 'decline' } });
    const got = await deliver(receiver, 'cb-3', 1);
    expect(got.map((r) => r.json)).toEqual([(await requery(t, 'cb-3')).body.data]);
    expect(got[0]!.json.status).toBe('FAILED');
  });

  it('a receiver that fails is retried, and the attempts are in the delivery log', async () => {
    let calls = 0;
    receiver = await startReceiver(() => ({ status: calls++ === 0 ? 500 : 200 }));
    const { data } = (await create(t, { reference: 'cb-4', amount: '900', callbackUrl: receiver.url })).body;
    await transfer(data.accountNumber, '900');
    await deliver(receiver, 'cb-4', 1);
    expect(about(receiver, 'cb-4')).toHaveLength(1);
    // the retry is due later: move the clock past it
    for (let i = 0; i < 10 && about(receiver, 'cb-4').length < 2; i += 1) {
      await t.api('POST', '/v1/sandbox/clock/advance', { body: { seconds: 3600 } });
      await t.gateway.tick();
    }
    const got = about(receiver, 'cb-4');
    expect(got).toHaveLength(2);
    expect(got[1]!.json).toEqual(got[0]!.json);
    expect(got[1]!.headers['webhook-id']).toBe(got[0]!.headers['webhook-id']);
  });

  it('a request that expires calls back EXPIRED (the sweep ends it on the test clock)', async () => {
    receiver = await startReceiver();
    await create(t, { reference: 'cb-5', amount: '700', expiresInSeconds: 60, callbackUrl: receiver.url });
    await t.api('POST', '/v1/sandbox/clock/advance', { body: { seconds: 61 } });
    const got = await deliver(receiver, 'cb-5', 1);
    expect(got.map((r) => r.json)).toEqual([(await requery(t, 'cb-5')).body.data]);
    expect(got[0]!.json).toMatchObject({ status: 'EXPIRED', responseCode: '00' });
  });
});

describe('a live-mode key', () => {
  it('refuses a callbackUrl that is not a public address (30), as every other API of posgate does, and makes nothing', async () => {
    const key = await t.api('POST', `/admin/v1/terminals/${t.terminalId}/keys`, { key: ADMIN_TOKEN, body: { mode: 'live' } });
    expect(key.status, JSON.stringify(key.body)).toBe(201);
    const before = await snapshotCounts(t);
    const refused = await create(t, { reference: 'live-cb-1', amount: '500', callbackUrl: 'http://127.0.0.1:9/hook' }, key.body.terminalKey as string);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ responseCode: '30', data: null });
    expect(refused.body.responseMessage).toContain('callbackUrl');
    expect(await snapshotCounts(t)).toEqual(before);
  });
});
