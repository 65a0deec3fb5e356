// Fault scenario 1 (issue 16): PostgreSQL restarted, by a fast and then an immediate shutdown,
// while three posgate processes serve a load of creates, payments, captures, refunds and cancels.
// During the outage every answer is a 503 with Retry-After (never a 500, never a hang), /readyz
// says not ready, no process exits; once the database is back every process serves again within
// seconds, without a restart of its own. Afterwards the invariants of ./invariants.ts hold.
//
// The database is a scratch cluster of the test's own (initdb on a free port), never the shared one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../multiprocess/cluster.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { checkInvariants, undelivered, verifyExitCode } from './invariants.js';
import { startLoad, until } from './load.js';
import { startScratchPostgres, type ScratchPostgres } from './scratch-postgres.js';

/** How long the database stays down each time, while the load goes on. */
const OUTAGE_MS = 3000;
/** Every process must serve again this soon after the database accepts connections. */
const RECOVERY_LIMIT_MS = 10_000;

describe('PostgreSQL restarted under load, three posgate processes', () => {
  let scratch: ScratchPostgres;
  let cluster: Cluster;
  let receiver: Receiver;

  beforeAll(async () => {
    scratch = await startScratchPostgres();
    cluster = await startCluster({ processes: 3, url: scratch.url, env: { LOG_LEVEL: 'error' } });
    receiver = await startReceiver();
    const endpoint = await cluster.api(0, 'POST', '/v1/webhook-endpoints', { body: { url: receiver.url } });
    expect(endpoint.status, JSON.stringify(endpoint.body)).toBe(201);
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop().catch(() => undefined);
    await receiver?.close();
    scratch?.destroy();
  });

  const readiness = () => Promise.all(cluster.children.map(async (c) => (await fetch(`${c.url}/readyz`, { signal: AbortSignal.timeout(10_000) })).status));

  it('answers 503 with Retry-After while the database is away and serves again within seconds of its return, losing and doubling nothing', async () => {
    const { secretKey, terminalId } = cluster.credentials;
    const load = startLoad({ urls: () => cluster.children.map((c) => c.url), secretKey, terminalId });
    const recovery: Record<string, number> = {};
    try {
      for (const mode of ['fast', 'immediate'] as const) {
        const before = load.acknowledged();
        await until(() => load.acknowledged() >= before + 30, 60_000, `30 operations acknowledged before the ${mode} shutdown`);

        const served503s = load.report.outcomes.get('503 service_unavailable') ?? 0;
        scratch.stop(mode);
        const down = Date.now();
        // every process reports not ready, and none has exited
        await until(async () => (await readiness()).every((s) => s === 503), 5000, 'every /readyz says 503');
        await until(() => Date.now() - down >= OUTAGE_MS, OUTAGE_MS + 1000, 'the outage');
        expect(cluster.children.map((c) => c.process.exitCode ?? c.process.signalCode)).toEqual([null, null, null]);
        expect(load.report.outcomes.get('503 service_unavailable') ?? 0, `the load met 503s during the ${mode} outage`).toBeGreaterThan(served503s);

        scratch.start();
        const acknowledgedAtReturn = load.acknowledged();
        recovery[mode] = await until(async () => (await readiness()).every((s) => s === 200) && load.acknowledged() >= acknowledgedAtReturn + 10, RECOVERY_LIMIT_MS, `every process ready and 10 operations acknowledged after the ${mode} restart`);
      }
    } finally {
      await load.stop();
    }
    const report = load.report;
    console.info(`PostgreSQL restart: recovered in ${JSON.stringify(recovery)} ms; ${report.flows} flows, outcomes ${JSON.stringify(Object.fromEntries(report.outcomes))}`);

    expect(report.violations).toEqual([]);
    expect(cluster.children.map((c) => c.process.exitCode ?? c.process.signalCode)).toEqual([null, null, null]);
    expect(await checkInvariants(cluster.query, report)).toEqual([]);
    const verified = await verifyExitCode({ ...cluster.env, DATA_DIR: cluster.children[0]!.dataDir });
    expect(verified.code, verified.output).toBe(0);
    // every committed event reaches the receiver, each under its own id
    await until(async () => (await undelivered(cluster.query, receiver)).length === 0, 30_000, 'every event delivered');
  }, 180_000);
});
