import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/core/errors.js';
import { ADMIN_TOKEN, createBody, startGateway, TEST_DRIVER, type TestGateway } from '../harness.js';

let t: TestGateway;
beforeAll(async () => { t = await startGateway(); });
afterAll(async () => t.close());

describe('operations', () => {
  it('health and readiness', async () => {
    expect((await t.api('GET', '/healthz', { key: null })).body).toEqual({ status: 'ok' });
    expect((await t.api('GET', '/readyz', { key: null })).body).toEqual({ status: 'ready', storage: TEST_DRIVER });
  });

  it('every response carries a Request-Id', async () => {
    const ok = await t.api('GET', '/healthz', { key: null });
    const err = await t.api('GET', '/v1/payment-requests', { key: null });
    expect(ok.headers.get('request-id')).toMatch(/^req_/);
    expect(err.headers.get('request-id')).toBe(err.body.requestId);
    expect(err.headers.get('content-type')).toContain('application/problem+json');
  });

  it('metrics count requests by route and status, and final statuses', async () => {
    const { body: pr } = await t.api('POST', '/v1/payment-requests', { body: createBody(t, { allowConcurrent: true }) });
    await t.api('POST', `/v1/sandbox/payment-requests/${pr.id}/pay`, { body: { outcome: 'approve' } });
    const metrics = await t.api('GET', '/metrics', { key: null });
    expect(metrics.body).toMatch(/posgate_http_requests_total\{route="\/v1\/payment-requests",method="POST",status="201"\} \d+/);
    expect(metrics.body).toMatch(/posgate_http_request_duration_seconds_bucket\{le="0.005",route="\/v1\/payment-requests"/);
    expect(metrics.body).toMatch(/posgate_payment_requests_final_total\{status="succeeded",livemode="false"\} 1/);
  });

  it('serves an OpenAPI 3 document generated from the schemas, listing the error codes', async () => {
    const doc = (await t.api('GET', '/openapi.json', { key: null })).body;
    expect(doc.openapi).toMatch(/^3\./);
    const create = doc.paths['/v1/payment-requests'].post;
    expect(create.requestBody.content['application/json'].schema.properties).toHaveProperty('amount');
    expect(create.requestBody.content['application/json'].schema.additionalProperties).toBe(false);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/payment-requests/{id}/refunds', '/v1/sandbox/clock/advance', '/admin/v1/merchants']));
    expect(doc.components.schemas.Problem.properties.code.enum).toEqual([...ERROR_CODES]);
    const docs = await fetch(`${t.url}/docs/`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger');
  });

  it('secrets never reach the log', async () => {
    await t.api('GET', '/v1/payment-requests', { key: t.secretKey });
    await t.api('GET', '/v1/payment-requests', { key: 'sk_test_not_a_real_key_but_secret' });
    const created = await t.api('POST', `/admin/v1/merchants/${t.gateway.demo.merchantId}/keys`, { key: ADMIN_TOKEN, body: { mode: 'test' } });
    const logs = t.logs();
    expect(logs).toContain('/v1/payment-requests');
    for (const secret of [t.secretKey, 'sk_test_not_a_real_key_but_secret', ADMIN_TOKEN, created.body.secretKey, t.gateway.demo.native.webhookSecret]) {
      expect(logs).not.toContain(secret);
    }
  });
});

describe('admin API', () => {
  const admin = (method: string, path: string, body?: unknown) => t.api(method, path, { key: ADMIN_TOKEN, body });

  it('builds a merchant, store, terminal and keys that work, and revokes them', async () => {
    const merchant = await admin('POST', '/admin/v1/merchants', { name: 'Kai Café' });
    expect(merchant.body).toMatchObject({ object: 'merchant', name: 'Kai Café', stores: [{ object: 'store', name: 'Main store' }] });
    const store = await admin('POST', `/admin/v1/merchants/${merchant.body.id}/stores`, { name: 'Ponsonby' });
    const terminal = await admin('POST', `/admin/v1/stores/${store.body.id}/terminals`, { name: 'T-01' });
    expect(terminal.body).toMatchObject({ object: 'terminal', name: 'T-01', merchantId: merchant.body.id, storeId: store.body.id });
    const sk = await admin('POST', `/admin/v1/merchants/${merchant.body.id}/keys`, { mode: 'test' });
    const tk = await admin('POST', `/admin/v1/terminals/${terminal.body.id}/keys`, { mode: 'test' });
    expect(tk.body.terminalKey).toMatch(/^tk_test_[0-9A-Za-z]{43,}$/);
    const pr = await t.api('POST', '/v1/payment-requests', { key: tk.body.terminalKey, body: { amount: 450, currency: 'NZD' } });
    expect(pr.body.terminalId).toBe(terminal.body.id);
    const read = await admin('GET', `/admin/v1/merchants/${merchant.body.id}`);
    expect(read.body.terminals.map((x: { id: string }) => x.id)).toEqual([terminal.body.id]);
    expect((await admin('DELETE', `/admin/v1/keys/${sk.body.id}`)).body.revokedAt).not.toBeNull();
    const revoked = await t.api('GET', '/v1/payment-requests', { key: sk.body.secretKey });
    expect([revoked.status, revoked.body.code]).toEqual([401, 'invalid_api_key']);
    const list = await admin('GET', '/admin/v1/merchants?limit=100');
    expect(list.body.data.map((m: { id: string }) => m.id)).toContain(merchant.body.id);
  });

  it('issues a native credential set in the credentials --json shape', async () => {
    const res = await admin('POST', `/admin/v1/merchants/${t.gateway.demo.merchantId}/credentials/native`, {});
    expect(res.status).toBe(201);
    expect(Object.keys(res.body)).toEqual(['baseUrl', 'native']);
    expect(res.body.native).toMatchObject({ terminalId: t.terminalId, webhookSecret: t.gateway.demo.native.webhookSecret });
    expect((await t.api('GET', '/v1/terminals', { key: res.body.native.terminalKey })).body.data.map((x: { id: string }) => x.id)).toEqual([t.terminalId]);
    expect((await admin('POST', `/admin/v1/merchants/${t.gateway.demo.merchantId}/credentials/no-such-dialect`, {})).status).toBe(404); // a dialect posgate does not serve
  });

  it('terminal keys rotate: the old one works until revoked', async () => {
    const fresh = await t.api('POST', `/v1/terminals/${t.terminalId}/keys`, { key: t.terminalKey });
    expect(fresh.status).toBe(201);
    expect((await t.api('GET', '/v1/terminals', { key: fresh.body.terminalKey })).status).toBe(200);
    expect((await t.api('GET', '/v1/terminals', { key: t.terminalKey })).status).toBe(200);
    const revoked = await t.api('DELETE', `/v1/terminals/${t.terminalId}/keys/${fresh.body.id}`, { key: t.terminalKey });
    expect(revoked.body.revokedAt).not.toBeNull();
    expect((await t.api('GET', '/v1/terminals', { key: fresh.body.terminalKey })).status).toBe(401);
  });

  it('refuses without a token or with a wrong one', async () => {
    expect((await t.api('GET', '/admin/v1/merchants', { key: null })).body.code).toBe('missing_api_key');
    expect((await t.api('GET', '/admin/v1/merchants', { key: 'wrong' })).body.code).toBe('invalid_api_key');
    expect((await t.api('GET', '/admin/v1/merchants', { key: t.secretKey })).status).toBe(401);
  });
});

describe('terminal names', () => {
  it('a second terminal with the same name in one merchant is 409 terminal_name_taken', async () => {
    expect((await t.api('POST', '/v1/terminals', { body: { name: 'till-dup' } })).status).toBe(201);
    const dup = await t.api('POST', '/v1/terminals', { body: { name: 'till-dup' } });
    expect([dup.status, dup.body.code, dup.body.param]).toEqual([409, 'terminal_name_taken', 'name']);
  });

  // a name is the merchant's own terminal id, which the providers' APIs send and trim (MobilePay's
  // terminalId): " " and "till-9 " were made (201) by the native and admin APIs, a terminal no such
  // call could ever name; the dashboard already refused a blank one
  it('a blank name, or one with spaces at its start or end, is 400 naming name, and makes no terminal', async () => {
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const store = (await t.api('GET', `/admin/v1/merchants/${t.gateway.demo.merchantId}`, { key: null, headers: admin })).body.stores[0].id;
    const count = async () => Number((await t.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM terminals'))[0]!.n);
    const before = await count();
    for (const name of [' ', '\t', 'till-9 ', ' till-9', '\u00a0till-9']) {
      for (const [path, key, headers] of [['/v1/terminals', undefined, undefined], [`/admin/v1/stores/${store}/terminals`, null, admin]] as const) {
        const refused = await t.api('POST', path, { key, headers, body: { name } });
        expect([refused.status, refused.body.code, refused.body.param], `${path} ${JSON.stringify(name)}: ${JSON.stringify(refused.body)}`).toEqual([400, 'parameter_invalid', 'name']);
      }
    }
    expect(await count()).toBe(before);
    expect((await t.api('POST', '/v1/terminals', { body: { name: 'till 9' } })).status).toBe(201);
  });

  it('a blank merchant or store name is 400 naming name, and makes nothing', async () => {
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const count = async (table: string) => Number((await t.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${table}`))[0]!.n);
    const before = [await count('merchants'), await count('stores')];
    for (const name of [' ', '\t\n']) {
      for (const path of ['/admin/v1/merchants', `/admin/v1/merchants/${t.gateway.demo.merchantId}/stores`]) {
        const refused = await t.api('POST', path, { key: null, headers: admin, body: { name } });
        expect([refused.status, refused.body.code, refused.body.param], `${path} ${JSON.stringify(name)}`).toEqual([400, 'parameter_invalid', 'name']);
      }
    }
    expect([await count('merchants'), await count('stores')]).toEqual(before);
  });
});
