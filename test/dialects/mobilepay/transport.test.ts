// MobilePay PoS dialect: transport (docs/dialects/mobilepay.md "Transport"): GET and POST variants
// give the same results, query parameters are read on POST (body wins), XML answers and XML bodies;
// HEAD runs no operation (the wrapper changes state with GET, and Fastify would answer HEAD by
// running the GET handler): it gets the dialect's 405, naming the methods the path answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../../harness.js';
import {
  checkIn, createTerminal, demoClient, demoCredentials, expectOk, freshPos, GUID, MobilePay, nativeTerminal, patron, PREFIX, query, reservedPayment, rowCounts,
  uniqueName, type MpResponse,
} from './client.js';

let t: TestGateway;
let mp: MobilePay;
beforeAll(async () => {
  t = await startGateway();
  mp = demoClient(t);
});
afterAll(async () => t.close());

/** The <Response> root of an XML answer. */
function xmlRoot(res: MpResponse): Record<string, any> {
  expect(res.headers.get('content-type') ?? '', res.text).toMatch(/(application|text)\/xml/);
  expect(res.body, res.text).toHaveProperty('Response');
  return res.body.Response;
}

/** An XML null: an empty element with nil="true" (any namespace prefix). */
function isNil(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(value as Record<string, unknown>).some(([k, v]) => /(^|:|@)nil$/.test(k) && v === 'true');
}

/** An XML array: one <string> (or <item>) per element; an empty element is []. */
function xmlArray(value: unknown, child: 'string' | 'item' = 'string'): unknown[] {
  if (value === '' || value === undefined) return [];
  const inner = (value as Record<string, unknown>)[child];
  if (inner === undefined) return [];
  return Array.isArray(inner) ? inner : [inner];
}

async function reservedOn(kind: 'GET' | 'POST', amount: string, currencyCode: string) {
  const pos = await freshPos(t);
  const orderId = uniqueName(kind);
  const params = { orderId, amount, terminalId: pos.terminalId, currencyCode, userMinimumAge: '15' };
  const start = kind === 'GET' ? await mp.get('payment/start', params) : await mp.post('payment/start', params);
  expectOk(start);
  await checkIn(t, pos.nativeId);
  await patron(t, start.body.paymentId);
  return { pos, orderId, paymentId: start.body.paymentId as string };
}

describe('GET and POST variants', () => {
  it('payment/start by GET and by POST give the same details, capture and refund results', async () => {
    const results = [];
    for (const kind of ['GET', 'POST'] as const) {
      const { pos, orderId, paymentId } = await reservedOn(kind, '33.3', 'EUR');
      const capture = await mp.get('payment/capture', { paymentId, amount: '30' });
      expectOk(capture);
      const refundParams = { paymentId, amount: '2.5', currencyCode: 'EUR', refundOrderId: 'ro-1' };
      const refund = kind === 'GET' ? await mp.get('refund/create', refundParams) : await mp.post('refund/create', refundParams);
      expectOk(refund);
      const details = await mp.details(paymentId);
      expect(details).toMatchObject({ paymentId, orderId, posId: pos.posId, terminalId: pos.terminalId });
      const refundDetails = (await mp.get('refund/details', { refundId: refund.body.refundId })).body;
      const strip = ({ paymentId: _p, orderId: _o, posId: _s, terminalId: _t, ...rest }: any) => rest;
      const stripRefund = ({ refundId: _r, paymentId: _p, ...rest }: any) => rest;
      results.push({ details: strip(details), capture: capture.body, refund: stripRefund(refundDetails) });
    }
    expect(results[0]).toEqual(results[1]);
    expect(results[0]!.details).toMatchObject({ amount: '33.30', currencyCode: 'EUR', status: 'Captured', capturedAmount: '30.00' });
    expect(Number(results[0]!.details.userMinimumAge)).toBe(15);
    expect(results[0]!.refund).toMatchObject({ amount: '2.50', currencyCode: 'EUR', status: 'Reserved', refundOrderId: 'ro-1' });
  });

  it('POST reads query parameters too, and body fields win over them', async () => {
    const pos = await freshPos(t);
    const orderId = uniqueName('mixed');
    const res = await mp.post('payment/start', { amount: '7.00' }, { query: { orderId, amount: '5.00', terminalId: pos.terminalId } });
    expectOk(res);
    expect(await mp.details(res.body.paymentId)).toMatchObject({ orderId, amount: '7.00', terminalId: pos.terminalId });
    expectOk(await mp.get('payment/cancel', { paymentId: res.body.paymentId }));

    // everything in the query, an empty JSON body
    const c = demoCredentials(t);
    const allQuery = await fetch(`${t.url}${PREFIX}payment/prepare${query({ orderId: uniqueName('q'), terminalId: pos.terminalId, accessToken: c.accessToken, bioCode: c.bioCode })}`, {
      method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: '{}',
    });
    expect(allQuery.status).toBe(200);
    const body = (await allQuery.json()) as any;
    expect(body).toMatchObject({ success: true, errors: [] });
    expect(await mp.status(body.paymentId)).toBe('Prepared');
    expectOk(await mp.get('payment/cancel', { paymentId: body.paymentId }));
  });

  it('unknown parameters are ignored', async () => {
    const pos = await freshPos(t);
    const res = await mp.get('payment/start', { orderId: uniqueName('extra'), amount: '1', terminalId: pos.terminalId, colour: 'blue', plannedCaptureDelay: 'None' });
    expectOk(res);
    expectOk(await mp.get('payment/cancel', { paymentId: res.body.paymentId, whatever: 'x' }));
  });
});

