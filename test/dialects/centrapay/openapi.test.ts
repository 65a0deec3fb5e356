// Centrapay's own OpenAPI document (GET /centrapay/openapi.json, docs/dialects/centrapay.md): every
// route under /centrapay/api is in it by a stable operationId, each documented body requires what
// the route refuses to go without (and nothing more), and real answers are what it documents.
import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../src/dialects/registry.js';
import { HTTP_METHODS } from '../../../src/http/openapi.js';
import type { TestGateway } from '../../harness.js';
import { expectMalformed, expectOk, expectRefused, send, uniqueName, useGateway, type Centrapay } from './client.js';

/** Every route of the dialect under its API, as the document names it. */
const ROUTES: [method: string, path: string, operationId: string][] = [
  ['post', '/centrapay/api/payment-requests', 'createPaymentRequest'],
  ['get', '/centrapay/api/payment-requests/{id}', 'getPaymentRequest'],
  ['get', '/centrapay/api/payment-requests/{id}/summary', 'getPaymentRequestSummary'],
  ['get', '/centrapay/api/payment-requests/short-code/{shortCode}', 'getPaymentRequestByShortCode'],
  ['get', '/centrapay/api/payment-requests/external-ref/{externalRef}', 'listPaymentRequestsByExternalRef'],
  ['post', '/centrapay/api/payment-requests/{id}/pay', 'payPaymentRequest'],
  ['post', '/centrapay/api/payment-requests/{id}/cancel', 'cancelPaymentRequest'],
  ['post', '/centrapay/api/payment-requests/{id}/void', 'voidPaymentRequest'],
  ['post', '/centrapay/api/payment-requests/{id}/refund', 'refundPaymentRequest'],
  ['post', '/centrapay/api/payment-requests/{id}/confirm', 'confirmPaymentRequest'],
  ['post', '/centrapay/api/payment-requests/{id}/release', 'releasePaymentRequest'],
  ['post', '/centrapay/api/payment-requests/{id}/conditions/{conditionId}/accept', 'acceptCondition'],
  ['post', '/centrapay/api/payment-requests/{id}/conditions/{conditionId}/decline', 'declineCondition'],
  ['get', '/centrapay/api/payment-requests/{id}/activities', 'listPaymentRequestActivities'],
  ['get', '/centrapay/api/payment-activities', 'listPaymentActivities'],
];

let t: TestGateway;
let cp: Centrapay;
let doc: any;
/** The routes the dialect registered under /centrapay (Fastify's `/:id` written as `/{id}`). */
const registered: string[] = [];

// the real dialect, mounted as ever, with an onRoute hook that sees what it registers
const dialects = DIALECTS.map((dialect) => (dialect.name !== 'centrapay' ? dialect : {
  ...dialect,
  mount: async (fastify: Parameters<typeof dialect.mount>[0], context: Parameters<typeof dialect.mount>[1]) => {
    fastify.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) {
        if (method !== 'HEAD' && route.url.startsWith('/centrapay/')) registered.push(`${method.toLowerCase()} ${route.url.replace(/:([A-Za-z]+)/g, '{$1}')}`);
      }
    });
    await dialect.mount(fastify, context);
  },
}));

useGateway(async (gateway, client) => {
  t = gateway;
  cp = client;
  const res = await send(t, 'GET', '/centrapay/openapi.json');
  expect(res.status, res.text).toBe(200);
  doc = res.body;
}, { dialects });

const op = (method: string, path: string) => doc.paths[path]?.[method];
const jsonSchema = (operation: any, status: number) => operation.responses[String(status)]?.content?.['application/json']?.schema;

/** Dotted paths of the required fields of a documented body, into nested objects (not into arrays). */
function requiredPaths(schema: any, prefix = ''): string[] {
  return (schema.required ?? []).flatMap((name: string) => {
    const field = schema.properties[name];
    const path = prefix + name;
    return [path, ...(field?.type === 'object' ? requiredPaths(field, `${path}.`) : [])];
  });
}

function without(body: Record<string, any>, path: string): Record<string, any> {
  const copy = structuredClone(body);
  const keys = path.split('.');
  let at = copy;
  for (const key of keys.slice(0, -1)) at = at[key];
  delete at[keys.at(-1)!];
  return copy;
}

