// MobilePay PoS dialect: accessToken + bioCode on every call, token creation and reset, and
// merchants made through the admin API (docs/dialects/mobilepay.md "Transport", "Rules", "Credentials").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_TOKEN, startGateway, TEST_DRIVER, type TestGateway } from '../../harness.js';
import { createTerminal, demoCredentials, expectOk, expectRefused, GUID, MobilePay, PREFIX, query, rowCounts, uniqueName } from './client.js';

let t: TestGateway;
beforeAll(async () => { t = await startGateway(); });
afterAll(async () => t.close());

describe('accessToken and bioCode', () => {
  it.each([
    ['no credentials at all', {}],
    ['no accessToken', { bioCode: 'B' }],
    ['no bioCode', { accessToken: 'T' }],
    ['a wrong accessToken', { accessToken: 'wrong-token', bioCode: 'B' }],
    ['a wrong bioCode', { accessToken: 'T', bioCode: 'wrong-bio' }],
    ['an empty accessToken', { accessToken: '', bioCode: 'B' }],
  ])('%s → 401 with a null errorCode, and nothing written', async (_name, shape: { accessToken?: string; bioCode?: string }) => {
    const c = demoCredentials(t);
    const auth = {
      accessToken: shape.accessToken === 'T' ? c.accessToken : shape.accessToken,
      bioCode: shape.bioCode === 'B' ? c.bioCode : shape.bioCode,
    };
    const client = new MobilePay(t, auth);
    const before = await rowCounts(t);
    expectRefused(await client.get('payment/start', { orderId: uniqueName('auth'), amount: '10', terminalId: c.terminalId }), 401, null);
    expectRefused(await client.post('payment/start', { orderId: uniqueName('auth'), amount: '10', terminalId: c.terminalId }), 401, null);
    expectRefused(await client.get('manage/stores'), 401, null);
    expectRefused(await client.get('payments'), 401, null);
    expect(await rowCounts(t)).toEqual(before);
  });

  it('credentials are accepted in the query of a POST, and in the body', async () => {
    const c = demoCredentials(t);
    const inQuery = await fetch(`${t.url}${PREFIX}manage/create${query({ accessToken: c.accessToken, bioCode: c.bioCode })}`, {
      method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ terminalId: c.terminalId }),
    });
    // the demo terminal has a PoS: 1200 proves the call got past authentication
    expect(inQuery.status).toBe(409);
    expect(((await inQuery.json()) as any).errorCode).toBe('1200');
    const inBody = await new MobilePay(t, c).post('manage/create', { terminalId: c.terminalId });
    expectRefused(inBody, 409, '1200');
  });
});

describe('manage/token/reset', () => {
  it('a wrong previousAccessToken is 401 and the old token still works', async () => {
    const c = demoCredentials(t);
    const anon = new MobilePay(t, null);
    expectRefused(await anon.get('manage/token/reset', { bioCode: c.bioCode, previousAccessToken: 'not-the-token' }), 401, null);
    expectRefused(await anon.get('manage/token/reset', { bioCode: c.bioCode }), 401, null);
    expectRefused(await anon.get('manage/token/reset', { bioCode: 'wrong-bio', previousAccessToken: c.accessToken }), 401, null);
    expectOk(await new MobilePay(t, c).get('manage/stores'));
  });

  it('the right previousAccessToken gives a new token: the old one is 401 at once, the new one works, and resets again', async () => {
    const c = demoCredentials(t);
    const anon = new MobilePay(t, null);
    const reset = await anon.get('manage/token/reset', { bioCode: c.bioCode, previousAccessToken: c.accessToken });
    expectOk(reset);
    const token = reset.body.accessToken as string;
    expect(typeof token).toBe('string');
    expect(token.length).toBeGreaterThanOrEqual(16);
    expect(token).not.toBe(c.accessToken);
    expect(reset.body.message).toBe(token);

    expectRefused(await new MobilePay(t, c).get('manage/stores'), 401, null);
    const fresh = new MobilePay(t, { bioCode: c.bioCode, accessToken: token });
    expectOk(await fresh.get('manage/stores'));
    const paymentId = await fresh.start(uniqueName('new-token'), '1', c.terminalId);
    expectOk(await fresh.get('payment/cancel', { paymentId }));

    // the old token cannot reset any more; the new one can
    expectRefused(await anon.get('manage/token/reset', { bioCode: c.bioCode, previousAccessToken: c.accessToken }), 401, null);
    const again = await anon.get('manage/token/reset', { bioCode: c.bioCode, previousAccessToken: token });
    expectOk(again);
    expect(again.body.accessToken).not.toBe(token);
    expectRefused(await fresh.get('manage/stores'), 401, null);
    expectOk(await new MobilePay(t, { bioCode: c.bioCode, accessToken: again.body.accessToken }).get('manage/stores'));
    // still a token: manage/token refuses
    expectRefused(await anon.get('manage/token', { bioCode: c.bioCode }), 409, '1201');
    // the token never reaches the log
    expect(t.logs()).not.toContain(again.body.accessToken);
    expect(t.logs()).not.toContain(token);
  });
});

