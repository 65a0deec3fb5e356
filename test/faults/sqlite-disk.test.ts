// Fault scenario 4 (issue 16): SQLite's disk fills up under a load of creates, payments, captures,
// refunds and cancels. The data dir is a small tmpfs the test mounts (as root; without root the
// scenario is skipped, saying why), filled to the last byte by a file of the test's own. While it
// is full every write answers 503 service_unavailable with Retry-After (never a 500), nothing is
// acknowledged that was not written, and once the file is removed service resumes without a
// restart. Afterwards the invariants of ./invariants.ts hold.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, TEST_DRIVER, type TestGateway } from '../harness.js';
import { checkInvariants, verifyExitCode } from './invariants.js';
import { startLoad, until } from './load.js';

const asRoot = process.getuid?.() === 0;
if (!asRoot) console.warn('*** test/faults/sqlite-disk.test.ts SKIPPED: mounting a small tmpfs needs root.');

/** How long the disk stays full while the load goes on. */
const FULL_MS = 2000;

/** Writes zeros until the file system has no byte left; returns the bytes written. */
function fillDisk(file: string): number {
  const fd = openSync(file, 'w');
  const block = Buffer.alloc(64 * 1024);
  let written = 0;
  try {
    for (;;) {
      try {
        written += writeSync(fd, block);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
        // the last, partial block: byte by byte is too slow, halve until nothing fits
        for (let size = block.length / 2; size >= 1; size = Math.floor(size / 2)) {
          try {
            written += writeSync(fd, block, 0, size);
          } catch {
            /* does not fit: smaller */
          }
        }
        return written;
      }
    }
  } finally {
    closeSync(fd);
  }
}

describe.skipIf(!asRoot || TEST_DRIVER !== 'sqlite')('SQLite: the disk full under load', () => {
  let mount: string;
  let t: TestGateway;

  beforeAll(async () => {
    mount = mkdtempSync(join(tmpdir(), 'posgate-disk-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mount]);
    t = await startGateway({ env: { DATA_DIR: mount, LOG_LEVEL: 'error' } });
  });

  afterAll(async () => {
    await t?.close().catch(() => undefined);
    if (mount) {
      execFileSync('umount', ['-l', mount]);
      rmSync(mount, { recursive: true, force: true });
    }
  });

  it('answers 503 with Retry-After while the disk is full, acknowledges nothing it did not write, and serves again once space returns', async () => {
    const load = startLoad({ urls: () => [t.url], secretKey: t.secretKey, terminalId: t.terminalId }, { workers: 3 });
    const filler = join(mount, 'filler');
    let recovered = 0;
    try {
      await until(() => load.acknowledged() >= 20, 20_000, '20 operations acknowledged before the disk fills');
      const served503s = load.report.outcomes.get('503 service_unavailable') ?? 0;
      fillDisk(filler);
      const full = Date.now();
      await until(() => (load.report.outcomes.get('503 service_unavailable') ?? 0) > served503s + 5, 10_000, 'the load meets 503s on the full disk');
      await until(() => Date.now() - full >= FULL_MS, FULL_MS + 1000, 'the disk stays full');
      // direct: a create answers a clear 503, in the problem format, with Retry-After
      const refused = await t.api('POST', '/v1/payment-requests', { body: { amount: 1500, currency: 'NZD', terminalId: t.terminalId, allowConcurrent: true }, headers: { 'idempotency-key': 'disk-full-1' } });
      expect(refused.status, JSON.stringify(refused.body)).toBe(503);
      expect(refused.body.code).toBe('service_unavailable');
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);

      rmSync(filler);
      const atReturn = load.acknowledged();
      recovered = await until(() => load.acknowledged() >= atReturn + 10, 10_000, '10 operations acknowledged once space returns');
    } finally {
      rmSync(filler, { force: true });
      await load.stop();
    }
    const report = load.report;
    console.info(`SQLite disk full: recovered in ${recovered} ms; ${report.flows} flows, outcomes ${JSON.stringify(Object.fromEntries(report.outcomes))}`);
    expect(report.violations).toEqual([]);
    // read beside the gateway's own connection (a read-only one cannot open a WAL database whose
    // shared memory it may not write)
    const db = new SqliteDatabase(join(mount, 'posgate.sqlite'));
    try {
      expect(await checkInvariants(async (sql) => db.prepare(sql).all() as any[], report)).toEqual([]);
    } finally {
      db.close();
    }
    expect(t.logs()).not.toMatch(/"level":50.*request failed|"statusCode":500/);
    const verified = await verifyExitCode({ DATA_DIR: mount, LOG_LEVEL: 'silent', PATH: process.env.PATH ?? '' });
    expect(verified.code, verified.output).toBe(0);
  }, 60_000);
});