describe("Centrapay's OpenAPI document", () => {
  it('is served without a key, names this gateway, and asks for X-Api-Key on every operation', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toMatch(/Centrapay/);
    expect(doc.servers).toEqual([{ url: t.url, description: 'This gateway' }]);
    expect(doc.components.securitySchemes).toEqual({ apiKey: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-Api-Key' }) });
    expect(doc.security).toEqual([{ apiKey: [] }]);
  });

  it('holds every route of the dialect under /centrapay/api by its operationId, and nothing else', () => {
    const documented = Object.entries<any>(doc.paths).flatMap(([path, item]) => HTTP_METHODS.filter((m) => item[m]).map((m) => [m, path, item[m].operationId]));
    expect(documented.sort()).toEqual([...ROUTES].sort());
    // what the dialect really registers: its API, and the public webhook key set, which is not in it
    expect(registered.filter((route) => !route.startsWith('get /centrapay/.well-known/')).sort()).toEqual(ROUTES.map(([m, p]) => `${m} ${p}`).sort());
    expect(registered).toContain('get /centrapay/.well-known/jwks.json');
    for (const [method, path] of ROUTES) {
      expect(op(method, path).summary, path).toBeTruthy();
      expect(op(method, path).tags).toEqual(['Centrapay']);
    }
  });

  it('documents the path parameters and queries the routes check', () => {
    for (const [method, path] of ROUTES) {
      const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      const inPath = (op(method, path).parameters ?? []).filter((p: any) => p.in === 'path');
      expect(inPath.map((p: any) => p.name).sort(), path).toEqual(names.sort());
      for (const p of inPath) expect(p.required, `${path} ${p.name}`).toBe(true);
    }
    const query = op('get', '/centrapay/api/payment-activities').parameters.filter((p: any) => p.in === 'query');
    expect(query.map((p: any) => [p.name, p.required]).sort()).toEqual([['merchantId', false], ['pageKey', false]]);
    expect(query.find((p: any) => p.name === 'pageKey').schema.pattern).toBe('^\\d{1,18}$');
  });

  it('documents 200 and every refusal status in Centrapay\'s error body on every operation', () => {
    for (const [method, path] of ROUTES) {
      const responses = op(method, path).responses;
      expect(Object.keys(responses).sort(), path).toEqual(['200', '400', '401', '403', '409', '413', '415', '429', '500', '503']);
      for (const status of [400, 401, 403, 409, 413, 415, 429, 500, 503]) {
        expect(jsonSchema(op(method, path), status).required, `${path} ${status}`).toEqual(['statusCode', 'error', 'message']);
      }
    }
  });

  it('a documented body requires what the route refuses to go without, and nothing more', async () => {
    const itemBody = { name: 'Widget', qty: '1', price: '1000' };
    // each with only its required fields; on an unknown request, a body that passes is refused 403, never 400
    const bodies: [path: string, body: Record<string, any>, sent: (body: Record<string, any>) => Promise<any>][] = [
      ['/centrapay/api/payment-requests', { configId: cp.set.configId, value: { amount: '1000', currency: 'NZD' } }, (body) => cp.call('POST', '/payment-requests', { body })],
      ['/centrapay/api/payment-requests/{id}/pay', { assetType: 'centrapay.nzd.test', idempotencyKey: uniqueName('pay') }, (body) => cp.call('POST', '/payment-requests/pr_nothing/pay', { body })],
      ['/centrapay/api/payment-requests/{id}/refund', { value: { amount: '100', currency: 'NZD' }, externalRef: 'r-1' }, (body) => cp.call('POST', '/payment-requests/pr_nothing/refund', { body })],
      ['/centrapay/api/payment-requests/{id}/confirm', { idempotencyKey: uniqueName('confirm'), invoiceRef: 'inv-1', lineItems: [itemBody] }, (body) => cp.call('POST', '/payment-requests/pr_nothing/confirm', { body })],
    ];
    const required = {
      '/centrapay/api/payment-requests': ['configId', 'value', 'value.amount', 'value.currency'],
      '/centrapay/api/payment-requests/{id}/pay': ['assetType', 'idempotencyKey'],
      '/centrapay/api/payment-requests/{id}/refund': ['value', 'value.amount', 'value.currency', 'externalRef'],
      '/centrapay/api/payment-requests/{id}/confirm': ['idempotencyKey', 'invoiceRef', 'lineItems'],
    };
    for (const [path, body, sent] of bodies) {
      const schema = op('post', path).requestBody.content['application/json'].schema;
      const paths = requiredPaths(schema);
      expect(paths, path).toEqual(required[path as keyof typeof required]);
      // the documented required fields are all the route needs
      const whole = await sent(body);
      expect(whole.status, `${path}: ${whole.text}`).not.toBe(400);
      // and each of them is refused when left out, naming it
      for (const field of paths) expectMalformed(await sent(without(body, field)), field);
    }
    // a line item of the documented body requires what a line item of the route needs
    const item = op('post', '/centrapay/api/payment-requests').requestBody.content['application/json'].schema.properties.lineItems.items;
    expect(item.required).toEqual(['name', 'qty', 'price']);
    expect(op('post', '/centrapay/api/payment-requests/{id}/confirm').requestBody.content['application/json'].schema.properties.lineItems.minItems).toBe(1);
    // the bodyless actions take {} or nothing
    expect(op('post', '/centrapay/api/payment-requests/{id}/cancel').requestBody.content['application/json'].schema.required).toBeUndefined();
    expect(op('post', '/centrapay/api/payment-requests/{id}/cancel').requestBody.required).toBe(false);
    expect(op('post', '/centrapay/api/payment-requests').requestBody.required).toBe(true);
    expectRefused(await cp.call('POST', '/payment-requests/pr_nothing/cancel'), 403, 'PAYMENT_REQUEST_NOT_FOUND');
    // a documented query pattern is the route's check
    expectMalformed(await cp.paymentActivities({ pageKey: 'abc' }), 'pageKey');
    expectOk(await cp.paymentActivities({ pageKey: '1' }));
  });

  it('documents the fields of real answers and the statuses of real refusals', async () => {
    const documentedFields = (operationId: string, pick: (schema: any) => any = (s) => s) => {
      const [method, path] = ROUTES.find(([, , id]) => id === operationId)!;
      return Object.keys(pick(jsonSchema(op(method, path), 200)).properties);
    };
    const created = await cp.call('POST', '/payment-requests', { body: cp.body({ lineItems: [{ name: 'Widget', qty: '1', price: '1050' }] }) });
    expectOk(created);
    expect(Object.keys(created.body).filter((key) => !documentedFields('createPaymentRequest').includes(key))).toEqual([]);
    expect(documentedFields('createPaymentRequest').filter((key) => !(key in created.body))).toEqual([]);
    const summary = await cp.call('GET', `/payment-requests/${created.body.id}/summary`);
    expectOk(summary);
    expect(Object.keys(summary.body).sort()).toEqual([...documentedFields('getPaymentRequestSummary')].sort());
    const activities = await cp.activities(created.body.id);
    expectOk(activities);
    const activityFields = documentedFields('listPaymentRequestActivities', (s) => s.properties.items.items);
    expect(activities.body.items.length).toBeGreaterThan(0);
    for (const activity of activities.body.items) expect(Object.keys(activity).sort()).toEqual([...activityFields].sort());
    // the condition actions answer an activity (Centrapay: "Returns a Payment Activity"), as void, refund, confirm and release do
    const activityOf = (schema: any) => (schema.anyOf ?? schema.oneOf ?? [schema]).find((branch: any) => branch.properties);
    for (const operationId of ['acceptCondition', 'declineCondition', 'voidPaymentRequest']) expect(documentedFields(operationId, activityOf).sort(), operationId).toEqual([...activityFields].sort());
    // a refusal's status is among the operation's documented ones
    for (const [res, status] of [
      [await send(t, 'GET', `/centrapay/api/payment-requests/${created.body.id}`), 401],
      [await cp.get('pr_nothing'), 403],
      [await cp.get('x'.repeat(101)), 400],
    ] as const) {
      expectRefused(res, status);
      expect(op('get', '/centrapay/api/payment-requests/{id}').responses[String(status)]).toBeTruthy();
    }
  });
});
