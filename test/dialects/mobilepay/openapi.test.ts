// MobilePay PoS dialect: its own OpenAPI document (GET /mobilepay/api/pos/openapi.json), as a running
// gateway serves it: every route of the dialect is in it with a stable operationId, each documented
// parameter list requires exactly what the route requires, and the answers are the wrapper's envelope.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app/context.js';
import { MOBILEPAY_PREFIX, mobilePayApi } from '../../../src/dialects/mobilepay/index.js';
import { startGateway, type TestGateway } from '../../harness.js';
import { registeredRoutes } from '../registered-routes.js';
import { demoClient, demoCredentials, expectOk, freshPos, PREFIX, query, type MobilePay } from './client.js';

let t: TestGateway;
let mp: MobilePay;
let doc: any;
beforeAll(async () => {
  t = await startGateway();
  mp = demoClient(t);
  const res = await fetch(`${t.url}${MOBILEPAY_PREFIX}/openapi.json`);
  expect(res.status).toBe(200);
  doc = await res.json();
});
afterAll(async () => t?.close());

/** The operationIds, pinned: a client generated from the document names its methods by them. */
const OPERATION_IDS: Record<string, string> = {
  'GET /terminal/qrcode': 'getTerminalQrCode',
  'GET /payment/start': 'startPayment', 'POST /payment/start': 'startPaymentPost',
  'GET /payment/start/byPosId': 'startPaymentByPosId', 'POST /payment/start/byPosId': 'startPaymentByPosIdPost',
  'GET /payment/prepare': 'preparePayment', 'POST /payment/prepare': 'preparePaymentPost',
  'GET /payment/ready': 'readyPayment', 'POST /payment/ready': 'readyPaymentPost',
  'GET /payment/details': 'getPaymentDetails',
  'GET /payment/status': 'getPaymentStatus',
  'GET /payments': 'listPayments',
  'GET /payment/capture': 'capturePayment',
  'GET /payment/cancel': 'cancelPayment',
  'GET /payment/id/retrieve/bystate': 'retrievePaymentIdByState',
  'GET /payment/id/retrieve/byterminal': 'retrievePaymentIdByTerminal',
  'GET /payment/id/retrieve/byposId': 'retrievePaymentIdByPosId',
  'GET /refund/create': 'createRefund', 'POST /refund/create': 'createRefundPost',
  'GET /refund/details': 'getRefundDetails',
  'GET /refunds': 'listRefunds',
  'GET /refund/capture': 'captureRefund',
  'GET /refund/cancel': 'cancelRefund',
  'GET /manage/token': 'createAccessToken', 'POST /manage/token': 'createAccessTokenPost',
  'GET /manage/token/reset': 'resetAccessToken', 'POST /manage/token/reset': 'resetAccessTokenPost',
  'GET /manage/create': 'createPointOfSale', 'POST /manage/create': 'createPointOfSalePost',
  'GET /manage/delete': 'deletePointOfSale', 'DELETE /manage/delete': 'deletePointOfSaleDelete',
  'GET /manage/terminal/information': 'getTerminalInformation',
  'GET /manage/stores': 'listStores',
  'GET /manage/store': 'getStore',
  'GET /manage/checkInStatus/byposId': 'getCheckInStatusByPosId',
  'GET /manage/checkInStatus/byterminalId': 'getCheckInStatusByTerminalId',
};

/** Every route the dialect registers (Fastify's automatic HEAD routes aside), from the dialect itself (registering reads no dependency). */
async function dialectRoutes(): Promise<string[]> {
  const routes = await registeredRoutes((fastify) => mobilePayApi(fastify, { app: {} as App, publicUrl: 'http://localhost', paymentTimeoutSeconds: 120 }));
  return routes.flatMap((route) => [route.method].flat().filter((method) => method !== 'HEAD').map((method) => `${method} ${route.url.slice(MOBILEPAY_PREFIX.length)}`));
}

