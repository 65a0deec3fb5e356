// Webhooks survive a posgate process killed with SIGKILL between commit and delivery (issue 4): the
// events are in the outbox (committed with their change), so a new process on the same database
// delivers every one of them afterwards, at least once and in per-object order.
//
// 1. The receiver is down: the endpoint points at a closed port, so the first attempt of each
//    object's first event is refused (connection refused) and rescheduled 5 s later on the test
//    clock, the rest of each object waiting behind it. posgate is killed, the receiver comes up on
//    that port, a new process starts, the test clock moves 10 s, and everything arrives.
// 2. The kill comes before any attempt is recorded: the receiver takes the requests and does not
//    answer, and posgate is killed at once after the commits. What the dead process had claimed is
//    leased to it (DELIVERY_LEASE_MS, 3 s here), what it had not is simply due; a new process delivers
//    both once the lease has run out, with no clock change.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { call, childEnv, spawnTsx, startCluster, stopChild, watchOutput, type ApiOptions, type Cluster } from './cluster.js';
import { freePort } from '../support/ports.js';

const LEASE_MS = 3000;
const DELIVERED_DEADLINE_MS = 15_000;
const BANNER = /posgate is listening on (http:\/\/\S+)/;

interface Posgate {
  url: string;
  kill(): Promise<void>;
  stop(): Promise<void>;
  alive(): boolean;
}

interface StoredEvent { id: string; object_id: string; sequence: number }

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));


