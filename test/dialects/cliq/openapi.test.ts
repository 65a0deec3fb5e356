// CLIQ's own OpenAPI document (/cliq/openapi.json), as a running gateway serves it: every CLIQ route
// in it with its operationId, its bodies in both media types the calls take, its answers in CLIQ's
// format; and what each documented body requires is what the call really refuses to go without.
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { cliq } from '../../../src/dialects/cliq/index.js';
import { startGateway, type TestGateway } from '../../harness.js';
import { cliqCall, createPayment, demoSet, md5, type CliqResponse } from './client.js';

let t: TestGateway;
let doc: any;
beforeAll(async () => {
  t = await startGateway();
  const served = await t.api('GET', '/cliq/openapi.json', { key: null });
  expect(served.status).toBe(200);
  doc = served.body;
});
afterAll(async () => t?.close());

const OPERATIONS: Record<string, string> = {
  '/cliq/api/validate': 'validateCredentials',
  '/cliq/api/payment-pos/post': 'createPosPayment',
  '/cliq/api/payment-pos/getupdate': 'getPosPaymentUpdate',
  '/cliq/api/payment/get': 'getPayment',
  '/cliq/api/payment/refund': 'requestRefund',
  '/cliq/api/sandbox/pay': 'sandboxPay',
  '/cliq/api/sandbox/confirm': 'sandboxConfirm',
  '/cliq/api/sandbox/refund': 'sandboxRefundOutcome',
};
const REFUSALS = ['400', '401', '403', '404', '409', '413', '415', '500', '503'];

const operation = (path: string) => doc.paths[path].post;
/** POSTs to a documented path (client.ts's paths are under /cliq). */
const call = (path: string, fields: Record<string, unknown>, options?: { form?: boolean }) => cliqCall(t, path.slice('/cliq'.length), fields, options);
const bodySchema = (path: string, type = 'application/json') => operation(path).requestBody.content[type].schema;

/** The route's refusal is documented under its status, in CLIQ's refusal format. */
function expectDocumentedRefusal(path: string, response: CliqResponse, field: string) {
  expect(response.status, `${path} without ${field}`).toBeGreaterThanOrEqual(400);
  expect(response.body, `${path} without ${field}`).toMatchObject({ status: 'nok', validated: false });
  const documented = operation(path).responses[String(response.status)]?.content['application/json'].schema;
  expect(documented?.properties.status.enum, `${path} ${response.status}`).toEqual(['nok']);
}

