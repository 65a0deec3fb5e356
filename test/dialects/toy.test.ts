// The dialect contract, through a dialect defined only in the tests (./toy/toy-dialect.ts): mounted
// with the registry's own, it gets its settings from the environment, its routes, a credential set
// from the admin API and the demo merchant, its secret parameter redacted from the logs and its
// webhook format for endpoints, all without a line of src/ naming it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../src/dialects/registry.js';
import { ADMIN_TOKEN, startGateway, type TestGateway } from '../harness.js';
import { startReceiver } from '../support/receiver.js';
import { toy } from './toy/toy-dialect.js';

describe('a dialect added through the contract alone', () => {
  let t: TestGateway;
  let token: string;

  beforeAll(async () => {
    t = await startGateway({ dialects: [...DIALECTS, toy], env: { TOY_CURRENCY: 'AUD' } });
    token = (t.gateway.demo.toy as { toyToken: string }).toyToken;
  });
  afterAll(async () => t?.close());

  const toyCall = (method: string, path: string, body?: unknown, key = token) =>
    fetch(`${t.url}/toy${path}?toyToken=${encodeURIComponent(key)}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });

  it('serves its routes with its own settings, on the one engine', async () => {
    const created = await toyCall('POST', '/sales', { cents: 1234 });
    expect(created.status).toBe(201);
    const sale = ((await created.json()) as any).toy;
    expect(sale).toMatchObject({ cents: 1234, state: 'created' });
    // the native API sees the same request, in the currency the toy's variable chose
    expect((await t.api('GET', `/v1/payment-requests/${sale.sale}`)).body).toMatchObject({ amount: 1234, currency: 'AUD' });
    expect(((await (await toyCall("GET", `/sales/${sale.sale}`)).json()) as any).toy.state).toBe('created');
    // its error envelope is its own
    expect(await (await toyCall('GET', '/sales/pr_nope', undefined, 'sk_test_wrong')).json()).toEqual({ toyError: 'invalid_api_key' });
  });

  it('keeps its secret parameter out of the logs', async () => {
    await toyCall('GET', '/sales/pr_nope');
    expect(t.logs()).toContain('toyToken=[redacted]');
    expect(t.logs()).not.toContain(token);
  });

  it('has its credential set made for the demo merchant, revoked and made anew by the admin API, with its own options', async () => {
    expect(t.gateway.demo.toy).toMatchObject({ toyToken: expect.stringMatching(/^tk_test_/) });
    const admin = { key: ADMIN_TOKEN };
    // one set per merchant: a second is refused until the first is revoked
    expect((await t.api('POST', `/admin/v1/merchants/${t.gateway.demo.merchantId}/credentials/toy`, { ...admin, body: {} })).body).toMatchObject({ code: 'already_exists' });
    const other = (await t.api('POST', '/admin/v1/merchants', { ...admin, body: { name: 'Other' } })).body.id as string;
    const path = `/admin/v1/merchants/${other}/credentials/toy`;
    const first = (await t.api('POST', path, { ...admin, body: {} })).body.toy.toyToken as string;
    expect((await toyCall('POST', '/sales', { cents: 500 }, first)).status).toBe(201);
    expect(await t.api('DELETE', path, admin)).toMatchObject({ status: 200, body: { merchantId: other, dialect: 'toy', revoked: true } });
    // the set's terminal key stops at once, in the dialect's own answer
    const gone = await toyCall('POST', '/sales', { cents: 500 }, first);
    expect(gone.status).toBe(418);
    expect(await gone.json()).toEqual({ toyError: 'invalid_api_key' });
    expect((await t.api('DELETE', path, admin)).status).toBe(404);
    expect((await t.api('DELETE', `/admin/v1/merchants/${other}/credentials/no-such-dialect`, admin)).status).toBe(404);
    const refused = await t.api('POST', `/admin/v1/merchants/${t.gateway.demo.merchantId}/credentials/toy`, { ...admin, body: { issueToken: false } });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: 'unknown_field', param: 'issueToken' });
    // the other dialects' options are theirs alone
    const native = await t.api('POST', `/admin/v1/merchants/${t.gateway.demo.merchantId}/credentials/native`, { ...admin, body: { note: 'hi' } });
    expect(native.body).toMatchObject({ code: 'unknown_field', param: 'note' });
  });

  it('sends its webhook format to an endpoint that asks for it', async () => {
    const receiver = await startReceiver();
    try {
      const { url } = receiver;
      expect((await t.api('POST', '/v1/webhook-endpoints', { body: { url, format: 'no-such-format' } })).status).toBe(400);
      const endpoint = await t.api('POST', '/v1/webhook-endpoints', { body: { url, format: 'toy', eventTypes: ['payment_request.created'] } });
      expect(endpoint.status).toBe(201);
      const sale = ((await (await toyCall("POST", "/sales", { cents: 777 })).json()) as any).toy;
      await t.gateway.tick();
      expect(receiver.received.map((r) => ({ body: r.body, toy: r.headers['x-toy'] }))).toContainEqual({ body: JSON.stringify({ toyEvent: 'payment_request.created', sale: sale.sale }), toy: 'yes' });
    } finally {
      await receiver.close();
    }
  });

  it('refuses to start with a bad value of its variable, naming it', async () => {
    await expect(startGateway({ dialects: [...DIALECTS, toy], env: { TOY_CURRENCY: 'dollars' } })).rejects.toThrow(/TOY_CURRENCY/);
  });
});
