// MobilePay PoS dialect: the management endpoints (PoS create/delete/information, stores, tokens).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../../harness.js';
import {
  createTerminal, demoClient, demoCredentials, expectOk, expectRefused, freshPos, GUID, MobilePay, nativeTerminal, rowCounts, uniqueName,
} from './client.js';

let t: TestGateway;
let mp: MobilePay;
let nativeStore: string;
beforeAll(async () => {
  t = await startGateway();
  mp = demoClient(t);
  nativeStore = (await nativeTerminal(t, t.terminalId)).storeId;
});
afterAll(async () => t.close());

function expectPosInformation(info: any, terminalId: string, posId?: string) {
  expect(info).toMatchObject({
    merchantPosId: terminalId, name: terminalId, requirePaymentBeforeCheckin: false, storeId: demoCredentials(t).storeId, supportedBeaconTypes: ['QR'], callbackAlias: null,
  });
  expect(info).toHaveProperty('beaconId');
  expect(info.posId).toMatch(GUID);
  if (posId) expect(info.posId).toBe(posId);
}

describe('manage/terminal/information, stores and store', () => {
  it("describes the demo terminal's PoS", async () => {
    const c = demoCredentials(t);
    expect(c.terminalId).toBeTruthy();
    expect(c.posId).toMatch(GUID);
    expect(c.storeId).toMatch(GUID);
    const res = await mp.get('manage/terminal/information', { terminalId: c.terminalId });
    expectOk(res);
    expectPosInformation(res.body.posInformation, c.terminalId, c.posId);
  });

  it("manage/stores lists the merchant's store; manage/store describes it; an unknown store is 404 1002", async () => {
    const c = demoCredentials(t);
    const stores = await mp.get('manage/stores');
    expectOk(stores);
    expect(stores.body.storeIds).toEqual([c.storeId]);
    const store = await mp.get('manage/store', { storeId: c.storeId });
    expectOk(store);
    expect(store.body.store).toMatchObject({ storeId: c.storeId });
    expect(typeof store.body.store.storeName).toBe('string');
    expect(store.body.store.storeName.length).toBeGreaterThan(0);
    expect(store.body.store).toHaveProperty('brandName');
    expectRefused(await mp.get('manage/store', { storeId: '11111111-2222-4333-8444-555555555555' }), 404, '1002');
  });

  it('an unknown terminal is 404 1000 on terminal information, qrcode, checkInStatus, start and prepare', async () => {
    const terminalId = 'no-such-terminal';
    expectRefused(await mp.get('manage/terminal/information', { terminalId }), 404, '1000');
    expectRefused(await mp.get('terminal/qrcode', { terminalId }), 404, '1000');
    expectRefused(await mp.get('manage/checkInStatus/byterminalId', { terminalId }), 404, '1000');
    expectRefused(await mp.get('manage/checkInStatus/byposId', { posId: '11111111-2222-4333-8444-555555555555' }), 404, '1000');
    const before = await rowCounts(t);
    expectRefused(await mp.get('payment/start', { orderId: 'o1', amount: '1', terminalId }), 404, '1000');
    expectRefused(await mp.get('payment/start/byPosId', { orderId: 'o1', amount: '1', posId: '11111111-2222-4333-8444-555555555555' }), 404, '1000');
    expectRefused(await mp.get('payment/prepare', { orderId: 'o1', terminalId }), 404, '1000');
    expectRefused(await mp.get('manage/create', { terminalId }), 404, '1000');
    expect(await rowCounts(t)).toEqual(before);
  });
});

