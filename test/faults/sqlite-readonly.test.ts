// Fault scenario 4, second half (issue 16): the file system under a running SQLite gateway turns
// read-only. The data dir is an ext4 image on a loop device the test mounts with errors=remount-ro
// (as root; without root, loop devices or ext4's trigger_fs_error the scenario is skipped, saying
// why); writing to /sys/fs/ext4/<dev>/trigger_fs_error makes the kernel remount it read-only under
// the open database, as it does on a real disk error. Every write then answers 503 with
// Retry-After (never a 500), and nothing is acknowledged that was not written: once the file system
// is checked and mounted again, every acknowledged operation is there and the invariants hold.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, TEST_DRIVER, type TestGateway } from '../harness.js';
import { checkInvariants, verifyExitCode } from './invariants.js';
import { startLoad, until } from './load.js';

function whyNot(): string | null {
  if (process.getuid?.() !== 0) return 'mounting a loop device needs root';
  if (!existsSync('/dev/loop-control')) return 'no loop devices here';
  for (const tool of ['losetup', 'mkfs.ext4', 'e2fsck']) {
    try {
      execFileSync('which', [tool], { stdio: 'ignore' });
    } catch {
      return `no ${tool}`;
    }
  }
  return null;
}
const skipped = TEST_DRIVER === 'sqlite' ? whyNot() : 'SQLite only';
if (skipped && TEST_DRIVER === 'sqlite') console.warn(`*** test/faults/sqlite-readonly.test.ts SKIPPED: ${skipped}.`);

describe.skipIf(skipped !== null)('SQLite: the file system turns read-only under load', () => {
  let dir: string;
  let image: string;
  let mount: string;
  let device = '';
  let t: TestGateway | undefined;

  const mountImage = () => execFileSync('mount', ['-o', 'errors=remount-ro', device, mount]);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'posgate-readonly-'));
    image = join(dir, 'disk.img');
    mount = join(dir, 'data');
    mkdirSync(mount);
    execFileSync('truncate', ['-s', '64M', image]);
    execFileSync('mkfs.ext4', ['-q', image]);
    device = execFileSync('losetup', ['-f', '--show', image], { encoding: 'utf8' }).trim();
    mountImage();
    t = await startGateway({ env: { DATA_DIR: mount, LOG_LEVEL: 'error' } });
  });

  afterAll(async () => {
    await t?.close().catch(() => undefined);
    if (device) {
      try {
        execFileSync('umount', ['-l', mount]);
      } catch {
        /* not mounted */
      }
      execFileSync('losetup', ['-d', device]);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 with Retry-After once the disk is read-only, and acknowledges nothing it did not write', async () => {
    const gateway = t!;
    const load = startLoad({ urls: () => [gateway.url], secretKey: gateway.secretKey, terminalId: gateway.terminalId }, { workers: 3 });
    try {
      await until(() => load.acknowledged() >= 20, 20_000, '20 operations acknowledged before the disk turns read-only');
      const served503s = load.report.outcomes.get('503 service_unavailable') ?? 0;
      writeFileSync(`/sys/fs/ext4/${basename(device)}/trigger_fs_error`, 'posgate fault test: read-only\n');
      // a read may first wait out SQLite's busy timeout (5 s) on the file system gone read-only
      await until(() => (load.report.outcomes.get('503 service_unavailable') ?? 0) > served503s, 30_000, 'the load meets a 503 on the read-only disk');
      const refused = await gateway.api('POST', '/v1/payment-requests', { body: { amount: 1500, currency: 'NZD', terminalId: gateway.terminalId, allowConcurrent: true }, headers: { 'idempotency-key': 'read-only-1' } });
      expect(refused.status, JSON.stringify(refused.body)).toBe(503);
      expect(refused.body.code).toBe('service_unavailable');
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    } finally {
      // the disk does not come back: what is still being retried is given up
      await load.abandon();
    }
    const report = load.report;
    console.info(`SQLite read-only: ${report.flows} flows, outcomes ${JSON.stringify(Object.fromEntries(report.outcomes))}`);
    expect(report.violations, report.violations.join('\n')).toEqual([]);
    expect(gateway.logs()).not.toMatch(/"statusCode":500/);
    await gateway.close();
    t = undefined;

    // what the kernel kept: the file system checked and mounted again, the database as it was left
    execFileSync('umount', [mount]);
    const check = spawnSync('e2fsck', ['-fy', device], { stdio: 'ignore' });
    expect(check.status, 'e2fsck: 0 clean, 1 errors corrected').toBeLessThanOrEqual(1);
    mountImage();
    const db = new SqliteDatabase(join(mount, 'posgate.sqlite'));
    try {
      expect(await checkInvariants(async (sql) => db.prepare(sql).all() as any[], report)).toEqual([]);
    } finally {
      db.close();
    }
    const verified = await verifyExitCode({ DATA_DIR: mount, LOG_LEVEL: 'silent', PATH: process.env.PATH ?? '' });
    expect(verified.code, verified.output).toBe(0);
  }, 90_000);
});
