// The sweep that expires a manual refund locks its payment request before the refund, as every
// writer of a refund does (a capture or cancel locks the request, then reads and writes the refund):
// in the other order, a sweep and a refund action at the same moment deadlocked on PostgreSQL, each
// holding the row the other wanted, until the server's deadlock check (1 s) undid one of them. Seen
// in money-races.test.ts (manual refunds: rounds taking 1–2 s, retried as conflicts); shown here
// without a race: the test holds the request's row, lets the sweep run into it, and asks whether the
// sweep already holds the refund's row while it waits.
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createBody, startGateway, type TestGateway } from '../harness.js';
import { PG_URL } from '../postgres.js';

const PR = '/v1/payment-requests';
let t: TestGateway;
let holder: pg.Client;
let prober: pg.Client;
beforeAll(async () => {
  t = await startGateway();
  const [{ schema }] = await t.query<{ schema: string }>('select current_schema() as schema') as [{ schema: string }];
  [holder, prober] = [new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` }), new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` })];
  await Promise.all([holder.connect(), prober.connect()]);
});
afterAll(async () => {
  await Promise.all([holder?.end(), prober?.end()]);
  await t?.close();
});

it('a refund expiring waits for its request before it touches the refund', async () => {
  const created = await t.api('POST', PR, { body: createBody(t, { allowConcurrent: true, amount: 10000, expiresInSeconds: 3600 }) });
  expect((await t.api('POST', `/v1/sandbox/payment-requests/${created.body.id}/pay`, { body: { outcome: 'approve' } })).body.status).toBe('succeeded');
  const made = await t.api('POST', `${PR}/${created.body.id}/refunds`, { body: { amount: 4000, reference: 'manual-1', captureMode: 'manual' } });
  expect(made.body.status).toBe('requires_capture');

  await holder.query('begin');
  await holder.query('select id from payment_requests where id = $1 for update', [created.body.id]);
  const holderPid = (await holder.query('select pg_backend_pid() as pid')).rows[0].pid as number;
  const advanced = t.api('POST', '/v1/sandbox/clock/advance', { body: { seconds: 25 * 3600 } }); // the sweep expires the refund
  // until the sweep waits for the request's row the test holds
  for (let waited = 0; ; waited += 20) {
    const { rows } = await prober.query('select count(*)::int as n from pg_stat_activity where $1 = any(pg_blocking_pids(pid))', [holderPid]);
    if (rows[0].n > 0) break;
    if (waited > 10_000) throw new Error('the sweep never waited for the request');
    await new Promise((done) => setTimeout(done, 20));
  }
  await prober.query('begin');
  const refundRow = await prober.query('select id from refunds where id = $1 for update skip locked', [made.body.id]);
  await prober.query('rollback');
  await holder.query('rollback');
  expect({ refundFreeWhileTheSweepWaits: refundRow.rowCount }).toStrictEqual({ refundFreeWhileTheSweepWaits: 1 });
  expect((await advanced).status).toBe(200);
  expect((await t.api('GET', `/v1/refunds/${made.body.id}`)).body.status).toBe('expired');
});
