// Kowri's own OpenAPI document, /kowri/openapi.json, as a running gateway serves it: every route of
// the dialect in it under its operationId, its bodies as the routes check them, and its answers
// (Kowri's envelope) as the routes really send them. The schemas change nothing the routes do.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app/context.js';
import { kowriApi } from '../../../src/dialects/kowri/index.js';
import { ADMIN_TOKEN, startGateway, type TestGateway } from '../../harness.js';
import { registeredRoutes } from '../registered-routes.js';
import { createInvoice, demoSet, kowriCall, rawCall, type KowriResponse, type KowriSet } from './client.js';

// the names a POS's generated client is built on: renaming one breaks it
const OPERATION_IDS: Record<string, string> = {
  '/kowri/webpos/listPayOptions': 'listPayOptions',
  '/kowri/webpos/createInvoice': 'createInvoice',
  '/kowri/webpos/getInvoiceSummary': 'getInvoiceSummary',
  '/kowri/webpos/getInvoice': 'getInvoice',
  '/kowri/webpos/cancelInvoice': 'cancelInvoice',
  '/kowri/webpos/processPayment': 'processPayment',
  '/kowri/webpos/payNow': 'payNow',
  '/kowri/webpos/checkPaymentStatus': 'checkPaymentStatus',
  '/kowri/webpos/sandbox/decidePayment': 'sandboxDecidePayment',
};

let t: TestGateway;
let doc: any;
beforeAll(async () => {
  t = await startGateway();
  const served = await t.api('GET', '/kowri/openapi.json', { key: null });
  expect(served.status).toBe(200);
  doc = served.body;
});
afterAll(async () => t?.close());

/** Every route the dialect registers (registering reads no dependency). */
const dialectRoutes = () => registeredRoutes((fastify) => kowriApi(fastify, { app: {} as App, publicUrl: 'http://posgate.invalid', errorStatus: 'strict' }));

const operationAt = (path: string) => doc.paths[path]?.post;
const bodySchema = (path: string) => operationAt(path).requestBody.content['application/json'].schema;
/** The documented schema of an operation's answer with this status. */
const answerSchema = (path: string, status: number) => operationAt(path).responses[String(status)]?.content?.['application/json']?.schema;

/** The answer fits what the document says of its status. */
function expectDocumented(path: string, response: KowriResponse) {
  const schema = answerSchema(path, response.status);
  expect(schema, `${path} answered ${response.status}, which the document does not name`).toBeTruthy();
  const parsed = z.fromJSONSchema(schema).safeParse(response.body);
  expect(parsed.success, `${path} ${response.status}: ${JSON.stringify(response.body)} ${parsed.error?.message ?? ''}`).toBe(true);
}

