// `posgate verify`, run for real as a child process (as cli.test.ts runs the CLI) on the database
// of a gateway that served real payments, on the driver of the vitest project: 0 when every total
// agrees, 1 with the request named once a total is corrupted behind the gateway's back.
// Run by verify.test.ts (SQLite) and verify.pg.test.ts (PostgreSQL).
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBody, startGateway, TEST_DRIVER, type TestGateway } from '../harness.js';
import { PG_URL } from '../postgres.js';
import { baseEnv, spawnPosgate, type Run } from './spawn-cli.js';


export function runVerifyCliSuite(): void {
  let t: TestGateway;
  let schema: string | null = null;

  /** `posgate verify …` on the gateway's database (DATA_DIR, and the PostgreSQL schema when that is the driver). */
  function verify(...args: string[]): Promise<Run> {
    return spawnPosgate(['verify', ...args], { ...baseEnv(t.dataDir), ...(schema ? { DATABASE_URL: PG_URL, DATABASE_SCHEMA: schema } : {}) });
  }

  /** A write behind the gateway's back. */
  async function corrupt(statement: string): Promise<void> {
    if (!schema) {
      const db = new SqliteDatabase(join(t.dataDir, 'posgate.sqlite'));
      try {
        db.exec(statement);
      } finally {
        db.close();
      }
      return;
    }
    const client = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  }

  async function ok<T = any>(promise: Promise<{ status: number; body: T }>): Promise<T> {
    const res = await promise;
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
    return res.body;
  }

  let refunded: string;
  let captured: string;

  beforeAll(async () => {
    t = await startGateway();
    if (TEST_DRIVER === 'postgres') schema = (await t.query<{ s: string }>('select current_schema() as s'))[0]?.s ?? null;
    // paid, then refunded in part twice
    const a = await ok(t.api('POST', '/v1/payment-requests', { body: createBody(t, { amount: 5000, allowConcurrent: true }) }));
    await ok(t.api('POST', `/v1/sandbox/payment-requests/${a.id}/pay`, { body: { outcome: 'approve' } }));
    await ok(t.api('POST', `/v1/payment-requests/${a.id}/refunds`, { body: { amount: 1000, reference: 'r-1' } }));
    await ok(t.api('POST', `/v1/payment-requests/${a.id}/refunds`, { body: { amount: 500, reference: 'r-2' } }));
    refunded = a.id;
    // authorized, captured in part
    const b = await ok(t.api('POST', '/v1/payment-requests', { body: createBody(t, { amount: 8000, captureMode: 'manual', allowConcurrent: true }) }));
    await ok(t.api('POST', `/v1/sandbox/payment-requests/${b.id}/pay`, { body: { outcome: 'approve' } }));
    await ok(t.api('POST', `/v1/payment-requests/${b.id}/capture`, { body: { amount: 6000 } }));
    captured = b.id;
    // cancelled unpaid
    const c = await ok(t.api('POST', '/v1/payment-requests', { body: createBody(t, { amount: 700, allowConcurrent: true }) }));
    await ok(t.api('POST', `/v1/payment-requests/${c.id}/cancel`, { body: {} }));
  }, 60_000);

  afterAll(async () => t?.close());

  describe('posgate verify', () => {
    it('exits 0 when every total agrees with its refunds and events', async () => {
      const run = await verify();
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout.startsWith(`Verified 3 payment requests (${TEST_DRIVER}): every total agrees`), run.stdout).toBe(true);
    });

    it('exits 1 and names the request whose total was corrupted; --json gives the report', async () => {
      await corrupt(`update payment_requests set amount_refunded = 1400 where id = '${refunded}'`);
      await corrupt(`update payment_requests set amount_captured = 5000 where id = '${captured}'`);
      const run = await verify();
      expect(run.code).toBe(1);
      const lines = run.stdout.trim().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines.find((line) => line.includes(refunded))).toMatch(/^MISMATCH pr_\S+ \(mer_\S+, test\): amountRefunded is 1400, but refunds that succeeded say 1500$/);
      expect(lines.find((line) => line.includes(captured))).toMatch(/amountCaptured is 5000, but event \S+ \(payment_request\.succeeded\) say 6000$/);
      // one line, naming the database checked (as the line of a clean run does)
      expect(run.stderr).toMatch(/^posgate: 2 mismatch\(es\) in 2 of 3 payment requests\. Database: (sqlite, data dir|postgres, database) [^\n]+\.\n$/);

      const json = await verify('--json');
      expect(json.code).toBe(1);
      const report = JSON.parse(json.stdout) as { checked: number; mismatches: { paymentRequestId: string; total: string }[] };
      expect(report.checked).toBe(3);
      expect(report.mismatches.map((m) => [m.paymentRequestId, m.total]).sort()).toStrictEqual([[captured, 'amountCaptured'], [refunded, 'amountRefunded']].sort());
    });
  });
}
