// Fault scenario 3 (issue 16): a posgate process SIGKILLed while it holds channel commands in flight
// (a capture and a refund the slow sandbox channel has not answered yet) and webhook deliveries to
// send. Another process takes the commands over once their lease has run out, asks the channel
// again with the same ids and applies each answer once; every event reaches the receiver, each
// under its own id. Two processes on the shared PostgreSQL, each in the test's own schema.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../multiprocess/cluster.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { checkInvariants, undelivered, verifyExitCode } from './invariants.js';
import { until } from './load.js';

/** The sandbox channel answers this late: long enough to kill a process while it waits. */
const CHANNEL_DELAY_MS = 1500;
/** The lease: a unit waits half of it for the channel's answer, so it must outlast the channel's delay twice. */
const LEASE_MS = 4000;

describe('a process killed with channel commands and deliveries in flight', () => {
  let cluster: Cluster;
  let receiver: Receiver;

  beforeAll(async () => {
    cluster = await startCluster({
      processes: 2,
      env: { SANDBOX_CHANNEL_DELAY_MS: String(CHANNEL_DELAY_MS), BACKGROUND_LEASE_MS: String(LEASE_MS), BACKGROUND_INTERVAL_MS: '200', LOG_LEVEL: 'error' },
    });
    receiver = await startReceiver();
    expect((await cluster.api(0, 'POST', '/v1/webhook-endpoints', { body: { url: receiver.url } })).status).toBe(201);
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop().catch(() => undefined);
    await receiver?.close();
  });

  const commands = (requestId: string) =>
    cluster.query<{ id: string; kind: string; status: string; outcome: string | null }>('select id, kind, status, outcome from channel_commands where payment_request_id = $1 order by created_at', [requestId]);

  it('has them finished by another process, each once', async () => {
    const { terminalId } = cluster.credentials;
    const paid = async (captureMode: string) => {
      const created = await cluster.api(0, 'POST', '/v1/payment-requests', { body: { amount: 4000, currency: 'NZD', terminalId, allowConcurrent: true, captureMode } });
      expect(created.status).toBe(201);
      expect((await cluster.api(0, 'POST', `/v1/sandbox/payment-requests/${created.body.id}/pay`, { body: { outcome: 'approve' } })).status).toBe(200);
      return created.body.id as string;
    };
    const toCapture = await paid('manual');
    const toRefund = await paid('automatic');

    // the doomed process takes both operations to the channel, which answers only after the kill
    const inFlight = [
      cluster.api(1, 'POST', `/v1/payment-requests/${toCapture}/capture`, { body: { amount: 2500 } }).catch((error: Error) => error),
      cluster.api(1, 'POST', `/v1/payment-requests/${toRefund}/refunds`, { body: { amount: 1200, reference: 'in-flight' } }).catch((error: Error) => error),
    ];
    await until(async () => (await commands(toCapture)).some((c) => c.kind === 'capture') && (await commands(toRefund)).some((c) => c.kind === 'refund'), 10_000, 'both commands recorded');
    cluster.children[1]!.process.kill('SIGKILL');
    for (const answer of await Promise.all(inFlight)) expect(answer).toBeInstanceOf(Error); // no answer ever came

    // the survivor's sweep takes them over after the lease and applies each answer
    const took = await until(async () => {
      const [capture] = await cluster.query<{ status: string }>('select status from payment_requests where id = $1', [toCapture]);
      const refunds = await cluster.query<{ status: string }>('select status from refunds where payment_request_id = $1', [toRefund]);
      return capture?.status === 'succeeded' && refunds.length === 1 && refunds[0]!.status === 'succeeded';
    }, 20_000, 'the capture and the refund applied by the other process');
    console.info(`process kill: commands taken over and applied ${took} ms after the kill (lease ${LEASE_MS} ms, channel ${CHANNEL_DELAY_MS} ms)`);

    expect((await cluster.api(0, 'GET', `/v1/payment-requests/${toCapture}`)).body).toMatchObject({ status: 'succeeded', amountCaptured: 2500 });
    expect((await cluster.api(0, 'GET', `/v1/payment-requests/${toRefund}`)).body).toMatchObject({ amountCaptured: 4000, amountRefunded: 1200 });
    for (const id of [toCapture, toRefund]) {
      const moved = (await commands(id)).filter((c) => c.kind !== 'authorize' && c.kind !== 'release');
      expect(moved.map((c) => [c.kind, c.status, c.outcome])).toEqual([[id === toCapture ? 'capture' : 'refund', 'applied', 'succeeded']]);
    }
    expect(await checkInvariants(cluster.query, { acknowledged: [], violations: [], outcomes: new Map(), flows: 0, slowestMs: 0 })).toEqual([]);
    const verified = await verifyExitCode({ ...cluster.env, DATA_DIR: cluster.children[0]!.dataDir });
    expect(verified.code, verified.output).toBe(0);
    await until(async () => (await undelivered(cluster.query, receiver)).length === 0, 20_000, 'every event delivered');
  }, 90_000);
});
