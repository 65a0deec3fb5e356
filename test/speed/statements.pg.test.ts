// The work per request on PostgreSQL, pinned: the statements, durable COMMITs and round trips of
// one native create, sandbox pay, refund, read and list, counted by the bench's own counter
// (bench/sql-counter.ts), so that a round trip added to the hot path fails here. The numbers live
// in expected-statements.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countOperations, type OperationCounts } from '../../bench/operations.js';
import { installSqlCounter } from '../../bench/sql-counter.js';
import { startGateway, type TestGateway } from '../harness.js';
import { EXPECTED_POSTGRES } from './expected-statements.js';

describe('statements and round trips per operation (PostgreSQL)', () => {
  let gw: TestGateway;
  let counts: OperationCounts;

  beforeAll(async () => {
    installSqlCounter(); // before the gateway's pool connects: a connection takes its query as it is then
    gw = await startGateway();
    counts = await countOperations({ baseUrl: gw.url, secretKey: gw.secretKey, terminalId: gw.terminalId });
  });
  afterAll(() => gw?.close());

  it.each(Object.keys(EXPECTED_POSTGRES) as Array<keyof typeof EXPECTED_POSTGRES>)('%s', (operation) => {
    expect(counts[operation], `${operation}: statements / commits / round trips; update test/speed/expected-statements.ts if the change is meant`)
      .toEqual(EXPECTED_POSTGRES[operation]);
  });
});