describe('manage/create and manage/delete', () => {
  it('GET manage/create makes a PoS for a terminal without one; a second create is 1200; the PoS takes payments', async () => {
    const terminal = await createTerminal(t, nativeStore);
    // no PoS yet: no payments
    expectRefused(await mp.get('payment/start', { orderId: 'o', amount: '1', terminalId: terminal.name }), 404, '1000');
    expectRefused(await mp.get('manage/terminal/information', { terminalId: terminal.name }), 404, '1000');
    const create = await mp.get('manage/create', { terminalId: terminal.name });
    expectOk(create);
    expectPosInformation(create.body.posInformation, terminal.name);
    const posId = create.body.posInformation.posId as string;
    expect(posId).not.toBe(demoCredentials(t).posId);

    const info = await mp.get('manage/terminal/information', { terminalId: terminal.name });
    expectOk(info);
    expectPosInformation(info.body.posInformation, terminal.name, posId);

    expectRefused(await mp.get('manage/create', { terminalId: terminal.name }), 409, '1200');
    expectRefused(await mp.post('manage/create', { terminalId: terminal.name }), 409, '1200');
    expect((await mp.get('manage/terminal/information', { terminalId: terminal.name })).body.posInformation.posId).toBe(posId);
    expectRefused(await mp.get('manage/create', { terminalId: demoCredentials(t).terminalId }), 409, '1200');

    const paymentId = await mp.start(uniqueName('o'), '1', terminal.name);
    expect((await mp.details(paymentId)).posId).toBe(posId);
    expectOk(await mp.get('payment/cancel', { paymentId }));
  });

  it('POST manage/create; GET manage/delete removes the PoS; a later create makes a new posId', async () => {
    const terminal = await createTerminal(t, nativeStore);
    const create = await mp.post('manage/create', { terminalId: terminal.name });
    expectOk(create);
    expectPosInformation(create.body.posInformation, terminal.name);
    const first = create.body.posInformation.posId as string;

    const del = await mp.get('manage/delete', { terminalId: terminal.name });
    expectOk(del);
    expect(del.body).toHaveProperty('message');
    expectRefused(await mp.get('manage/terminal/information', { terminalId: terminal.name }), 404, '1000');
    expectRefused(await mp.get('payment/start', { orderId: 'o', amount: '1', terminalId: terminal.name }), 404, '1000');
    expectRefused(await mp.get('payment/start/byPosId', { orderId: 'o', amount: '1', posId: first }), 404, '1000');
    expectRefused(await mp.get('manage/delete', { terminalId: terminal.name }), 404, '1000');

    const again = await mp.get('manage/create', { terminalId: terminal.name });
    expectOk(again);
    const second = again.body.posInformation.posId as string;
    expect(second).toMatch(GUID);
    expect(second).not.toBe(first);
    const paymentId = await mp.get('payment/start/byPosId', { orderId: 'o', amount: '1', posId: second });
    expectOk(paymentId);
    expectOk(await mp.get('payment/cancel', { paymentId: paymentId.body.paymentId }));
  });

  it('concurrent manage/create on one terminal: one PoS, the others 1200', async () => {
    const terminal = await createTerminal(t, nativeStore);
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => (i % 2 ? mp.post('manage/create', { terminalId: terminal.name }) : mp.get('manage/create', { terminalId: terminal.name }))));
    const won = results.filter((r) => r.status === 200);
    expect(won).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 200)) expectRefused(r, 409, '1200');
    expect((await mp.get('manage/terminal/information', { terminalId: terminal.name })).body.posInformation.posId).toBe(won[0]!.body.posInformation.posId);
  });

  it('DELETE manage/delete removes the PoS too', async () => {
    const pos = await freshPos(t);
    const del = await mp.delete('manage/delete', { terminalId: pos.terminalId });
    expectOk(del);
    expect(del.body).toHaveProperty('message');
    expectRefused(await mp.get('manage/terminal/information', { terminalId: pos.terminalId }), 404, '1000');
  });

  it('manage/delete is refused (1300) while the PoS has an active payment, and the PoS stays', async () => {
    const pos = await freshPos(t);
    const paymentId = await mp.start(uniqueName('active'), '5', pos.terminalId);
    expectRefused(await mp.get('manage/delete', { terminalId: pos.terminalId }), 409, '1300');
    expectRefused(await mp.delete('manage/delete', { terminalId: pos.terminalId }), 409, '1300');
    const info = await mp.get('manage/terminal/information', { terminalId: pos.terminalId });
    expectOk(info);
    expect(info.body.posInformation.posId).toBe(pos.posId);
    expect(await mp.status(paymentId)).toBe('Initiated');
    expectOk(await mp.get('payment/cancel', { paymentId }));
    expectOk(await mp.get('manage/delete', { terminalId: pos.terminalId }));
  });
});

describe('manage/token', () => {
  it('refuses manage/token (GET and POST) when the merchant already has a token (1201); the token keeps working', async () => {
    const c = demoCredentials(t);
    const get = await new MobilePay(t, null).get('manage/token', { bioCode: c.bioCode });
    expectRefused(get, 409, '1201');
    expect(JSON.stringify(get.body)).not.toContain(c.accessToken);
    const post = await new MobilePay(t, null).post('manage/token', { bioCode: c.bioCode });
    expectRefused(post, 409, '1201');
    expectOk(await mp.get('manage/stores'));
  });

  it('manage/token with an unknown bioCode is 401', async () => {
    const res = await new MobilePay(t, null).get('manage/token', { bioCode: 'nobody-here' });
    expectRefused(res, 401, null);
  });
});