describe('XML', () => {
  it('details in XML carry the same fields as in JSON, nulls as nil elements and arrays as <string> items', async () => {
    const pos = await freshPos(t);
    const paymentId = await mp.start(uniqueName('xml'), '27.5', pos.terminalId);
    const json = await mp.details(paymentId);
    const res = await mp.get('payment/details', { paymentId }, { xml: true });
    expect(res.status).toBe(200);
    const x = xmlRoot(res);
    expect(x.success).toBe('true');
    expect(xmlArray(x.errors)).toEqual([]);
    for (const [key, value] of Object.entries(json)) {
      expect(x, key).toHaveProperty(key);
      if (value === null) expect(isNil(x[key]), key).toBe(true);
      else if (Array.isArray(value)) expect(xmlArray(x[key]), key).toEqual(value);
      else expect(x[key], key).toBe(String(value));
    }
    expect(x).toMatchObject({ paymentId, amount: '27.50', status: 'Initiated', currencyCode: 'DKK', pollDelayInMs: '1000' });
    expect(isNil(x.customerToken)).toBe(true);
    expectOk(await mp.get('payment/cancel', { paymentId }));
  });

  it('Accept text/xml also gives XML; JSON first or no Accept gives JSON', async () => {
    const xml = await mp.get('manage/stores', {}, { accept: 'text/xml' });
    expect(xmlArray(xmlRoot(xml).storeIds)).toEqual([demoCredentials(t).storeId]);
    const jsonFirst = await mp.get('manage/stores', {}, { accept: 'application/json, application/xml' });
    expect(jsonFirst.headers.get('content-type')).toContain('application/json');
    expect(jsonFirst.body.storeIds).toEqual([demoCredentials(t).storeId]);
    const none = await fetch(`${t.url}${PREFIX}manage/stores${query({ accessToken: demoCredentials(t).accessToken, bioCode: demoCredentials(t).bioCode })}`);
    expect(none.headers.get('content-type')).toContain('application/json');
  });

  it('lists and objects in XML: paymentIds as <string> items, posInformation as child elements', async () => {
    const pos = await freshPos(t);
    const a = await mp.start(uniqueName('xa'), '1', pos.terminalId);
    const list = xmlRoot(await mp.get('payments', { terminalId: pos.terminalId }, { xml: true }));
    expect(xmlArray(list.paymentIds)).toEqual([a]);
    const info = xmlRoot(await mp.get('manage/terminal/information', { terminalId: pos.terminalId }, { xml: true }));
    expect(info.success).toBe('true');
    expect(info.posInformation).toMatchObject({ posId: pos.posId, merchantPosId: pos.terminalId, name: pos.terminalId, requirePaymentBeforeCheckin: 'false' });
    expect(xmlArray(info.posInformation.supportedBeaconTypes)).toEqual(['QR']);
    expect(isNil(info.posInformation.callbackAlias)).toBe(true);
    const status = xmlRoot(await mp.get('manage/checkInStatus/byposId', { posId: pos.posId }, { xml: true }));
    expect(status).toMatchObject({ success: 'true', isUserCheckedIn: 'false', pollDelayInMs: '1000' });
    expectOk(await mp.get('payment/cancel', { paymentId: a }));
  });

  it('errors in XML: the same envelope with success false, errorCode and <string> errors', async () => {
    const res = await mp.get('payment/details', { paymentId: '3f2504e0-4f89-41d3-9a0c-0305e82c3301' }, { xml: true });
    expect(res.status).toBe(404);
    const x = xmlRoot(res);
    expect(x.success).toBe('false');
    expect(x.errorCode).toBe('1001');
    const errors = xmlArray(x.errors);
    expect(errors.length).toBeGreaterThan(0);
    expect(typeof errors[0]).toBe('string');

    const busyPos = await freshPos(t);
    const first = await mp.start(uniqueName('busy'), '1', busyPos.terminalId);
    const busy = await mp.get('payment/start', { orderId: uniqueName('busy'), amount: '1', terminalId: busyPos.terminalId }, { xml: true });
    expect(busy.status).toBe(409);
    expect(xmlRoot(busy)).toMatchObject({ success: 'false', errorCode: '1301' });
    expectOk(await mp.get('payment/cancel', { paymentId: first }));

    const bad = await mp.get('payment/start', { orderId: 'o', amount: '1.001', terminalId: busyPos.terminalId }, { xml: true });
    expect(bad.status).toBe(400);
    expect(xmlRoot(bad)).toMatchObject({ success: 'false', errorCode: '1102' });

    const unauth = await new MobilePay(t, { bioCode: 'x', accessToken: 'y' }).get('manage/stores', {}, { xml: true });
    expect(unauth.status).toBe(401);
    const u = xmlRoot(unauth);
    expect(u.success).toBe('false');
    expect(isNil(u.errorCode)).toBe(true);
    expect(xmlArray(u.errors).length).toBeGreaterThan(0);
  });

  it('an XML POST body works (any root element name), with a JSON or an XML answer', async () => {
    const pos = await freshPos(t);
    const orderId = uniqueName('xmlbody');
    const res = await mp.postXml('payment/start', { orderId, amount: '19.95', terminalId: pos.terminalId, currencyCode: 'EUR' });
    expectOk(res);
    expect(res.body.paymentId).toMatch(GUID);
    expect(await mp.details(res.body.paymentId)).toMatchObject({ orderId, amount: '19.95', currencyCode: 'EUR', terminalId: pos.terminalId });
    expectOk(await mp.get('payment/cancel', { paymentId: res.body.paymentId }));

    const c = demoCredentials(t);
    const raw = await mp.postRaw(
      'payment/prepare',
      `<PaymentPrepareModel><orderId>${orderId}-p</orderId><terminalId>${pos.terminalId}</terminalId></PaymentPrepareModel>`,
      'application/xml',
      { xml: true },
    );
    expect(raw.status, raw.text).toBe(200);
    const x = xmlRoot(raw);
    expect(x.success).toBe('true');
    expect(x.paymentId).toMatch(GUID);
    expect(await mp.status(x.paymentId)).toBe('Prepared');
    // the credentials may be in the XML body too
    const ready = await new MobilePay(t, null).postXml('payment/ready', {
      orderId: `${orderId}-p`, amount: '4', terminalId: pos.terminalId, paymentId: x.paymentId, accessToken: c.accessToken, bioCode: c.bioCode,
    });
    expectOk(ready);
    expect(await mp.details(x.paymentId)).toMatchObject({ amount: '4.00', status: 'Initiated' });
    expectOk(await mp.get('payment/cancel', { paymentId: x.paymentId }));
  });

  it('XML special characters in values are escaped and read back', async () => {
    const pos = await freshPos(t);
    const orderId = `a<b&c>"d'${uniqueName('x')}`.slice(0, 36);
    const res = await mp.postXml('payment/start', { orderId, amount: '2', terminalId: pos.terminalId });
    expectOk(res);
    const x = xmlRoot(await mp.get('payment/details', { paymentId: res.body.paymentId }, { xml: true }));
    expect(x.orderId).toBe(orderId);
    expect((await mp.details(res.body.paymentId)).orderId).toBe(orderId);
    expectOk(await mp.get('payment/cancel', { paymentId: res.body.paymentId }));
  });
});

