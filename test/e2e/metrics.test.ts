// /metrics carries what an operator pages on: the webhook backlog (due, oldest age), delivery
// latency, requests per API (native and each dialect of the registry), money moved per currency and
// stage, database pool use (PostgreSQL) and transaction retries. Runs on both drivers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConcurrentUpdate } from '../../src/app/ports/persistence.js';
import { inTransaction } from '../../src/app/unit-of-work.js';
import { DIALECTS } from '../../src/dialects/registry.js';
import { createBody, startGateway, TEST_DRIVER, type TestGateway } from '../harness.js';
import { startReceiver, type Receiver } from '../support/receiver.js';

let t: TestGateway;
let receiver: Receiver;
beforeAll(async () => {
  t = await startGateway();
  receiver = await startReceiver(() => ({ status: 204 }));
});
afterAll(async () => {
  await receiver.close();
  await t.close();
});

/** The value of one sample line (name with its labels, exactly as exposed); 0 when absent. */
async function scrape(): Promise<(sample: string) => number | undefined> {
  const text = (await t.api('GET', '/metrics', { key: null })).body as string;
  return (sample) => {
    const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
    return line === undefined ? undefined : Number(line.slice(sample.length + 1));
  };
}

describe('/metrics', () => {
  it('counts requests per API surface, one series for every dialect in the registry', async () => {
    await t.api('GET', '/v1/payment-requests');
    await t.api('GET', '/v1/payment-requests', { key: 'sk_test_wrong' });
    const value = await scrape();
    expect(value('posgate_api_requests_total{api="native",class="2xx"}')).toBeGreaterThanOrEqual(1);
    expect(value('posgate_api_requests_total{api="native",class="4xx"}')).toBeGreaterThanOrEqual(1);
    for (const dialect of DIALECTS) expect(value(`posgate_api_requests_total{api="${dialect.name}",class="2xx"}`), dialect.name).toBeDefined();
    // a call under each provider's prefix is counted under that dialect, not the native API or "other"
    for (const dialect of DIALECTS.filter((d) => d.prefix !== '')) {
      const sample = `posgate_api_requests_total{api="${dialect.name}",class="4xx"}`;
      const before = (await scrape())(sample) ?? 0;
      const status = (await fetch(`${t.url}${dialect.prefix}/no-such-route-here`)).status; // 404, or 401 where the dialect checks its key first
      expect(status >= 400 && status < 500, `${dialect.name}: ${status}`).toBe(true);
      expect((await scrape())(sample), dialect.name).toBe(before + 1);
    }
  });

  it('money moved per currency and stage: authorized, captured, refunded', async () => {
    const before = await scrape();
    const captured0 = before('posgate_money_minor_units_total{currency="NZD",status="captured",livemode="false"}') ?? 0;
    const refunded0 = before('posgate_money_minor_units_total{currency="NZD",status="refunded",livemode="false"}') ?? 0;
    const { body: pr } = await t.api('POST', '/v1/payment-requests', { body: createBody(t, { amount: 1234, allowConcurrent: true }) });
    expect((await t.api('POST', `/v1/sandbox/payment-requests/${pr.id}/pay`, { body: { outcome: 'approve', method: 'card' } })).status).toBe(200);
    expect((await t.api('POST', `/v1/payment-requests/${pr.id}/refunds`, { body: { amount: 234, reference: 'metrics-refund' } })).status).toBeLessThan(300);
    await t.gateway.tick();
    const after = await scrape();
    expect(after('posgate_money_minor_units_total{currency="NZD",status="captured",livemode="false"}')).toBe(captured0 + 1234);
    expect(after('posgate_money_minor_units_total{currency="NZD",status="refunded",livemode="false"}')).toBe(refunded0 + 234);
  });

  it('the webhook backlog (due, oldest age) and delivery latency', async () => {
    receiver.answer = () => ({ status: 204 });
    const endpoint = await t.api('POST', '/v1/webhook-endpoints', { body: { url: receiver.url, eventTypes: ['payment_request.cancelled'] } });
    expect(endpoint.status).toBe(201);
    const { body: pr } = await t.api('POST', '/v1/payment-requests', { body: createBody(t, { allowConcurrent: true }) });
    await t.api('POST', `/v1/payment-requests/${pr.id}/cancel`);
    // no background loop in tests: the delivery waits, due
    const waiting = await scrape();
    expect(waiting('posgate_webhook_backlog_due')).toBeGreaterThanOrEqual(1);
    expect(waiting('posgate_webhook_backlog_oldest_age_seconds')).toBeGreaterThanOrEqual(0);
    expect(waiting('posgate_webhook_backlog_waiting')).toBeDefined();
    const delivered0 = waiting('posgate_webhook_delivery_latency_seconds_count') ?? 0;
    await t.gateway.tick();
    await receiver.waitFor(1);
    const done = await scrape();
    expect(done('posgate_webhook_backlog_due')).toBe(0);
    expect(done('posgate_webhook_backlog_oldest_age_seconds')).toBe(0);
    expect(done('posgate_webhook_delivery_latency_seconds_count')).toBeGreaterThan(delivered0);
    expect(done('posgate_webhook_attempt_duration_seconds_count{outcome="delivered"}')).toBeGreaterThanOrEqual(1);
    await t.api('DELETE', `/v1/webhook-endpoints/${endpoint.body.id}`);
  });

  it('transaction retries: a unit of work that lost a race is counted', async () => {
    const before = (await scrape())('posgate_transaction_retries_total{reason="conflict"}');
    expect(before).toBeDefined();
    let tries = 0;
    await inTransaction(t.gateway.app, async () => {
      if (++tries === 1) throw new ConcurrentUpdate('metrics test');
      return null;
    });
    expect(tries).toBe(2);
    expect((await scrape())('posgate_transaction_retries_total{reason="conflict"}')).toBe((before ?? 0) + 1);
  });

  it.runIf(TEST_DRIVER === 'postgres')('database pool use (PostgreSQL)', async () => {
    const value = await scrape();
    expect(value('posgate_db_pool_max{pool="requests"}')).toBe(t.gateway.config.databasePoolSize);
    expect(value('posgate_db_pool_connections{pool="requests"}')).toBeGreaterThanOrEqual(1);
    expect(value('posgate_db_pool_in_use{pool="requests"}')).toBeGreaterThanOrEqual(0);
    expect(value('posgate_db_pool_waiting{pool="requests"}')).toBeGreaterThanOrEqual(0);
    expect(value('posgate_db_pool_in_use{pool="requests"}')).toBeLessThanOrEqual(value('posgate_db_pool_connections{pool="requests"}') ?? 0);
    // background work (webhook delivery) has a pool of its own, reported beside it once used
    await t.gateway.tick();
    expect((await scrape())('posgate_db_pool_max{pool="background"}')).toBeGreaterThanOrEqual(1);
  });
});