describe('a merchant made through the admin API', () => {
  it('with issueToken false gets its token from manage/token once; a second manage/token is 1201', async () => {
    const merchant = await t.api('POST', '/admin/v1/merchants', { key: ADMIN_TOKEN, body: { name: 'Kaffebar ApS' } });
    expect(merchant.status).toBe(201);
    const nativeStore = merchant.body.stores[0].id as string;
    const terminal = await createTerminal(t, nativeStore, 'kasse-1');
    const issued = await t.api('POST', `/admin/v1/merchants/${merchant.body.id}/credentials/mobilepay`, { key: ADMIN_TOKEN, body: { issueToken: false } });
    expect(issued.status, JSON.stringify(issued.body)).toBe(201);
    const set = issued.body.mobilepay;
    expect(set).toMatchObject({ terminalId: terminal.name });
    expect(typeof set.bioCode).toBe('string');
    expect(set.posId).toMatch(GUID);
    expect(set.storeId).toMatch(GUID);
    expect(set.accessToken ?? null).toBeNull();

    // one set per merchant
    const second = await t.api('POST', `/admin/v1/merchants/${merchant.body.id}/credentials/mobilepay`, { key: ADMIN_TOKEN, body: { issueToken: false } });
    expect(second.status).toBe(409);

    const anon = new MobilePay(t, null);
    const token = await anon.get('manage/token', { bioCode: set.bioCode });
    expectOk(token);
    expect(typeof token.body.accessToken).toBe('string');
    expect(token.body.accessToken.length).toBeGreaterThanOrEqual(16);
    expect(token.body.message).toBe(token.body.accessToken);

    const again = await anon.post('manage/token', { bioCode: set.bioCode });
    expectRefused(again, 409, '1201');
    expect(JSON.stringify(again.body)).not.toContain(token.body.accessToken);
    expectRefused(await anon.get('manage/token', { bioCode: set.bioCode }), 409, '1201');

    const client = new MobilePay(t, { bioCode: set.bioCode, accessToken: token.body.accessToken });
    const stores = await client.get('manage/stores');
    expectOk(stores);
    expect(stores.body.storeIds).toEqual([set.storeId]);
    const info = await client.get('manage/terminal/information', { terminalId: terminal.name });
    expectOk(info);
    expect(info.body.posInformation.posId).toBe(set.posId);
    const paymentId = await client.start(uniqueName('k'), '12', terminal.name);
    expect(await client.details(paymentId)).toMatchObject({ posId: set.posId, terminalId: terminal.name, amount: '12.00' });
    expectOk(await client.get('payment/cancel', { paymentId }));

    // its bioCode with the demo merchant's token, and the demo bioCode with its token, are 401
    const demo = demoCredentials(t);
    expectRefused(await new MobilePay(t, { bioCode: set.bioCode, accessToken: demo.accessToken }).get('manage/stores'), 401, null);
    expectRefused(await new MobilePay(t, { bioCode: demo.bioCode, accessToken: token.body.accessToken }).get('manage/stores'), 401, null);
  });

  it('POST manage/token makes the token too; the plaintext token is not stored', async () => {
    const merchant = await t.api('POST', '/admin/v1/merchants', { key: ADMIN_TOKEN, body: { name: 'Kiosk' } });
    await createTerminal(t, merchant.body.stores[0].id as string, 'kiosk-1');
    const issued = await t.api('POST', `/admin/v1/merchants/${merchant.body.id}/credentials/mobilepay`, { key: ADMIN_TOKEN, body: { issueToken: false } });
    expect(issued.status).toBe(201);
    const set = issued.body.mobilepay;
    const anon = new MobilePay(t, null);
    const token = await anon.post('manage/token', { bioCode: set.bioCode });
    expectOk(token);
    expect(token.body.message).toBe(token.body.accessToken);
    expectRefused(await anon.post('manage/token', { bioCode: set.bioCode }), 409, '1201');
    const client = new MobilePay(t, { bioCode: set.bioCode, accessToken: token.body.accessToken });
    expectOk(await client.get('manage/stores'));
    expect(t.logs()).not.toContain(token.body.accessToken);
    if (TEST_DRIVER === 'sqlite') {
      // stored hashed: the plaintext is in no database file
      for (const file of readdirSync(t.dataDir)) {
        const path = join(t.dataDir, file);
        if (statSync(path).isFile()) expect(readFileSync(path).includes(Buffer.from(token.body.accessToken)), file).toBe(false);
      }
    }
  });

  it('with a token issued: the set carries a working accessToken and manage/token refuses (1201)', async () => {
    const merchant = await t.api('POST', '/admin/v1/merchants', { key: ADMIN_TOKEN, body: { name: 'Bageri' } });
    await createTerminal(t, merchant.body.stores[0].id as string, 'disk-1');
    const issued = await t.api('POST', `/admin/v1/merchants/${merchant.body.id}/credentials/mobilepay`, { key: ADMIN_TOKEN, body: {} });
    expect(issued.status, JSON.stringify(issued.body)).toBe(201);
    const set = issued.body.mobilepay;
    expect(typeof set.accessToken).toBe('string');
    expectOk(await new MobilePay(t, set).get('manage/stores'));
    expectRefused(await new MobilePay(t, null).get('manage/token', { bioCode: set.bioCode }), 409, '1201');
    expect(t.logs()).not.toContain(set.accessToken);
  });
});

