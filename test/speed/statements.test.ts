// The work per request, pinned: the SQL statements and durable COMMITs of one native create, sandbox
// pay and refund (and read, list) on SQLite, counted exactly by the bench's own counter
// (bench/sql-counter.ts, bench/operations.ts), so a statement added to the hot path fails here
// instead of creeping in unnoticed. A change that removes statements updates EXPECTED, in the
// one place these numbers live (expected-statements.ts; bench/README.md quotes them; `npx tsx
// bench/statements.ts` prints them). statements.pg.test.ts pins PostgreSQL's round trips.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countOperations, type OperationCounts } from '../../bench/operations.js';
import { createOneRequest } from '../../bench/scenarios.js';
import { countSql, installSqlCounter, recordSql } from '../../bench/sql-counter.js';
import { startGateway, type TestGateway } from '../harness.js';
import { EXPECTED } from './expected-statements.js';


describe('statements per operation (SQLite)', () => {
  let gw: TestGateway;
  let counts: OperationCounts;

  beforeAll(async () => {
    installSqlCounter();
    gw = await startGateway();
    counts = await countOperations({ baseUrl: gw.url, secretKey: gw.secretKey, terminalId: gw.terminalId });
  });
  afterAll(() => gw?.close());

  it.each(Object.keys(EXPECTED) as Array<keyof typeof EXPECTED>)('%s', (operation) => {
    expect(counts[operation], `${operation}: statements / commits; update EXPECTED at the top of this file if the change is meant`).toEqual({ ...EXPECTED[operation], roundTrips: 0 });
  });

  it('a pay\'s update of the request leaves out the indexed columns it does not change (their index entries stay as they are)', async () => {
    const id = await createOneRequest({ baseUrl: gw.url, secretKey: gw.secretKey, terminalId: gw.terminalId });
    const { value: status, statements } = await recordSql(async () => (await fetch(`${gw.url}/v1/sandbox/payment-requests/${id}/pay`, {
      method: 'POST', headers: { authorization: `Bearer ${gw.secretKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ outcome: 'approve' }),
    })).status);
    expect(status).toBe(200);
    // the request's own write (the holds of its channel command set channel_command_id alone)
    const updates = statements.filter((text) => /^update "payment_requests" set "(?!channel_command_id")/.test(text));
    expect(updates).toHaveLength(1);
    const columns = [...updates[0]!.split(' where ')[0]!.matchAll(/"(\w+)" = \?/g)].map((match) => match[1]).sort();
    expect(columns).toEqual(expect.arrayContaining(['amount_captured', 'amount_received', 'status', 'updated_at', 'version']));
    for (const unchanged of ['merchant_id', 'livemode', 'terminal_id', 'short_code', 'reference', 'expires_at', 'external_ref', 'allow_concurrent']) expect(columns).not.toContain(unchanged);
  });

  it('read of a request still open (the one the bench reads): the same as of a paid one', async () => {
    const id = await createOneRequest({ baseUrl: gw.url, secretKey: gw.secretKey, terminalId: gw.terminalId });
    const { value: status, count } = await countSql(async () => (await fetch(`${gw.url}/v1/payment-requests/${id}`, { headers: { authorization: `Bearer ${gw.secretKey}` } })).status);
    expect(status).toBe(200);
    expect(count).toEqual({ ...EXPECTED.read, roundTrips: 0 });
  });
});