interface Op { key: string; method: string; path: string; op: any }
const operations = (): Op[] => Object.entries<any>(doc.paths).flatMap(([url, item]) =>
  ['get', 'post', 'delete', 'put', 'patch'].filter((m) => item[m]).map((m) => {
    const path = url.slice(MOBILEPAY_PREFIX.length);
    return { key: `${m.toUpperCase()} ${path}`, method: m.toUpperCase(), path, op: item[m] };
  }));

/** What each parameter is sent as when a test calls an operation with everything it requires: nothing exists, so nothing changes. */
function valueOf(name: string): string {
  const values: Record<string, string> = {
    orderId: 'doc-order', amount: '1.00', currencyCode: 'DKK', userMinimumAge: '18', terminalId: 'no-such-terminal',
    posId: randomUUID(), storeId: randomUUID(), paymentId: randomUUID(), refundId: randomUUID(), refundOrderId: 'doc-refund',
    state: 'Captured', paymentState: 'Captured', bioCode: demoCredentials(t).bioCode, accessToken: demoCredentials(t).accessToken,
    previousAccessToken: 'mpat_not_the_current_one',
  };
  expect(Object.hasOwn(values, name), `a value for the documented parameter ${name}`).toBe(true);
  return values[name]!;
}

/** The parameters an operation documents as required, and all it documents, wherever they go. */
function documentedParams(op: any): { required: string[]; all: string[]; inBody: boolean } {
  const body = op.requestBody?.content?.['application/json']?.schema;
  if (body) return { required: body.required ?? [], all: Object.keys(body.properties ?? {}), inBody: true };
  const params = (op.parameters ?? []) as { name: string; in: string; required?: boolean }[];
  for (const p of params) expect(p.in).toBe('query');
  return { required: params.filter((p) => p.required).map((p) => p.name), all: params.map((p) => p.name), inBody: false };
}

/** The token calls check their own parameters (bioCode, previousAccessToken); every other takes accessToken + bioCode. */
const OWN_CREDENTIALS = new Set(['/manage/token', '/manage/token/reset']);

async function call(method: string, path: string, params: Record<string, string>, inBody: boolean) {
  const url = `${t.url}${MOBILEPAY_PREFIX}${path}`;
  const res = inBody
    ? await fetch(url, { method, headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(params) })
    : await fetch(url + query(params), { method, headers: { accept: 'application/json' } });
  return { status: res.status, body: (await res.json()) as any };
}

