// posgate prepares its statements on PostgreSQL (src/storage/drivers/prepared-statements.ts). A
// newer release's migration may add a column while this process runs: PostgreSQL then refuses a
// prepared `select *` of that table ("cached plan must not change result type"). Nothing the API
// answers may change: reads run again unnamed, units of work run again and prepare afresh.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createBody, startGateway, type TestGateway } from '../harness.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startGateway();
});
afterAll(async () => t?.close());

/** Create, read twice, pay, read, refund: every statement of the path, on the pool's connections. */
async function lifecycle(n: number): Promise<number[]> {
  // under Idempotency-Keys: their claims run in transactions of their own, outside the unit of work
  const created = await t.api('POST', '/v1/payment-requests', { body: createBody(t, { allowConcurrent: true, reference: `prep-${n}` }), headers: { 'idempotency-key': `prep-create-${n}` } });
  const id = created.body.id as string;
  const answers = [created.status];
  for (let i = 0; i < 2; i++) answers.push((await t.api('GET', `/v1/payment-requests/${id}`)).status);
  answers.push((await t.api('POST', `/v1/sandbox/payment-requests/${id}/pay`, { body: { outcome: 'approve' } })).status);
  answers.push((await t.api('GET', '/v1/payment-requests?limit=5')).status);
  answers.push((await t.api('POST', `/v1/payment-requests/${id}/refunds`, { body: { amount: 100, reference: `prep-r-${n}` }, headers: { 'idempotency-key': `prep-refund-${n}` } })).status);
  return answers;
}

it('tables changed by a migration under prepared statements: every request still answers as before', async () => {
  const expected = [201, 200, 200, 200, 200, 201];
  // rounds of several at once: the pool's connections prepare a text on its second use
  const rounds = async (first: number) => {
    for (let round = 0; round < 3; round++) {
      const ns = [0, 1, 2, 3].map((i) => first + round * 4 + i);
      expect(await Promise.all(ns.map(lifecycle))).toEqual(Array(4).fill(expected));
    }
  };
  await rounds(0);
  for (const table of ['payment_requests', 'refunds', 'events', 'api_keys', 'merchants', 'channel_commands', 'idempotency_keys', 'terminals', 'webhook_endpoints'])
    await t.query(`alter table ${table} add column added_by_a_newer_release integer`);
  await rounds(100);
});