describe('odd requests still get the envelope', () => {
  it.each([['[]'], ['"text"'], ['42'], ['null']])('a JSON body %s that is not an object is 400 1099', async (raw) => {
    const pos = await freshPos(t);
    const res = await mp.postRaw('payment/start', raw, 'application/json', { query: { orderId: uniqueName('odd'), amount: '1', terminalId: pos.terminalId } });
    expect(res.status, res.text).toBe(400);
    expect(res.body).toMatchObject({ success: false, errorCode: '1099' });
    expect((await mp.get('payments', { terminalId: pos.terminalId })).body.paymentIds).toEqual([]);
  });

  it('a method the endpoint does not take answers an envelope', async () => {
    const res = await mp.delete('payment/start', { orderId: 'o', amount: '1', terminalId: demoCredentials(t).terminalId });
    expect([404, 405]).toContain(res.status);
    expect(res.body.success).toBe(false);
    expect(res.body.errors.length).toBeGreaterThan(0);
  });

  it('terminal ids and orderIds with spaces, slashes and non-ASCII letters round-trip; 36 characters is the limit, not 36 bytes', async () => {
    const store = (await nativeTerminal(t, t.terminalId)).storeId as string;
    const name = `Kasse 1/Bar ø ${uniqueName('z')}`;
    await createTerminal(t, store, name);
    const create = await mp.get('manage/create', { terminalId: name });
    expectOk(create);
    expect(create.body.posInformation).toMatchObject({ merchantPosId: name, name });
    const orderId = 'ø'.repeat(36);
    const paymentId = await mp.start(orderId, '1', name);
    expect(await mp.details(paymentId)).toMatchObject({ orderId, terminalId: name });
    expect((await mp.get('payment/id/retrieve/byterminal', { orderId, terminalId: name })).body.paymentId).toBe(paymentId);
    expectOk(await mp.get('payment/cancel', { paymentId }));
    const tooLong = await mp.get('payment/start', { orderId: 'ø'.repeat(37), amount: '1', terminalId: name });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.errorCode).toBe('1113');
  });
});

