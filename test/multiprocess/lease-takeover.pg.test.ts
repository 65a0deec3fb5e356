// Background work and a process that dies holding a lease (issue 3, "Background work … SIGKILL").
// A worker process of our own (doomed-worker.ts) claims the due expiries exactly as the sweep does,
// then is killed with SIGKILL before doing them. While its lease runs, the posgate processes' sweeps
// leave those requests alone; once it has run out, a sweep in another process takes them over and
// expires each exactly once.
//
// The requests become due by moving the merchant's test clock in the database, not through
// POST /v1/sandbox/clock/advance (which sweeps at once), and the posgate processes run with a
// one-hour background interval, so nothing sweeps before the doomed worker has claimed. While the
// lease is live the test reads the requests only through SQL: a GET of an overdue request expires
// it as of now (by design), which would hide whether the sweep respected the lease.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, spawnTsx, startCluster, stopChild, watchOutput, type ApiResponse, type Cluster } from './cluster.js';

const PR = '/v1/payment-requests';
const LEASE_MS = 4000;
const TAKEOVER_DEADLINE_MS = 15_000;

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

describe('a process killed while holding a lease', () => {
  let cluster: Cluster;
  let workerDir: string | undefined;
  let stopWorker: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    cluster = await startCluster({ processes: 2, env: { BACKGROUND_INTERVAL_MS: '3600000' } });
  });

  afterAll(async () => {
    await stopWorker?.();
    if (workerDir) rmSync(workerDir, { recursive: true, force: true });
    await cluster?.stop();
  });

  async function statuses(ids: string[]) {
    const rows = await cluster.query<{ id: string; status: string; lease_owner: string | null; lease_until: string | null }>(
      'select id, status, lease_owner, lease_until from payment_requests where id = any($1) order by id', [ids]);
    return rows.map((r) => ({ id: r.id, status: r.status, leaseOwner: r.lease_owner, leaseUntil: r.lease_until === null ? null : Number(r.lease_until) }));
  }

  it('has its claimed expiries taken over by another process after the lease, each expired once', async () => {
    const { terminalId, merchantId } = cluster.credentials;
    const create = async (expiresInSeconds: number) => {
      const res = await cluster.api(0, 'POST', PR, { body: { amount: 2500, currency: 'NZD', terminalId, allowConcurrent: true, expiresInSeconds } });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.status).toBe('created');
      return res.body.id as string;
    };
    const doomed = [await create(10), await create(10), await create(10)];
    const control = await create(3600);
    const ids = [...doomed, control].sort();

    // due without a sweep: the merchant's test clock moves 60 s ahead in the database alone
    await cluster.query('update merchants set test_clock_offset_ms = test_clock_offset_ms + 60000 where id = $1', [merchantId]);
    expect((await statuses(ids)).map((r) => r.status)).toEqual(['created', 'created', 'created', 'created']);

    // the doomed worker claims them, as the sweep does, and reports what it holds
    workerDir = mkdtempSync(join(tmpdir(), 'posgate-doomed-'));
    const worker = spawnTsx('test/multiprocess/doomed-worker.ts', childEnv({ ...cluster.env, DATA_DIR: workerDir, LEASE_MS: String(LEASE_MS), LEASE_OWNER: 'doomed' }));
    const output = watchOutput(worker, 'doomed worker');
    stopWorker = () => stopChild(worker, output.exited);
    const line = await output.waitFor(/^\{"claimed".*\}$/m);
    const claim = JSON.parse(line[0]) as { claimed: string[]; owner: string; until: number };
    expect([...claim.claimed].sort(), 'the worker claimed exactly the overdue requests').toEqual([...doomed].sort());

    worker.kill('SIGKILL');
    expect(await output.exited).toBe('SIGKILL');

    const held = await statuses(doomed);
    expect(held.map((r) => [r.status, r.leaseOwner, r.leaseUntil]), 'the dead worker still holds the lease').toEqual(doomed.map(() => ['created', 'doomed', claim.until]));

    // while the lease is live, another process's sweep leaves them alone
    const early = await cluster.api(1, 'POST', '/v1/sandbox/clock/advance', { body: { seconds: 1 } });
    const answeredAt = Date.now();
    expect(early.status, JSON.stringify(early.body)).toBe(200);
    expect(answeredAt, 'the first sweep ran inside the lease (the machine was not too slow for this test)').toBeLessThan(claim.until);
    expect(early.body.expired, 'the sweep respects a live lease').toBe(0);
    expect((await statuses(doomed)).map((r) => [r.status, r.leaseOwner])).toEqual(doomed.map(() => ['created', 'doomed']));

    // after the lease the sweep takes them over: re-trigger it once a second, for a bounded time
    await sleep(Math.max(0, claim.until - Date.now()));
    const deadline = Date.now() + TAKEOVER_DEADLINE_MS;
    let expiredBySweeps = 0;
    let sweeps = 0;
    let after = await statuses(doomed);
    while (after.some((r) => r.status !== 'expired') && Date.now() < deadline) {
      const res: ApiResponse = await cluster.api(sweeps % 2, 'POST', '/v1/sandbox/clock/advance', { body: { seconds: 1 } });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expiredBySweeps += res.body.expired;
      sweeps++;
      after = await statuses(doomed);
      if (after.some((r) => r.status !== 'expired')) await sleep(1000);
    }
    console.log(`lease ${LEASE_MS} ms; taken over after ${sweeps} sweep(s), ${Date.now() - claim.until} ms past the lease`);
    expect(after.map((r) => [r.status, r.leaseOwner, r.leaseUntil]), 'expired by the takeover, lease released').toEqual(doomed.map(() => ['expired', null, null]));
    expect(expiredBySweeps, 'the sweeps (not a read) expired all three').toBe(3);

    for (const id of doomed) {
      const res = await cluster.api(0, 'GET', `${PR}/${id}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'expired', statusReason: 'expired' });
      const events = await cluster.api(1, 'GET', `${PR}/${id}/events?limit=100`);
      expect(events.status).toBe(200);
      expect(events.body.hasMore).toBe(false);
      expect(events.body.data.map((e: any) => [e.sequence, e.type]), id).toEqual([[1, 'payment_request.created'], [2, 'payment_request.expired']]);
      const stored = await cluster.query('select sequence, type from events where object_id = $1 order by sequence', [id]);
      expect(stored.map((e) => [e.sequence, e.type])).toEqual([[1, 'payment_request.created'], [2, 'payment_request.expired']]);
    }

    // a request that was not due was neither claimed nor touched
    const [untouched] = await statuses([control]);
    expect(untouched).toEqual({ id: control, status: 'created', leaseOwner: null, leaseUntil: null });
    expect((await cluster.query('select type from events where object_id = $1', [control])).map((e) => e.type)).toEqual(['payment_request.created']);
  });
});