describe('webhooks across a posgate restart (SIGKILL)', () => {
  let cluster: Cluster;
  const started: Posgate[] = [];
  const receivers: Receiver[] = [];
  const dataDirs: string[] = [];
  /** The process the test talks to now. */
  let current: Posgate;

  /** Another posgate process on the cluster's schema (same database, admin token and secret key). */
  async function startPosgate(): Promise<Posgate> {
    const dataDir = mkdtempSync(join(tmpdir(), 'posgate-wh-restart-'));
    dataDirs.push(dataDir);
    const child = spawnTsx('src/main.ts', childEnv({ ...cluster.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir }));
    const output = watchOutput(child, `posgate process ${started.length + 2}`);
    const alive = () => child.exitCode === null && child.signalCode === null;
    let match: RegExpMatchArray;
    try {
      match = await output.waitFor(BANNER);
    } catch (error) {
      child.kill('SIGKILL');
      await output.exited;
      throw error;
    }
    const posgate: Posgate = {
      url: match[1]!,
      alive,
      async kill() {
        child.kill('SIGKILL');
        expect(await output.exited).toBe('SIGKILL');
      },
      stop: () => stopChild(child, output.exited),
    };
    started.push(posgate);
    return posgate;
  }

  const api = (method: string, path: string, options: ApiOptions = {}) => call(current.url, method, path, { ...options, defaultKey: cluster.credentials.secretKey });

  /** Requests with several events each: created, pending, partially_paid, succeeded. */
  async function requestsWithEvents(count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const created = await api('POST', '/v1/payment-requests', {
        body: { amount: 1500, currency: 'NZD', terminalId: cluster.credentials.terminalId, allowConcurrent: true, partialAllowed: true, expiresInSeconds: 3600 },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const id = created.body.id as string;
      for (const body of [{ outcome: 'approve', amount: 500 }, { outcome: 'approve' }]) {
        const paid = await api('POST', `/v1/sandbox/payment-requests/${id}/pay`, { body });
        expect(paid.status, JSON.stringify(paid.body)).toBe(200);
      }
      ids.push(id);
    }
    return ids;
  }

  const eventsOf = (objectIds: string[]) =>
    cluster.query<StoredEvent>('select id, object_id, sequence from events where object_id = any($1) order by object_id, sequence', [objectIds]);

  /** Polls (bounded) until the receiver has had every event at least once since `from`. */
  async function waitForAll(receiver: Receiver, events: StoredEvent[], from = 0): Promise<string[]> {
    const want = new Set(events.map((e) => e.id));
    const deadline = Date.now() + DELIVERED_DEADLINE_MS;
    const seen = () => new Set(receiver.received.slice(from).map((r) => String(r.headers['webhook-id'])));
    while ([...want].some((id) => !seen().has(id)) && Date.now() < deadline) await sleep(100);
    return [...want].filter((id) => !seen().has(id));
  }

  /** The endpoint's deliveries by status, once every one is delivered (polled, bounded: the attempt is recorded just after the answer). */
  async function deliveryStatuses(endpointId: string, total: number): Promise<[string, number][]> {
    const read = async () =>
      (await cluster.query<{ status: string; n: string }>('select status, count(*) as n from deliveries where endpoint_id = $1 group by status order by status', [endpointId]))
        .map((r): [string, number] => [r.status, Number(r.n)]);
    const deadline = Date.now() + 5_000;
    let statuses = await read();
    while (JSON.stringify(statuses) !== JSON.stringify([['delivered', total]]) && Date.now() < deadline) {
      await sleep(100);
      statuses = await read();
    }
    return statuses;
  }

  /** Every event arrived; per object, what arrived never goes back to an earlier sequence. */
  function expectEveryEventInOrder(receiver: Receiver, events: StoredEvent[], from = 0) {
    const arrived = receiver.received.slice(from).map((r) => r.json as { id: string; objectId: string; sequence: number });
    for (const r of receiver.received.slice(from)) expect(r.headers['webhook-id']).toBe(r.json.id);
    const objects = [...new Set(events.map((e) => e.object_id))];
    for (const objectId of objects) {
      const expected = events.filter((e) => e.object_id === objectId);
      const sequences = arrived.filter((e) => e.objectId === objectId).map((e) => e.sequence);
      expect(sequences, `${objectId}: in sequence order`).toEqual([...sequences].sort((a, b) => a - b));
      expect([...new Set(sequences)], `${objectId}: every event`).toEqual(expected.map((e) => e.sequence));
    }
    const ids = new Set(arrived.map((e) => e.id));
    for (const event of events) expect(ids.has(event.id), `${event.id} arrived`).toBe(true);
  }

  beforeAll(async () => {
    cluster = await startCluster({ processes: 1, env: { DELIVERY_LEASE_MS: String(LEASE_MS) } });
    const first = cluster.children[0]!;
    current = {
      url: first.url,
      alive: () => first.process.exitCode === null && first.process.signalCode === null,
      async kill() {
        first.process.kill('SIGKILL');
        expect(await first.exited).toBe('SIGKILL');
      },
      stop: async () => undefined, // cluster.stop() stops it
    };
  });

  afterAll(async () => {
    for (const p of started) await p.stop();
    for (const r of receivers) await r.close();
    await cluster?.stop();
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('a receiver that is down while posgate restarts still gets every event afterwards', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/hook`;
    const endpoint = await api('POST', '/v1/webhook-endpoints', { body: { url } });
    expect(endpoint.status, JSON.stringify(endpoint.body)).toBe(201);
    const objects = await requestsWithEvents(3);
    const events = await eventsOf(objects);
    expect(events).toHaveLength(3 * 4);

    // the first event of each object has been tried and refused; nothing was delivered
    const deadline = Date.now() + 10_000;
    const triedObjects = async () =>
      (await cluster.query<{ n: string }>(
        'select count(distinct d.object_id) as n from delivery_attempts a join deliveries d on d.id = a.delivery_id where d.endpoint_id = $1',
        [endpoint.body.id],
      ))[0]!.n;
    while (Number(await triedObjects()) < objects.length && Date.now() < deadline) await sleep(100);
    expect(Number(await triedObjects()), 'each object was tried while the receiver was down').toBe(objects.length);
    const attempts = await cluster.query<{ status_code: number | null; error: string | null }>(
      'select a.status_code, a.error from delivery_attempts a join deliveries d on d.id = a.delivery_id where d.endpoint_id = $1', [endpoint.body.id]);
    expect(attempts.every((a) => a.status_code === null && a.error !== null), JSON.stringify(attempts)).toBe(true);

    await current.kill();
    const pending = await cluster.query<{ status: string; n: string }>('select status, count(*) as n from deliveries where endpoint_id = $1 group by status', [endpoint.body.id]);
    expect(pending.map((r) => [r.status, Number(r.n)]), 'all still owed at the kill').toEqual([['pending', events.length]]);

    const receiver = await startReceiver(undefined, port);
    receivers.push(receiver);
    current = await startPosgate();
    const advanced = await api('POST', '/v1/sandbox/clock/advance', { body: { seconds: 10 } });
    expect(advanced.status, JSON.stringify(advanced.body)).toBe(200);

    const missing = await waitForAll(receiver, events);
    expect(missing, `not delivered within ${DELIVERED_DEADLINE_MS} ms`).toEqual([]);
    expectEveryEventInOrder(receiver, events);
    expect(await deliveryStatuses(endpoint.body.id, events.length), 'every delivery recorded as delivered').toEqual([['delivered', events.length]]);

    expect((await api('DELETE', `/v1/webhook-endpoints/${endpoint.body.id}`)).status).toBe(200);
  }, 60_000);

  it('a kill right after the commits, before any attempt was recorded: a new process delivers every event', async () => {
    if (!current.alive()) current = await startPosgate();
    let answer = false;
    // while posgate is alive the receiver takes each request and never answers, so no attempt completes
    const receiver = await startReceiver(() => (answer ? { status: 204 } : { status: 204, delayMs: 120_000 }));
    receivers.push(receiver);
    const endpoint = await api('POST', '/v1/webhook-endpoints', { body: { url: receiver.url } });
    expect(endpoint.status, JSON.stringify(endpoint.body)).toBe(201);
    const objects = await requestsWithEvents(3);
    await current.kill();

    const events = await eventsOf(objects);
    expect(events).toHaveLength(3 * 4);
    const attempted = await cluster.query('select a.id from delivery_attempts a join deliveries d on d.id = a.delivery_id where d.endpoint_id = $1', [endpoint.body.id]);
    expect(attempted, 'no attempt was recorded before the kill').toEqual([]);
    const owed = await cluster.query<{ status: string; leased: boolean }>(
      'select status, lease_owner is not null as leased from deliveries where endpoint_id = $1', [endpoint.body.id]);
    expect(owed.map((d) => d.status)).toEqual(events.map(() => 'pending'));
    console.log(`at the kill: ${owed.filter((d) => d.leased).length} of ${owed.length} deliveries leased to the dead process, ${receiver.received.length} request(s) on the wire`);

    answer = true;
    const from = receiver.received.length;
    current = await startPosgate();
    const missing = await waitForAll(receiver, events, from);
    expect(missing, `not delivered within ${DELIVERED_DEADLINE_MS} ms`).toEqual([]);
    expectEveryEventInOrder(receiver, events, from);
    expect(await deliveryStatuses(endpoint.body.id, events.length), 'every delivery recorded as delivered').toEqual([['delivered', events.length]]);
  }, 60_000);
});