describe('the CLIQ OpenAPI document', () => {
  it('holds every route under /cliq, each with its operationId, and no other', () => {
    // the routes the gateway really has under the prefix, from its router
    const mounted = t.gateway.server.printRoutes({ commonPrefix: false }).split('\n')
      .flatMap((line) => [...line.matchAll(/── (\/?cliq\/\S+) \(([A-Z, ]+)\)/g)].map((m) => [`/${m[1]!.replace(/^\//, '')}`, m[2]!] as const))
      .filter(([path]) => path !== '/cliq/openapi.json');
    expect(mounted.map(([path]) => path).sort()).toEqual(Object.keys(OPERATIONS).sort());
    for (const [, methods] of mounted) expect(methods).toBe('POST');
    expect(Object.keys(doc.paths).sort()).toEqual(Object.keys(OPERATIONS).sort());
    for (const [path, id] of Object.entries(OPERATIONS)) {
      expect(Object.keys(doc.paths[path]), path).toEqual(['post']);
      expect(operation(path).operationId).toBe(id);
      expect(operation(path).summary, path).toBeTruthy();
    }
    expect(doc.servers).toEqual([{ url: t.url, description: 'This gateway' }]);
  });

  it('documents each body as a form and as JSON, strict, with key and hash, and every answer in CLIQ\'s format', () => {
    for (const path of Object.keys(OPERATIONS)) {
      const op = operation(path);
      expect(op.requestBody.required, path).toBe(true);
      expect(Object.keys(op.requestBody.content).sort(), path).toEqual(['application/json', 'application/x-www-form-urlencoded']);
      expect(bodySchema(path, 'application/x-www-form-urlencoded'), path).toEqual(bodySchema(path));
      const schema = bodySchema(path);
      for (const branch of schema.anyOf ?? [schema]) {
        expect(branch.required, path).toEqual(expect.arrayContaining(['key', 'hash']));
        expect(branch.properties.hash.pattern, path).toBe('^[0-9a-fA-F]{32}$');
        expect(branch.properties.hash.description, path).toMatch(/api_secret/);
        // unknown fields are refused (the create's personal_* fields aside: named by propertyNames)
        if (branch.propertyNames) expect(branch.propertyNames.anyOf[1].pattern).toBe('^personal_[a-z0-9_]{1,40}$');
        else expect(branch.additionalProperties, path).toBe(false);
      }
      expect(Object.keys(op.responses).sort(), path).toEqual(['200', ...REFUSALS].sort());
      expect(op.responses['200'].content['application/json'].schema.properties.status.enum, path).toEqual(['ok']);
      for (const status of REFUSALS) {
        const refusal = op.responses[status].content['application/json'].schema;
        expect(refusal.required, `${path} ${status}`).toEqual(['status', 'message', 'error', 'validated']);
      }
    }
    // no HTTP auth: the key and hash are fields of each body
    expect(doc.security).toEqual([]);
    expect(doc.info.description).toMatch(/`key`.*`hash`/);
  });

  it('requires of a create exactly what the call requires', async () => {
    const path = '/cliq/api/payment-pos/post';
    const schema = bodySchema(path);
    const { key, apiSecret } = demoSet(t);
    const minimal: Record<string, string> = { asset: 'USD', requested_asset: 'BTC', amount: '3.00', description: 'Order', reference: 'doc-create', key };
    const signed = (body: Record<string, string>): Record<string, string> => ({ ...body, hash: md5(body.key ?? '', body.asset ?? '', body.amount ?? '', apiSecret) });
    expect(Object.keys(signed(minimal)).sort()).toEqual([...schema.required].sort());
    // what the document requires is enough, as a form and as JSON
    for (const form of [false, true]) {
      const made = await call(path, signed(minimal), { form });
      expect(made.status, JSON.stringify(made.body)).toBe(200);
      expect(made.body.status).toBe('ok');
    }
    // and each of it is needed: without it the call refuses, naming it
    for (const field of schema.required as string[]) {
      const { [field]: _dropped, ...rest } = signed(minimal);
      const body = field === 'hash' ? rest : signed(Object.fromEntries(Object.entries(rest).filter(([name]) => name !== 'hash')) as Record<string, string>);
      const refused = await call(path, body);
      expectDocumentedRefusal(path, refused, field);
      expect(refused.body.error, field).toContain(field);
    }
    // a documented optional field is taken, an undocumented one refused
    expect(Object.keys(schema.properties)).toContain('postback_url');
    expect((await createPayment(t, { amount: '3.00', reference: 'doc-create-2', personal_name: 'Ann' })).status).toBe(200);
    const unknown = await createPayment(t, { amount: '3.00', reference: 'doc-create-3', colour: 'red' });
    expectDocumentedRefusal(path, unknown, 'colour');
    expect(schema.propertyNames.anyOf[0].enum).not.toContain('colour');
  });

  it('requires exactly one of reference and payment_code where the calls do', async () => {
    const { key, apiSecret } = demoSet(t);
    const made = await createPayment(t, { amount: '4.00', reference: 'doc-one' });
    const code = made.body.payment_code as string;
    for (const path of ['/cliq/api/payment-pos/getupdate', '/cliq/api/payment/get']) {
      const branches = bodySchema(path).anyOf;
      expect(branches.map((b: any) => [...b.required].sort())).toEqual([['hash', 'key', 'reference'], ['hash', 'key', 'payment_code']]);
      expect(branches[0].properties.payment_code).toBeUndefined();
      expect(branches[1].properties.reference).toBeUndefined();
      expect((await call(path, { reference: 'doc-one', key, hash: md5(key, 'doc-one', '4.00', apiSecret) })).status).toBe(200);
      expect((await call(path, { payment_code: code, key, hash: md5(key, code, '4.00', apiSecret) }, { form: true })).status).toBe(200);
      const neither = await call(path, { key, hash: md5(key, '', '4.00', apiSecret) });
      expectDocumentedRefusal(path, neither, 'reference');
      expect(neither.body.error).toBe('Payment Reference or Payment Code is required');
      const both = await call(path, { reference: 'doc-one', payment_code: code, key, hash: md5(key, 'doc-one', '4.00', apiSecret) });
      expectDocumentedRefusal(path, both, 'payment_code');
      expect(both.status).toBe(400);
      const unsigned = await call(path, { reference: 'doc-one', key });
      expectDocumentedRefusal(path, unsigned, 'hash');
      expect(unsigned.status).toBe(401);
    }
  });

  it('requires of a refund and a sandbox payment exactly what the calls require', async () => {
    const { key, apiSecret } = demoSet(t);
    const made = await createPayment(t, { amount: '5.00', reference: 'doc-refund' });
    const code = made.body.payment_code as string;
    const cases: Array<{ path: string; minimal: Record<string, string>; hash: (b: Record<string, string>) => string }> = [
      { path: '/cliq/api/sandbox/pay', minimal: { payment_code: code, amount: '500', key }, hash: (b) => md5(key, b.payment_code ?? '', b.amount ?? '', apiSecret) },
      { path: '/cliq/api/payment/refund', minimal: { payment_code: code, refund_type: 'partial', amount: '1.00', key }, hash: (b) => md5(key, 'USD', b.amount ?? '', apiSecret) },
    ];
    for (const { path, minimal, hash } of cases) {
      const required = [...bodySchema(path).required].sort();
      expect(required, path).toEqual([...Object.keys(minimal), 'hash'].sort());
      for (const field of required) {
        const { [field]: _dropped, ...rest } = minimal;
        const refused = await call(path, field === 'hash' ? rest : { ...rest, hash: hash(rest) });
        expectDocumentedRefusal(path, refused, field);
        expect(refused.body.error, `${path} ${field}`).toContain(field);
      }
      const done = await call(path, { ...minimal, hash: hash(minimal) });
      expect(done.status, JSON.stringify(done.body)).toBe(200);
    }
    expect(bodySchema('/cliq/api/payment/refund').properties.refund_type.enum).toEqual(['full', 'partial', 'underpaid', 'overpaid']);
  });

  it('hands the call a body that passes its schema as it was sent (Fastify replaces the body with what the schema parsed)', async () => {
    // the schemas the routes are mounted with, as the server is given them
    const bare = Fastify();
    bare.setValidatorCompiler(validatorCompiler);
    bare.setSerializerCompiler(serializerCompiler);
    const schemas = new Map<string, z.ZodType>();
    bare.addHook('onRoute', (route) => {
      if (route.schema?.body) schemas.set(route.url, route.schema.body as z.ZodType);
    });
    await cliq.mount(bare, { app: t.gateway.app } as never);
    await bare.close();
    expect([...schemas.keys()].sort()).toEqual(Object.keys(OPERATIONS).sort());
    const auth = { key: 'tk_test_x', hash: 'A'.repeat(32) };
    const samples: Record<string, Array<Record<string, unknown>>> = {
      '/cliq/api/validate': [auth],
      '/cliq/api/payment-pos/post': [
        { personal_name: 'Ann', ...auth, asset: 'USD', requested_asset: 'BTC', amount: '12.50', description: 'Order', reference: 'o-1', personal_email: 'a@example.org' },
        { cart_items: [{ name: 'tea', qty: 2, price: { amount: '1.00' } }], asset: 'JPY', requested_asset: 'BTC', amount: '100', description: 'd', reference: 'o-2', postback_url: 'https://example.org/p', pos_price_update_postback_url: 'http://example.org/u', ...auth },
        { asset: 'EUR', requested_asset: 'BTC', amount: '1', description: 'd', reference: 'o-3', cart_items: 'tea,green,2,1.00', ...auth },
      ],
      '/cliq/api/payment-pos/getupdate': [{ reference: 'o-1', ...auth }, { ...auth, payment_code: 'abc' }],
      '/cliq/api/payment/get': [{ payment_code: 'abc', ...auth }],
      '/cliq/api/payment/refund': [{ payment_code: 'abc', refund_type: 'partial', amount: '1.00', ...auth }, { remarks: 'r', email: 'a@example.org', mobile: '+1', ...auth, refund_type: 'full', amount: '2', payment_code: 'abc' }],
      '/cliq/api/sandbox/pay': [{ payment_code: 'abc', amount: '150', ...auth }, { txid: 'tx-1', confirmed: 'false', payment_code: 'abc', amount: '1', ...auth }],
      '/cliq/api/sandbox/confirm': [{ payment_code: 'abc', txid: 'tx-1', ...auth }],
      '/cliq/api/sandbox/refund': [{ refund_id: 'rf_1', outcome: 'completed', ...auth }],
    };
    for (const [path, bodies] of Object.entries(samples)) {
      for (const body of bodies) {
        const parsed = schemas.get(path)!.safeParse(body);
        expect(parsed.success, `${path} ${JSON.stringify(body)}`).toBe(true);
        // the same fields with the same values: only the key order may differ, which no call reads
        expect(parsed.data, path).toStrictEqual(body);
        expect(Object.keys(parsed.data as object).sort(), path).toEqual(Object.keys(body).sort());
      }
    }
    // what a call refuses fails its schema too, so Fastify leaves that body as it came
    expect(schemas.get('/cliq/api/payment-pos/post')!.safeParse({ ...samples['/cliq/api/payment-pos/post']![0], colour: 'red' }).success).toBe(false);
    expect(schemas.get('/cliq/api/payment-pos/getupdate')!.safeParse({ reference: 'o-1', payment_code: 'abc', ...auth }).success).toBe(false);
  });
});