describe('the MobilePay OpenAPI document', () => {
  it('is served without credentials, names this gateway, and holds only MobilePay operations', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers).toEqual([{ url: t.url, description: 'This gateway' }]);
    for (const path of Object.keys(doc.paths)) expect(path).toMatch(/^\/mobilepay\/api\/pos\//);
    // the native document keeps none of them
    expect(PREFIX).toBe(`${MOBILEPAY_PREFIX}/`);
  });

  it('has every route of the dialect, each method with its own stable operationId', async () => {
    const routes = await dialectRoutes();
    expect(routes.sort()).toEqual(Object.keys(OPERATION_IDS).sort());
    const documented = Object.fromEntries(operations().map(({ key, op }) => [key, op.operationId]));
    expect(documented).toEqual(OPERATION_IDS);
    for (const { key, op } of operations()) {
      expect(op.summary, key).toBeTruthy();
      expect(op.tags, key).toHaveLength(1);
    }
  });

  it('requires in each parameter list exactly what the route requires', async () => {
    for (const { key, method, path, op } of operations()) {
      const { required, all, inBody } = documentedParams(op);
      const token = !OWN_CREDENTIALS.has(path);
      // the credentials: accessToken by the scheme (query: the document's own security) or in the body, bioCode beside it
      if (token) expect(required, key).toContain('bioCode');
      if (!inBody) expect(op.security, key).toEqual(token ? undefined : []);
      if (token && inBody) expect(required, key).toContain('accessToken');
      if (!inBody) expect(all, `${key}: accessToken is the security scheme's, not a parameter`).not.toContain('accessToken');
      const full: Record<string, string> = Object.fromEntries(required.map((name) => [name, valueOf(name)]));
      if (token && !inBody) full.accessToken = valueOf('accessToken');
      // everything it requires, and nothing it calls optional: never refused for a parameter
      const done = await call(method, path, full, inBody);
      expect(done.status, `${key} ${JSON.stringify(done.body)}`).not.toBe(400);
      expect(done.body.errors?.[0] ?? '', key).not.toMatch(/are required/);
      for (const name of required) {
        const { [name]: _dropped, ...rest } = full;
        const refused = await call(method, path, rest, inBody);
        expect(refused.body.success, `${key} without ${name}`).toBe(false);
        if (name === 'bioCode' || name === 'accessToken' || !token) {
          // a credential: 401, naming what is required
          expect(refused.status, `${key} without ${name}`).toBe(401);
          expect(refused.body.errors[0], `${key} without ${name}`).toMatch(/required/);
        } else {
          expect(refused.status, `${key} without ${name}: ${JSON.stringify(refused.body)}`).toBe(400);
          expect(refused.body.errors[0], `${key} without ${name}`).toContain(name);
        }
      }
    }
  });

  it('keeps accessToken out of URLs where a body can carry it', () => {
    expect(doc.components.securitySchemes).toEqual({ accessToken: expect.objectContaining({ type: 'apiKey', in: 'query', name: 'accessToken' }) });
    for (const { key, method, op } of operations()) {
      if (method === 'POST') {
        // its credentials are body fields: no query scheme to tempt a client into the URL
        expect(op.security, key).toEqual([]);
        expect(Object.keys(op.requestBody.content), key).toEqual(['application/json', 'application/xml', 'application/x-www-form-urlencoded']);
      }
    }
    // the GET form of an operation that has a POST one says to prefer the POST one
    expect(doc.paths[`${MOBILEPAY_PREFIX}/payment/start`].get.description).toMatch(/POST variant/);
    expect(doc.paths[`${MOBILEPAY_PREFIX}/manage/token/reset`].get.description).toMatch(/POST variant/);
    // the token calls check their own parameters
    expect(doc.paths[`${MOBILEPAY_PREFIX}/manage/token`].get.security).toEqual([]);
  });

  it("documents every answer in the wrapper's envelope, in JSON and XML, and the fields of a real one", async () => {
    for (const { key, op } of operations()) {
      const statuses = Object.keys(op.responses);
      expect(statuses, key).toEqual(expect.arrayContaining(['200', '400', '401', '404', '409', '500', '503']));
      for (const status of statuses) {
        const content = op.responses[status].content;
        expect(Object.keys(content), `${key} ${status}`).toEqual(['application/json', 'application/xml']);
        const schema = content['application/json'].schema;
        expect(schema.required, `${key} ${status}`).toEqual(expect.arrayContaining(['success', 'errors', ...(status === '200' ? [] : ['errorCode'])]));
        expect(schema.properties.success.enum, `${key} ${status}`).toEqual([status === '200']);
      }
    }
    const pos = await freshPos(t, mp);
    const start = await mp.get('payment/start', { orderId: 'doc-details', amount: '12.5', terminalId: pos.terminalId });
    expectOk(start);
    const details = await mp.get('payment/details', { paymentId: start.body.paymentId });
    expectOk(details);
    const schema = doc.paths[`${MOBILEPAY_PREFIX}/payment/details`].get.responses['200'].content['application/json'].schema;
    expect(Object.keys(details.body).sort()).toEqual(Object.keys(schema.properties).sort());
    expect(schema.required.sort()).toEqual(Object.keys(details.body).sort());
    const cancel = await mp.get('payment/cancel', { paymentId: start.body.paymentId });
    expectOk(cancel);
  });
});
