import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageUnavailable, type Tx } from '../../src/app/ports/persistence.js';
import { purgeIdempotencyKeys } from '../../src/app/use-cases/sweeps.js';
import { ManualClock } from '../../src/system/clock.js';
import { createBody, snapshotCounts, startGateway, type TestGateway } from '../harness.js';

let t: TestGateway;
const clock = new ManualClock(Date.now());
beforeAll(async () => { t = await startGateway({ clock }); });
afterAll(async () => t.close());

const post = (path: string, key: string, body: unknown) => t.api('POST', path, { body, headers: { 'idempotency-key': key } });

describe('Idempotency-Key', () => {
  it('replays the stored status and body with Idempotent-Replayed: true', async () => {
    const body = createBody(t, { allowConcurrent: true });
    const first = await post('/v1/payment-requests', 'create-1', body);
    const before = await snapshotCounts(t);
    const again = await post('/v1/payment-requests', 'create-1', { ...body });
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await snapshotCounts(t)).toEqual(before);
  });

  it('the same key with a different body is 422 idempotency_key_reused', async () => {
    await post('/v1/payment-requests', 'create-2', createBody(t, { allowConcurrent: true }));
    const res = await post('/v1/payment-requests', 'create-2', createBody(t, { allowConcurrent: true, amount: 999 }));
    expect([res.status, res.body.code]).toEqual([422, 'idempotency_key_reused']);
  });

  it('is scoped by credential, method and path', async () => {
    const created = await post('/v1/payment-requests', 'shared-key', createBody(t, { allowConcurrent: true }));
    const other = await t.api('POST', '/v1/payment-requests', { key: t.terminalKey, body: { amount: 1500, currency: 'NZD', allowConcurrent: true }, headers: { 'idempotency-key': 'shared-key' } });
    expect(other.status).toBe(201);
    expect(other.body.id).not.toBe(created.body.id);
    const cancel = await post(`/v1/payment-requests/${created.body.id}/cancel`, 'shared-key', {});
    expect(cancel.status).toBe(200);
    expect(cancel.body.status).toBe('cancelled');
  });

  it('a failed request does not consume the key: the retry runs', async () => {
    const busyTerminal = await t.api('POST', '/v1/terminals', { body: { name: 'idem-till' } });
    const active = await t.api('POST', '/v1/payment-requests', { body: { amount: 100, currency: 'NZD', terminalId: busyTerminal.body.id } });
    const body = { amount: 200, currency: 'NZD', terminalId: busyTerminal.body.id };
    const refused = await post('/v1/payment-requests', 'after-busy', body);
    expect(refused.body.code).toBe('terminal_busy');
    await t.api('POST', `/v1/payment-requests/${active.body.id}/cancel`);
    const retried = await post('/v1/payment-requests', 'after-busy', body);
    expect(retried.status).toBe(201);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
  });

  it('keys are kept for 24 hours, then the same key starts a new request', async () => {
    const body = createBody(t, { allowConcurrent: true });
    const first = await post('/v1/payment-requests', 'retention', body);
    clock.advance(24 * 3600 * 1000 - 1000);
    expect((await post('/v1/payment-requests', 'retention', body)).body.id).toBe(first.body.id);
    clock.advance(1000);
    const fresh = await post('/v1/payment-requests', 'retention', body);
    expect(fresh.status).toBe(201);
    expect(fresh.body.id).not.toBe(first.body.id);
  });

  it('a stored response never holds a secret in clear', async () => {
    const issued = await post(`/v1/terminals/${t.terminalId}/keys`, 'rotate-1', {});
    const replay = await post(`/v1/terminals/${t.terminalId}/keys`, 'rotate-1', {});
    expect(replay.body.terminalKey).toBe(issued.body.terminalKey);
    const stored = await t.query<{ response_body: string }>('select response_body from idempotency_keys');
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.map((r) => r.response_body).join('\n')).not.toContain(issued.body.terminalKey);
  });

  it('refunds replay too, with no second refund', async () => {
    const { body: pr } = await t.api('POST', '/v1/payment-requests', { body: createBody(t, { allowConcurrent: true }) });
    await t.api('POST', `/v1/sandbox/payment-requests/${pr.id}/pay`, { body: { outcome: 'approve' } });
    const a = await post(`/v1/payment-requests/${pr.id}/refunds`, 'refund-key', { amount: 300, reference: 'k1' });
    const b = await post(`/v1/payment-requests/${pr.id}/refunds`, 'refund-key', { amount: 300, reference: 'k1' });
    expect(b.body).toEqual(a.body);
    const refunds = await t.api('GET', `/v1/payment-requests/${pr.id}/refunds`);
    expect(refunds.body.data).toHaveLength(1);
  });

  it('a key whose failed attempt the database could not free answers 503 while it cannot, not 409, and runs the request once it can', async () => {
    // a database that refuses to write a payment request or free a key (a full disk, where a key's
    // small claim still fitted): the attempt fails, and so does the release of its key
    let refusing = true;
    const refused = new Set(['insertPaymentRequest', 'releaseIdempotencyKey']);
    const store = t.gateway.app.db;
    const original = store.transaction.bind(store);
    store.transaction = (work) => original((tx) => work(new Proxy(tx, {
      get(target, name) {
        const value = Reflect.get(target, name) as unknown;
        if (typeof value !== 'function') return value;
        if (refusing && refused.has(String(name))) return async () => { throw new StorageUnavailable(new Error('no space left on device')); };
        return (value as (...args: unknown[]) => unknown).bind(target);
      },
    }) as Tx));
    try {
      const body = createBody(t, { allowConcurrent: true });
      expect((await post('/v1/payment-requests', 'disk-full', body)).status).toBe(503);
      const retry = await post('/v1/payment-requests', 'disk-full', body);
      expect([retry.status, retry.body.code]).toEqual([503, 'service_unavailable']);
      expect(retry.headers.get('retry-after')).toMatch(/^\d+$/);
      // the database writes again: the retry frees the key itself and runs the request, at once
      refusing = false;
      const created = await post('/v1/payment-requests', 'disk-full', body);
      expect(created.status).toBe(201);
      expect((await post('/v1/payment-requests', 'disk-full', body)).body.id).toBe(created.body.id);
    } finally {
      store.transaction = original;
    }
  });

  // last in this file: it moves the clock past every key's retention
  it('the hourly purge deletes every expired key, a chunk per transaction, and a purged key is free again', async () => {
    await post('/v1/payment-requests', 'purge-1', createBody(t, { allowConcurrent: true }));
    await post('/v1/payment-requests', 'purge-2', createBody(t, { allowConcurrent: true }));
    const keys = async () => Number((await t.query<{ n: number | string }>('select count(*) as n from idempotency_keys'))[0]!.n);
    const stored = await keys();
    expect(stored).toBeGreaterThanOrEqual(5); // this file's earlier keys too
    let transactions = 0;
    const store = t.gateway.app.db;
    const original = store.transaction.bind(store);
    store.transaction = (work) => (transactions++, original(work));
    try {
      clock.advance(t.gateway.app.config.idempotencyRetentionMs + 1);
      expect(await purgeIdempotencyKeys(t.gateway.app, 2)).toBe(stored);
    } finally {
      store.transaction = original;
    }
    expect(transactions).toBe(Math.floor(stored / 2) + 1);
    expect(await keys()).toBe(0);
    expect((await post('/v1/payment-requests', 'purge-1', createBody(t, { allowConcurrent: true }))).headers.get('idempotent-replayed')).toBeNull();
  });
});
