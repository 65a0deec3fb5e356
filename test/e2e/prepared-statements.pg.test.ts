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
  const created = await t.api('POST', '/v1/payment-requests', { body: createBody(t, { allowConcurrent: true, reference: `prep-${n}` }) });
  const id = created.body.id as string;
  const answers = [created.status];
  for (let i = 0; i < 2; i++) answers.push((await t.api('GET', `/v1/payment-requests/${id}`)).status);
  answers.push((await t.api('POST', `/v1/sandbox/payment-requests/${id}/pay`, { body: { outcome: 'approve' } })).status);
  answers.push((await t.api('GET', '/v1/payment-requests?limit=5')).status);
  answers.push((await t.api('POST', `/v1/payment-requests/${id}/refunds`, { body: { amount: 100, reference: `prep-r-${n}` } })).status);
  return answers;
}

it('tables changed by a migration under prepared statements: every request still answers as before', async () => {
  const expected = [201, 200, 200, 200, 200, 201];
  // several at once, so that several connections of the pool have prepared the same texts
  expect(await Promise.all([1, 2, 3, 4].map(lifecycle))).toEqual(Array(4).fill(expected));
  for (const table of ['payment_requests', 'refunds', 'events', 'api_keys', 'merchants', 'channel_commands'])
    await t.query(`alter table ${table} add column added_by_a_newer_release integer`);
  expect(await Promise.all([5, 6, 7, 8].map(lifecycle))).toEqual(Array(4).fill(expected));
  expect(await Promise.all([9, 10].map(lifecycle))).toEqual(Array(2).fill(expected));
});