describe('tokens under concurrency', () => {
  it('concurrent manage/token: exactly one token is made', async () => {
    const merchant = await t.api('POST', '/admin/v1/merchants', { key: ADMIN_TOKEN, body: { name: 'Race A/S' } });
    await createTerminal(t, merchant.body.stores[0].id as string, 'race-1');
    const set = (await t.api('POST', `/admin/v1/merchants/${merchant.body.id}/credentials/mobilepay`, { key: ADMIN_TOKEN, body: { issueToken: false } })).body.mobilepay;
    const anon = new MobilePay(t, null);
    const results = await Promise.all(Array.from({ length: 5 }, () => anon.get('manage/token', { bioCode: set.bioCode })));
    const won = results.filter((r) => r.status === 200);
    expect(won).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 200)) expectRefused(r, 409, '1201');
    expectOk(await new MobilePay(t, { bioCode: set.bioCode, accessToken: won[0]!.body.accessToken }).get('manage/stores'));
  });

  it('concurrent resets with one previousAccessToken: exactly one new token, and it works', async () => {
    const merchant = await t.api('POST', '/admin/v1/merchants', { key: ADMIN_TOKEN, body: { name: 'Race B/S' } });
    await createTerminal(t, merchant.body.stores[0].id as string, 'race-2');
    const set = (await t.api('POST', `/admin/v1/merchants/${merchant.body.id}/credentials/mobilepay`, { key: ADMIN_TOKEN, body: {} })).body.mobilepay;
    const anon = new MobilePay(t, null);
    const results = await Promise.all(Array.from({ length: 5 }, () => anon.get('manage/token/reset', { bioCode: set.bioCode, previousAccessToken: set.accessToken })));
    const won = results.filter((r) => r.status === 200);
    expect(won).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 200)) expectRefused(r, 401, null);
    expectOk(await new MobilePay(t, { bioCode: set.bioCode, accessToken: won[0]!.body.accessToken }).get('manage/stores'));
    expectRefused(await new MobilePay(t, set).get('manage/stores'), 401, null);
  });
});
