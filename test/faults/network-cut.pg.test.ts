// Fault scenario 2 (issue 16): the network between posgate and PostgreSQL cut mid-transaction, by
// a TCP proxy of the test's own (./tcp-proxy.ts) in front of a scratch cluster, while two posgate
// processes serve a load of creates, payments, captures, refunds and cancels:
//  - COMMITs that reach the server and whose answer is lost (the connection dropped, or stalled):
//    the outcome is unknown to posgate, which answers 503; the retry with the same Idempotency-Key
//    is answered from the key (a replay), never applied a second time;
//  - every connection dropped at once, several times;
//  - every connection stalled (no bytes, nothing closed) for longer than the statement timeout:
//    requests still answer within a bounded time (503 + Retry-After), never hang; rows a stalled
//    transaction locked are freed by the server's idle-in-transaction timeout.
// Afterwards the invariants of ./invariants.ts hold and every committed event is delivered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../multiprocess/cluster.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { checkInvariants, undelivered, verifyExitCode } from './invariants.js';
import { startLoad, until } from './load.js';
import { startScratchPostgres, type ScratchPostgres } from './scratch-postgres.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

/** The processes' statement timeout (DATABASE_QUERY_TIMEOUT_MS): short, to keep the scenario short. */
const QUERY_TIMEOUT_MS = 1500;
/** The processes' connect timeout (DATABASE_CONNECT_TIMEOUT_MS), for the same reason. */
const CONNECT_TIMEOUT_MS = 1500;
/**
 * The longest an answer may take while the network stalls: a statement that gets no answer
 * (QUERY_TIMEOUT_MS), then the release of its key, which waits for a free client of the pool and
 * then for its connection (twice CONNECT_TIMEOUT_MS), and some slack for a busy machine.
 */
const ANSWER_LIMIT_MS = QUERY_TIMEOUT_MS + 2 * CONNECT_TIMEOUT_MS + 2500;
/** How long the network stays stalled: well past ANSWER_LIMIT_MS, so that a request without a bound shows. */
const STALL_MS = ANSWER_LIMIT_MS + 3500;
/** A statement that completes an Idempotency-Key with its response (Tx.completeIdempotencyKey). */
const COMPLETES_A_KEY = /update "idempotency_keys" set "status"/;
/** Every process must serve again this soon after the network returns. */
const RECOVERY_LIMIT_MS = 10_000;

describe('the network to PostgreSQL cut mid-transaction, two posgate processes', () => {
  let scratch: ScratchPostgres;
  let proxy: TcpProxy;
  let cluster: Cluster;
  let receiver: Receiver;

  beforeAll(async () => {
    scratch = await startScratchPostgres();
    proxy = await startTcpProxy(scratch.port);
    cluster = await startCluster({ processes: 2, url: proxy.url(scratch.url), env: { LOG_LEVEL: 'error', DATABASE_QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS), DATABASE_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS) } });
    receiver = await startReceiver();
    const endpoint = await cluster.api(0, 'POST', '/v1/webhook-endpoints', { body: { url: receiver.url } });
    expect(endpoint.status, JSON.stringify(endpoint.body)).toBe(201);
  }, 120_000);

  afterAll(async () => {
    proxy?.resume();
    await cluster?.stop().catch(() => undefined);
    await receiver?.close();
    await proxy?.close();
    scratch?.destroy();
  });

  it('resolves every transaction of unknown outcome by its key, never applying one twice, and never hangs on a stalled network', async () => {
    const { secretKey, terminalId } = cluster.credentials;
    const load = startLoad({ urls: () => cluster.children.map((c) => c.url), secretKey, terminalId });
    const timings: Record<string, number> = {};
    const outcome = (name: string) => load.report.outcomes.get(name) ?? 0;
    try {
      await until(() => load.acknowledged() >= 30, 60_000, '30 operations acknowledged before the first cut');

      // COMMITs whose answer is lost: connection dropped right after the server committed
      proxy.cutAfterCommit(8, 'drop');
      timings.commitsDropped = await until(() => proxy.commitsCut >= 8, 30_000, '8 COMMITs cut by a drop');
      // … and connection stalled after the server committed (posgate gives up after its statement timeout)
      proxy.cutAfterCommit(4, 'stall');
      timings.commitsStalled = await until(() => proxy.commitsCut >= 12, 30_000, '4 COMMITs cut by a stall');
      // … and COMMITs that completed an Idempotency-Key: their retries can only be replays
      proxy.cutAfterCommit(3, 'drop', COMPLETES_A_KEY);
      timings.keyCommitsDropped = await until(() => proxy.commitsCut >= 15, 30_000, '3 key-completing COMMITs cut by a drop');
      proxy.resume();

      // every connection dropped, three times
      for (let i = 0; i < 3; i++) {
        const before = load.acknowledged();
        proxy.drop();
        await until(() => load.acknowledged() >= before + 5, 20_000, `5 operations acknowledged after drop ${i + 1}`);
      }

      // every connection stalled, open and new: answers stay bounded (503, never a hang)
      const served503s = outcome('503 service_unavailable');
      proxy.stall();
      const stalled = Date.now();
      await until(() => Date.now() - stalled >= STALL_MS, STALL_MS + 1000, 'the stall');
      expect(outcome('503 service_unavailable'), 'the load met 503s during the stall').toBeGreaterThan(served503s);
      expect(cluster.children.map((c) => c.process.exitCode ?? c.process.signalCode)).toEqual([null, null]);
      proxy.resume();
      const atReturn = load.acknowledged();
      timings.recovery = await until(() => load.acknowledged() >= atReturn + 10, RECOVERY_LIMIT_MS, '10 operations acknowledged after the stall');
    } finally {
      await load.stop();
    }
    const report = load.report;
    console.info(`network cut: ${JSON.stringify(timings)} ms; slowest answer ${report.slowestMs} ms; ${proxy.commitsCut} COMMITs cut; ${report.flows} flows, outcomes ${JSON.stringify(Object.fromEntries(report.outcomes))}`);

    expect(report.violations).toEqual([]);
    expect(report.slowestMs, 'the slowest answer (ms)').toBeLessThan(ANSWER_LIMIT_MS);
    // an attempt whose COMMIT was cut took effect: its retry was answered from the key
    expect(outcome('replayed on retry'), 'retries answered as replays').toBeGreaterThan(0);
    expect(cluster.children.map((c) => c.process.exitCode ?? c.process.signalCode)).toEqual([null, null]);
    expect(await checkInvariants(cluster.query, report)).toEqual([]);
    const verified = await verifyExitCode({ ...cluster.env, DATA_DIR: cluster.children[0]!.dataDir });
    expect(verified.code, verified.output).toBe(0);
    await until(async () => (await undelivered(cluster.query, receiver)).length === 0, 30_000, 'every event delivered');
  }, 180_000);
});
