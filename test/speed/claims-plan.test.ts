// The background claims (due webhook deliveries, requests and refunds to expire, authorizations
// whose window closes) read their status's index only up to the latest time anything can be due,
// not every row of the status.
// Without that bound a claim read every pending delivery, however far off its next attempt: one
// dead endpoint's retries, due in minutes or hours, made each claim cost more the longer it lived
// (a fifth of the server's thread after 12 s of it, in-process). Asserted on SQLite's plan for the
// statements the store really sends (recorded by the bench's own counter), which is the same on
// every run; PostgreSQL gets the same bound, and uses it as its statistics suggest.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { installSqlCounter, recordSql } from '../../bench/sql-counter.js';
import type { Persistence, Tx } from '../../src/app/ports/persistence.js';
import { openSqliteStore } from '../../src/storage/drivers/sqlite.js';

let dir: string;
let file: string;
let store: Persistence;
const lease = { owner: 'plan-test', until: 2_000_000_000_000 };

beforeAll(async () => {
  installSqlCounter();
  dir = mkdtempSync(join(tmpdir(), 'posgate-claims-plan-'));
  file = join(dir, 'posgate.sqlite');
  store = openSqliteStore(file);
  await store.migrate();
});
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** SQLite's plan of the claim `claim` sends (the one statement that reads `table`), one line per step. */
async function planOf(claim: (tx: Tx) => Promise<unknown>, table: string): Promise<string[]> {
  const { statements } = await recordSql(() => store.transaction(claim));
  const text = statements.find((s) => s.includes(`from "${table}" as`));
  expect(text, `no statement of the claim reads ${table}: ${statements.join(' ; ')}`).toBeDefined();
  const reader = new SqliteDatabase(file, { readonly: true });
  try {
    const placeholders = (text!.match(/\?/g) ?? []).length;
    const rows = reader.prepare(`explain query plan ${text!}`).all(Array<null>(placeholders).fill(null)) as Array<{ detail: string }>;
    return rows.map((row) => row.detail);
  } finally {
    reader.close();
  }
}

it('a claim of due webhook deliveries reads its index up to the latest due time', async () => {
  const plan = await planOf((tx) => tx.claimDueDeliveries(1_767_225_600_000, 64, lease), 'deliveries');
  expect(plan).toContain('SEARCH d USING INDEX deliveries_due (status=? AND next_attempt_at<?)');
});

it('so does a claim of requests to expire, for the statuses that expire', async () => {
  const plan = await planOf((tx) => tx.claimDuePaymentRequests(1_767_225_600_000, 64, lease), 'payment_requests');
  expect(plan.some((step) => /USING INDEX payment_requests_due \(status=\? AND expires_at<\?\)/.test(step)), plan.join('\n')).toBe(true);
});

it('and, for requests whose authorization window closes, only the authorized ones due (a partial index of them)', async () => {
  const plan = await planOf((tx) => tx.claimDuePaymentRequests(1_767_225_600_000, 64, lease), 'payment_requests');
  expect(plan.some((step) => /USING INDEX payment_requests_authorization_due \(status=\? AND authorization_expires_at<\?\)/.test(step)), plan.join('\n')).toBe(true);
});

it('and a claim of refunds whose capture window has closed', async () => {
  const plan = await planOf((tx) => tx.claimDueRefunds(1_767_225_600_000, 64, lease), 'refunds');
  expect(plan.some((step) => /USING INDEX refunds_due \(status=\? AND expires_at<\?\)/.test(step)), plan.join('\n')).toBe(true);
});