describe('GET /kowri/openapi.json', () => {
  it('holds every route of the dialect under its stable operationId, with a summary; only the browser\'s return link is left out', async () => {
    const routes = await dialectRoutes();
    const shown = routes.filter((route) => !(route.schema as { hide?: boolean } | undefined)?.hide);
    const hidden = routes.filter((route) => (route.schema as { hide?: boolean } | undefined)?.hide);
    // the patron's way back to the callbackUrl (a 302 a browser follows) is no operation of the API
    expect(hidden.map((route) => `${String(route.method)} ${route.url}`).sort()).toEqual(['GET /kowri/webpos/return/:token', 'HEAD /kowri/webpos/return/:token']);
    expect(shown.map((route) => `${String(route.method)} ${route.url}`).sort()).toEqual(Object.keys(OPERATION_IDS).map((path) => `POST ${path}`).sort());

    expect(Object.keys(doc.paths).sort()).toEqual(Object.keys(OPERATION_IDS).sort());
    for (const [path, operationId] of Object.entries(OPERATION_IDS)) {
      expect(Object.keys(doc.paths[path]), path).toEqual(['post']);
      expect(operationAt(path).operationId, path).toBe(operationId);
      expect(operationAt(path).summary, path).toMatch(/\w{3}/);
    }
    expect(doc.info.title).toMatch(/Kowri/);
    expect(doc.servers).toEqual([{ url: t.url, description: 'This gateway' }]);
    // the appId header in every call; appReference and secret are in every body
    expect(doc.components.securitySchemes).toEqual({ appId: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'appId' }) });
    expect(doc.security).toEqual([{ appId: [] }]);
    for (const path of Object.keys(OPERATION_IDS)) expect(bodySchema(path).required, path).toEqual(expect.arrayContaining(['requestId', 'appReference', 'secret']));
  });

  it('documents each body so that it refuses what the route refuses', async () => {
    const auth = { requestId: 'r-1', appReference: 'kwr_x', secret: 'kws_x' };
    const create = z.fromJSONSchema(bodySchema('/kowri/webpos/createInvoice'));
    expect(create.safeParse({ ...auth, merchantOrderId: 'doc-1', amount: '12.50' }).success).toBe(true);
    expect(create.safeParse({ ...auth, merchantOrderId: 'doc-1', amount: 7 }).success).toBe(true);
    // unknown fields are ignored, by the route as by the schema
    expect(create.safeParse({ ...auth, merchantOrderId: 'doc-1', amount: 7, colour: 'red' }).success).toBe(true);

    const refused: Array<[string, Record<string, unknown>, string]> = [
      ['no merchantOrderId', { amount: '5' }, 'merchantOrderId'],
      ['three decimals', { merchantOrderId: 'doc-2', amount: '12.345' }, 'amount'],
      ['zero', { merchantOrderId: 'doc-3', amount: 0 }, 'amount'],
      ['another currency', { merchantOrderId: 'doc-4', amount: '5', currency: 'NGN' }, 'currency'],
    ];
    for (const [name, body, field] of refused) {
      expect(create.safeParse({ ...auth, ...body }).success, name).toBe(false);
      const response = await createInvoice(t, body);
      expect(response.status, name).toBe(400);
      expect(response.body, name).toMatchObject({ success: false, statusCode: 'INVALID_REQUEST', result: null });
      expect(response.body.statusMessage, name).toContain(field);
    }

    // an invoice is named by invoiceNum or merchantOrderId: the schema needs one of them, as the route does
    expect(bodySchema('/kowri/webpos/getInvoiceSummary').anyOf).toEqual([{ required: ['invoiceNum'] }, { required: ['merchantOrderId'] }]);
    const unnamed = await kowriCall(t, 'getInvoiceSummary', {});
    expect(unnamed.status).toBe(400);
    expect(unnamed.body.statusMessage).toContain('invoiceNum');
    const key = z.fromJSONSchema(bodySchema('/kowri/webpos/getInvoiceSummary'));
    expect(key.safeParse({ ...auth, invoiceNum: 'not-a-uuid' }).success).toBe(false);
    expect((await kowriCall(t, 'getInvoiceSummary', { invoiceNum: 'not-a-uuid' })).status).toBe(400);

    const decide = z.fromJSONSchema(bodySchema('/kowri/webpos/sandbox/decidePayment'));
    expect(decide.safeParse({ ...auth, transactionId: 'tx-1', outcome: 'maybe' }).success).toBe(false);
    expect((await kowriCall(t, 'sandbox/decidePayment', { transactionId: 'tx-1', outcome: 'maybe' })).status).toBe(400);
  });

  it('documents the status and envelope of real answers', async () => {
    const op = (name: string) => `/kowri/webpos/${name}`;
    const created = await createInvoice(t, { merchantOrderId: 'doc-answers-1', amount: '5.50' });
    expect(created.status).toBe(200);
    expectDocumented(op('createInvoice'), created);
    expectDocumented(op('listPayOptions'), await kowriCall(t, 'listPayOptions'));
    expectDocumented(op('getInvoice'), await kowriCall(t, 'getInvoice', { invoiceNum: created.body.result.invoiceNum }));
    const missing = await kowriCall(t, 'getInvoiceSummary', { merchantOrderId: 'doc-no-such-order' });
    expect(missing.body).toMatchObject({ success: false, statusCode: 'NOT_FOUND' });
    expectDocumented(op('getInvoiceSummary'), missing);
    const paying = await kowriCall(t, 'processPayment', { invoiceNum: created.body.result.invoiceNum, provider: 'MTN_MONEY', walletRef: '0244123456', transactionId: 'doc-tx-1' });
    expect(paying.body.result.status).toBe('PENDING');
    expectDocumented(op('processPayment'), paying);
    expectDocumented(op('sandbox/decidePayment'), await kowriCall(t, 'sandbox/decidePayment', { transactionId: 'doc-tx-1', outcome: 'approve' }));
    expectDocumented(op('checkPaymentStatus'), await kowriCall(t, 'checkPaymentStatus', { transactionId: 'doc-tx-1' }));
    expectDocumented(op('cancelInvoice'), await kowriCall(t, 'cancelInvoice', { invoiceNum: created.body.result.invoiceNum })); // CLOSED: refused, 200

    const bad = await createInvoice(t, { merchantOrderId: 'doc-answers-2', amount: 'abc' });
    expect(bad.status).toBe(400);
    expectDocumented(op('createInvoice'), bad);
    const notJson = await rawCall(t, 'createInvoice', '{"amount":', { appId: demoSet(t).appId });
    expect(notJson.status).toBe(400);
    expectDocumented(op('createInvoice'), notJson);
    const unauthorized = await kowriCall(t, 'payNow', { amount: '5' }, { ...demoSet(t), secret: 'kws_wrong' });
    expect(unauthorized.status).toBe(401);
    expectDocumented(op('payNow'), unauthorized);
    const form = await rawCall(t, 'createInvoice', 'amount=5', { appId: demoSet(t).appId, 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(415);
    expectDocumented(op('createInvoice'), form);
    const large = await rawCall(t, 'createInvoice', JSON.stringify({ description: 'x'.repeat(300 * 1024) }), { appId: demoSet(t).appId });
    expect(large.status).toBe(413);
    expectDocumented(op('createInvoice'), large);

    // the sandbox is for test-mode apps: a live-mode set's decision is 403
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
    const merchant = await (await fetch(`${t.url}/admin/v1/merchants`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'Live shop' }) })).json() as { id: string };
    const live = (await (await fetch(`${t.url}/admin/v1/merchants/${merchant.id}/credentials/kowri`, { method: 'POST', headers: admin, body: JSON.stringify({ livemode: true }) })).json() as { kowri: KowriSet }).kowri;
    const forbidden = await kowriCall(t, 'sandbox/decidePayment', { transactionId: 'doc-tx-1', outcome: 'approve' }, live);
    expect(forbidden.status).toBe(403);
    expectDocumented(op('sandbox/decidePayment'), forbidden);
  });

  it('leaves the body to the route as it was sent: amounts in cedis, and an unknown field still part of the requestId\'s body', async () => {
    const requestId = randomUUID();
    const first = await createInvoice(t, { requestId, merchantOrderId: 'doc-body-1', amount: '12.50' });
    expect(first.body.result).toMatchObject({ invoiceAmount: '12.5', grandTotal: '12.5' });
    const resolved = (await t.api('POST', '/v1/sandbox/resolve', { body: { ref: first.body.result.invoiceNum } })).body;
    expect((await t.api('GET', `/v1/payment-requests/${resolved.id}`)).body.amount).toBe(1250);
    // the same requestId with one more field is another body: refused, as before the document existed
    const other = await createInvoice(t, { requestId, merchantOrderId: 'doc-body-1', amount: '12.50', colour: 'red' });
    expect(other.status).toBe(200);
    expect(other.body).toMatchObject({ requestId, success: false, statusCode: 'DUPLICATE_REQUEST', result: null });
    expect((await createInvoice(t, { requestId, merchantOrderId: 'doc-body-1', amount: '12.50' })).body).toEqual(first.body);
  });
});
