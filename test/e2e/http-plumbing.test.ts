// Per-request plumbing shared by every surface: Idempotency-Key on every POST, its scope, and
// errors met before routing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, createBody, startGateway, type TestGateway } from '../harness.js';

let t: TestGateway;
beforeAll(async () => { t = await startGateway(); });
afterAll(async () => t.close());

const withKey = (key: string) => ({ 'idempotency-key': key });

describe('Idempotency-Key scope', () => {
  it('is the route with its decoded parameters: two spellings of one URL are one scope, one effect', async () => {
    const created = await t.api('POST', '/v1/payment-requests', { body: createBody(t, { amount: 1500, partialAllowed: true, allowConcurrent: true }) });
    expect(created.status).toBe(201);
    const id: string = created.body.id;
    const pay = { outcome: 'approve', amount: 400 };
    const first = await t.api('POST', `/v1/sandbox/payment-requests/${id}/pay`, { body: pay, headers: withKey('pay-once') });
    const encoded = id.replace('_', '%5F');
    expect(encoded).not.toBe(id);
    const again = await t.api('POST', `/v1/sandbox/payment-requests/${encoded}/pay`, { body: pay, headers: withKey('pay-once') });
    expect([first.status, first.body.amountReceived]).toEqual([200, 400]);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.amountReceived).toBe(400);
    expect((await t.api('GET', `/v1/payment-requests/${id}`)).body.amountReceived).toBe(400);
  });
});

describe('POSTs whose use case runs its own transactions accept Idempotency-Key', () => {
  it('advancing the test clock twice with one key moves it once', async () => {
    const before = (await t.api('GET', '/v1/sandbox/clock')).body.offsetSeconds as number;
    const first = await t.api('POST', '/v1/sandbox/clock/advance', { body: { seconds: 60 }, headers: withKey('advance-once') });
    const again = await t.api('POST', '/v1/sandbox/clock/advance', { body: { seconds: 60 }, headers: withKey('advance-once') });
    expect([first.status, first.body.offsetSeconds]).toEqual([200, before + 60]);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect((await t.api('GET', '/v1/sandbox/clock')).body.offsetSeconds).toBe(before + 60);
  });

  it('the same key with another body is 422 idempotency_key_reused', async () => {
    await t.api('POST', '/v1/sandbox/clock/advance', { body: { seconds: 1 }, headers: withKey('advance-reused') });
    const other = await t.api('POST', '/v1/sandbox/clock/advance', { body: { seconds: 2 }, headers: withKey('advance-reused') });
    expect([other.status, other.body.code]).toEqual([422, 'idempotency_key_reused']);
  });

  it('resolve replays its answer', async () => {
    const created = await t.api('POST', '/v1/payment-requests', { body: createBody(t, { allowConcurrent: true, reference: 'resolve-me' }) });
    const first = await t.api('POST', '/v1/sandbox/resolve', { body: { ref: 'resolve-me' }, headers: withKey('resolve-1') });
    const again = await t.api('POST', '/v1/sandbox/resolve', { body: { ref: 'resolve-me' }, headers: withKey('resolve-1') });
    expect([first.status, first.body]).toEqual([200, { id: created.body.id }]);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
  });

  it('a failed attempt releases the key: the retry runs again, and its success is what replays', async () => {
    const miss = await t.api('POST', '/v1/sandbox/resolve', { body: { ref: 'late-ref' }, headers: withKey('resolve-late') });
    expect([miss.status, miss.body.code]).toEqual([404, 'not_found']);
    const created = await t.api('POST', '/v1/payment-requests', { body: createBody(t, { allowConcurrent: true, reference: 'late-ref' }) });
    const hit = await t.api('POST', '/v1/sandbox/resolve', { body: { ref: 'late-ref' }, headers: withKey('resolve-late') });
    expect([hit.status, hit.body, hit.headers.get('idempotent-replayed')]).toEqual([200, { id: created.body.id }, null]);
    const replay = await t.api('POST', '/v1/sandbox/resolve', { body: { ref: 'late-ref' }, headers: withKey('resolve-late') });
    expect([replay.status, replay.body, replay.headers.get('idempotent-replayed')]).toEqual([200, { id: created.body.id }, 'true']);
  });

  it('issuing a credential set twice with one key issues it once', async () => {
    const path = `/admin/v1/merchants/${t.gateway.demo.merchantId}/credentials/native`;
    const first = await t.api('POST', path, { key: ADMIN_TOKEN, body: {}, headers: withKey('issue-once') });
    const again = await t.api('POST', path, { key: ADMIN_TOKEN, body: {}, headers: withKey('issue-once') });
    expect(first.status).toBe(201);
    expect(first.body.native.secretKey).toMatch(/^sk_test_/);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
  });
});

describe('errors met before routing', () => {
  it('a malformed percent-encoding is problem+json 400 parameter_invalid with a Request-Id', async () => {
    const res = await t.api('GET', '/v1/payment-requests/%E0%A4%A');
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 400, code: 'parameter_invalid', title: 'Bad Request' });
    expect(res.body.requestId).toMatch(/^req_/);
    expect(res.headers.get('request-id')).toBe(res.body.requestId);
  });

  it('a path parameter beyond the router limit is problem+json 400 parameter_invalid with a Request-Id', async () => {
    const res = await t.api('GET', `/v1/payment-requests/pr_${'a'.repeat(1200)}`);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body.code).toBe('parameter_invalid');
    expect(res.headers.get('request-id')).toBe(res.body.requestId);
  });
});