const head = (op: string, params: Record<string, string>) => {
  const { bioCode, accessToken } = demoCredentials(t);
  return fetch(`${t.url}${PREFIX}${op}${query({ ...params, bioCode, accessToken })}`, { method: 'HEAD' });
};

describe('MobilePay: HEAD runs no operation', () => {
  it('HEAD payment/start is 405 with Allow: GET, POST and starts no payment (a GET start then works)', async () => {
    const pos = await freshPos(t);
    const before = await rowCounts(t);
    const res = await head('payment/start', { orderId: uniqueName('head'), amount: '10.00', terminalId: pos.terminalId });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, POST');
    expect(await rowCounts(t)).toEqual(before);
    const active = await mp.get('payments', { terminalId: pos.terminalId });
    expectOk(active);
    expect(active.body.paymentIds).toEqual([]);
    // no payment is active on the PoS: a real start is not refused with 1301
    await mp.start(uniqueName('after-head'), '10.00', pos.terminalId);
  });

  it('HEAD payment/cancel, payment/capture, refund/create and manage/delete change nothing', async () => {
    const pos = await freshPos(t);
    const paymentId = await reservedPayment(t, mp, pos, '20.00');
    const before = await rowCounts(t);
    for (const [op, params] of [
      ['payment/capture', { paymentId }],
      ['payment/cancel', { paymentId }],
      ['refund/create', { paymentId, amount: '1.00', refundOrderId: 'head-refund' }],
      ['manage/delete', { terminalId: pos.terminalId }],
    ] as const) {
      const res = await head(op, params);
      expect(res.status, op).toBe(405);
    }
    expect(await rowCounts(t)).toEqual(before);
    expect(await mp.status(paymentId)).toBe('Reserved');
    expectOk(await mp.get('manage/terminal/information', { terminalId: pos.terminalId }));
  });

  it('HEAD on an unknown path is still 404', async () => {
    const res = await head('payment/nothing', {});
    expect(res.status).toBe(404);
  });
});

describe('logs', () => {
  it('carry neither the accessToken nor the bioCode of a call (the bioCode alone fetches a token: manage/token)', async () => {
    const { bioCode, accessToken } = demoCredentials(t);
    await fetch(`${t.url}${PREFIX}manage/stores${query({ accessToken, bioCode })}`);
    expect(t.logs()).toContain('bioCode=[redacted]');
    expect(t.logs()).not.toContain(bioCode);
    expect(t.logs()).not.toContain(accessToken);
  });
});
