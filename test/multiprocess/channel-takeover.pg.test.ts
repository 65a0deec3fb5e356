// Today's channel-command changes (a retry taking over an operation its first try left in flight,
// manual refund captures sent to the channel, expiries standing with refused returns) across
// processes: two real posgate processes on one PostgreSQL, a slow sandbox channel, the same
// operation sent to both at once. Afterwards no request stays held by a command nobody applies,
// every command is applied once, and `posgate verify` is clean.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type ApiResponse, type Cluster } from './cluster.js';
import { checkInvariants, verifyExitCode } from '../faults/invariants.js';
import { until } from '../faults/load.js';

const PR = '/v1/payment-requests';
/** Longer than a unit's wait for another operation (10 s): the second asker takes the command over while the first still waits. */
const CHANNEL_DELAY_MS = 12_000;
/** A unit waits half the lease for the channel: more than its delay. */
const LEASE_MS = 40_000;

const outcome = (r: ApiResponse | Error) => (r instanceof Error ? `error ${r.message}` : r.status < 300 ? String(r.status) : `${r.status} ${r.body?.code}`);

async function heldRequests(cluster: Cluster): Promise<unknown[]> {
  return cluster.query(`select pr.id, pr.channel_command_id, c.status from payment_requests pr left join channel_commands c on c.id = pr.channel_command_id
    where pr.channel_command_id is not null and (c.id is null or c.status = 'applied')`);
}
async function unapplied(cluster: Cluster): Promise<unknown[]> {
  return cluster.query(`select id, status, outcome from channel_commands where status <> 'applied'`);
}

describe('two processes, a slow channel: the same operation sent to both at once', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({ processes: 2, env: { SANDBOX_CHANNEL_DELAY_MS: String(CHANNEL_DELAY_MS), BACKGROUND_LEASE_MS: String(LEASE_MS), BACKGROUND_INTERVAL_MS: '200', LOG_LEVEL: 'error' } });
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop().catch(() => undefined);
  });

  /** A request paid (the slow channel authorizes: one channel delay). */
  async function paid(captureMode: 'automatic' | 'manual', amount = 4000): Promise<string> {
    const created = await cluster.api(0, 'POST', PR, { body: { amount, currency: 'NZD', terminalId: cluster.credentials.terminalId, allowConcurrent: true, captureMode } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const pay = await cluster.api(1, 'POST', `/v1/sandbox/payment-requests/${created.body.id}/pay`, { body: { outcome: 'approve' } });
    expect(pay.status, JSON.stringify(pay.body)).toBe(200);
    return created.body.id;
  }

  async function settled(id: string) {
    await until(async () => (await cluster.query('select 1 from payment_requests where id = $1 and channel_command_id is not null', [id])).length === 0, LEASE_MS + 20_000, `${id} free`);
  }

  it('voids sent to both: one void, one refund, nothing held', async () => {
    const [a, b] = await Promise.all([paid('automatic'), paid('automatic')]);
    const started = Date.now();
    // a: two voids at once, one per process; b: the same with one Idempotency-Key each (distinct keys)
    const answers = await Promise.all([
      cluster.api(0, 'POST', `${PR}/${a}/void`, { body: {} }),
      cluster.api(1, 'POST', `${PR}/${a}/void`, { body: {} }),
      cluster.api(0, 'POST', `${PR}/${b}/void`, { body: {}, headers: { 'Idempotency-Key': `void-b-0` } }),
      cluster.api(1, 'POST', `${PR}/${b}/void`, { body: {}, headers: { 'Idempotency-Key': `void-b-1` } }),
    ].map((p) => p.catch((error: Error) => error)));
    console.info('voids', Date.now() - started, 'ms', answers.map(outcome));
    for (const id of [a, b]) {
      await settled(id);
      const read = await cluster.api(0, 'GET', `${PR}/${id}`);
      expect(read.body, id).toMatchObject({ amountCaptured: 4000, amountRefunded: 4000 });
      const refunds = await cluster.query('select amount::int as amount, status from refunds where payment_request_id = $1', [id]);
      expect(refunds, id).toEqual([{ amount: 4000, status: 'succeeded' }]);
    }
    expect(answers.filter((r) => !(r instanceof Error) && r.status === 200).length).toBeGreaterThanOrEqual(2);
    for (const r of answers) expect(['200', '409 conflict', '409 invalid_state']).toContain(outcome(r));
    expect(await heldRequests(cluster)).toEqual([]);
  }, 120_000);

  it('a manual refund captured on both at once: sent once, settled once', async () => {
    const id = await paid('automatic');
    const made = await cluster.api(0, 'POST', `${PR}/${id}/refunds`, { body: { amount: 1500, reference: 'manual-1', captureMode: 'manual' } });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body.status).toBe('requires_capture');
    const started = Date.now();
    const answers = await Promise.all([0, 1].map((n) => cluster.api(n, 'POST', `/v1/refunds/${made.body.id}/capture`, { body: {} }).catch((error: Error) => error)));
    console.info('refund captures', Date.now() - started, 'ms', answers.map(outcome));
    await settled(id);
    expect((await cluster.api(0, 'GET', `/v1/refunds/${made.body.id}`)).body.status).toBe('succeeded');
    expect((await cluster.api(0, 'GET', `${PR}/${id}`)).body).toMatchObject({ amountRefunded: 1500 });
    const commands = await cluster.query("select status, outcome from channel_commands where payment_request_id = $1 and kind = 'refund'", [id]);
    expect(commands).toEqual([{ status: 'applied', outcome: 'succeeded' }]);
    expect(answers.some((r) => !(r instanceof Error) && r.status === 200)).toBe(true);
    for (const r of answers) expect(['200', '409 conflict', '409 invalid_state']).toContain(outcome(r));
    expect(await heldRequests(cluster)).toEqual([]);
  }, 120_000);

  it('refunds of one reference sent to both at once: one refund', async () => {
    const id = await paid('automatic');
    const answers = await Promise.all([0, 1].map((n) => cluster.api(n, 'POST', `${PR}/${id}/refunds`, { body: { amount: 700, reference: 'same-ref' } }).catch((error: Error) => error)));
    console.info('refunds', answers.map(outcome));
    await settled(id);
    const refunds = await cluster.query('select amount::int as amount, status from refunds where payment_request_id = $1', [id]);
    expect(refunds).toEqual([{ amount: 700, status: 'succeeded' }]);
    expect((await cluster.api(0, 'GET', `${PR}/${id}`)).body).toMatchObject({ amountRefunded: 700 });
    for (const r of answers) expect(['201', '200', '409 conflict', '409 duplicate_reference']).toContain(outcome(r));
    expect(await heldRequests(cluster)).toEqual([]);
  }, 120_000);

  it('leaves every command applied and verify clean', async () => {
    await until(async () => (await unapplied(cluster)).length === 0, LEASE_MS + 20_000, 'every command applied');
    expect(await heldRequests(cluster)).toEqual([]);
    expect(await checkInvariants(cluster.query, { acknowledged: [], violations: [], outcomes: new Map(), flows: 0, slowestMs: 0 })).toEqual([]);
    const verified = await verifyExitCode({ ...cluster.env, DATA_DIR: cluster.children[0]!.dataDir });
    expect(verified.code, verified.output).toBe(0);
  }, 120_000);
});

describe('a process killed while the channel answers: the other and the sweep finish its operations', () => {
  let cluster: Cluster;
  const DELAY = 3000;
  const LEASE = 8000;

  beforeAll(async () => {
    // the process the test kills has a channel that never answers in time: its four operations are
    // surely in flight together when it dies, however slowly a loaded machine starts them
    cluster = await startCluster({
      processes: 3,
      env: { SANDBOX_CHANNEL_DELAY_MS: String(DELAY), BACKGROUND_LEASE_MS: String(LEASE), BACKGROUND_INTERVAL_MS: '200', LOG_LEVEL: 'error' },
      envOf: (index): Record<string, string> => (index === 2 ? { SANDBOX_CHANNEL_DELAY_MS: '60000' } : {}),
    });
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop().catch(() => undefined);
  });

  async function paid(captureMode: 'automatic' | 'manual', extra: Record<string, unknown> = {}, pay: Record<string, unknown> = {}): Promise<string> {
    const created = await cluster.api(0, 'POST', PR, { body: { amount: 4000, currency: 'NZD', terminalId: cluster.credentials.terminalId, allowConcurrent: true, captureMode, ...extra } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const paying = await cluster.api(1, 'POST', `/v1/sandbox/payment-requests/${created.body.id}/pay`, { body: { outcome: 'approve', ...pay } });
    expect(paying.status, JSON.stringify(paying.body)).toBe(200);
    return created.body.id;
  }
  const commandsOf = (id: string) => cluster.query<{ kind: string; status: string; outcome: string | null }>('select kind, status, outcome from channel_commands where payment_request_id = $1 order by created_at', [id]);

  it('void, manual refund capture, refund and capture: asked on the killed one, retried on another', async () => {
    const [toVoid, toRefund, withManual, toCapture] = await Promise.all([paid('automatic'), paid('automatic'), paid('automatic'), paid('manual')]);
    const manual = await cluster.api(0, 'POST', `${PR}/${withManual}/refunds`, { body: { amount: 1000, reference: 'manual-k', captureMode: 'manual' } });
    expect(manual.status).toBe(201);
    const doomed = [
      cluster.api(2, 'POST', `${PR}/${toVoid}/void`, { body: {} }),
      cluster.api(2, 'POST', `${PR}/${toRefund}/refunds`, { body: { amount: 900, reference: 'k-ref' } }),
      cluster.api(2, 'POST', `/v1/refunds/${manual.body.id}/capture`, { body: {} }),
      cluster.api(2, 'POST', `${PR}/${toCapture}/capture`, { body: { amount: 3000 } }),
    ].map((p) => p.catch((error: Error) => error));
    await until(async () => (await cluster.query("select count(*)::int as n from payment_requests where channel_command_id is not null and id = any($1)", [[toVoid, toRefund, withManual, toCapture]]))[0].n === 4, 10_000, 'four commands in flight');
    cluster.children[2]!.process.kill('SIGKILL');
    // killed, or told 503 once it waited half the lease for its channel: either way nothing answered
    for (const r of await Promise.all(doomed)) expect(r instanceof Error ? 'killed' : r.status).toMatch(/^(killed|503)$/);
    const started = Date.now();
    const retried = await Promise.all([
      cluster.api(0, 'POST', `${PR}/${toVoid}/void`, { body: {} }),
      cluster.api(1, 'POST', `${PR}/${toRefund}/refunds`, { body: { amount: 900, reference: 'k-ref' } }),
      cluster.api(0, 'POST', `/v1/refunds/${manual.body.id}/capture`, { body: {} }),
      cluster.api(1, 'POST', `${PR}/${toCapture}/capture`, { body: { amount: 3000 } }),
    ].map((p) => p.catch((error: Error) => error)));
    console.info('retries after the kill', Date.now() - started, 'ms', retried.map(outcome));
    await until(async () => (await unapplied(cluster)).length === 0, LEASE * 3, 'every command applied');
    expect(await heldRequests(cluster)).toEqual([]);
    expect((await cluster.api(0, 'GET', `${PR}/${toVoid}`)).body).toMatchObject({ amountRefunded: 4000 });
    expect((await cluster.api(0, 'GET', `${PR}/${toRefund}`)).body).toMatchObject({ amountRefunded: 900 });
    expect((await cluster.api(0, 'GET', `/v1/refunds/${manual.body.id}`)).body.status).toBe('succeeded');
    expect((await cluster.api(0, 'GET', `${PR}/${withManual}`)).body).toMatchObject({ amountRefunded: 1000 });
    expect((await cluster.api(0, 'GET', `${PR}/${toCapture}`)).body).toMatchObject({ status: 'succeeded', amountCaptured: 3000 });
    for (const id of [toVoid, toRefund, withManual, toCapture]) {
      const moved = (await commandsOf(id)).filter((c) => c.kind === 'refund' || c.kind === 'capture');
      expect(moved, id).toHaveLength(1);
    }
  }, 120_000);

  it('the test clock advanced on one process while a partial payment is in flight on another', async () => {
    const created = await cluster.api(0, 'POST', PR, { body: { amount: 5000, currency: 'NZD', terminalId: cluster.credentials.terminalId, allowConcurrent: true, partialAllowed: true, expiresInSeconds: 60 } });
    expect(created.status).toBe(201);
    const id = created.body.id;
    const paying = cluster.api(1, 'POST', `/v1/sandbox/payment-requests/${id}/pay`, { body: { outcome: 'approve', amount: 2000 } }).catch((error: Error) => error);
    await until(async () => (await cluster.query('select 1 from payment_requests where id = $1 and channel_command_id is not null', [id])).length === 1, 10_000, 'authorization in flight');
    const advanced = await cluster.api(0, 'POST', '/v1/sandbox/clock/advance', { body: { seconds: 120 } });
    console.info('advance while in flight', outcome(advanced), 'pay', outcome(await paying));
    await until(async () => (await unapplied(cluster)).length === 0 && (await heldRequests(cluster)).length === 0, LEASE * 3, 'settled');
    // a later read or sweep expires it, returning the 2000
    await cluster.api(1, 'POST', '/v1/sandbox/clock/advance', { body: { seconds: 1 } });
    await until(async () => (await cluster.query("select 1 from payment_requests where id = $1 and status = 'expired' and channel_command_id is null", [id])).length === 1, LEASE * 3, 'expired');
    const read = await cluster.api(0, 'GET', `${PR}/${id}`);
    console.info('after expiry', JSON.stringify({ status: read.body.status, captured: read.body.amountCaptured, refunded: read.body.amountRefunded }));
    expect(read.body).toMatchObject({ status: 'expired', amountCaptured: 2000, amountRefunded: 2000 });
    await until(async () => (await unapplied(cluster)).length === 0, LEASE * 3, 'every command applied');
  }, 120_000);

  it('a crypto expiry whose return the channel refuses (settled on the other process) stands', async () => {
    const created = await cluster.api(0, 'POST', PR, { body: { amount: 5000, currency: 'NZD', terminalId: cluster.credentials.terminalId, allowConcurrent: true, partialAllowed: true, expiresInSeconds: 60 } });
    const id = created.body.id;
    const pay = await cluster.api(1, 'POST', `/v1/sandbox/payment-requests/${id}/pay`, { body: { outcome: 'approve', amount: 2000, method: 'crypto' } });
    expect(pay.status, JSON.stringify(pay.body)).toBe(200);
    // both processes move the clock at once: the expiry and its return are made once
    const moved = await Promise.all([0, 1].map((n) => cluster.api(n, 'POST', '/v1/sandbox/clock/advance', { body: { seconds: 600 } })));
    expect(moved.map(outcome)).toEqual(['200', '200']);
    await until(async () => (await cluster.query("select 1 from payment_requests where id = $1 and status = 'expired' and channel_command_id is null", [id])).length === 1, LEASE * 3, 'expired');
    const refunds = await cluster.query<{ id: string; status: string; amount: number }>('select id, status, amount::int as amount from refunds where payment_request_id = $1', [id]);
    expect(refunds.map((r) => [r.status, r.amount])).toEqual([['pending', 2000]]);
    const refused = await cluster.api(1, 'POST', `/v1/sandbox/refunds/${refunds[0]!.id}/outcome`, { body: { outcome: 'failed' } });
    expect(outcome(refused)).toBe('200');
    const read = await cluster.api(0, 'GET', `${PR}/${id}`);
    expect(read.body).toMatchObject({ status: 'expired', amountCaptured: 2000, amountRefunded: 0 });
    // what it holds is refundable: the merchant returns it, on the other process
    const again = await cluster.api(0, 'POST', `${PR}/${id}/refunds`, { body: { amount: 2000, reference: 'after-refusal' } });
    expect(outcome(again), JSON.stringify(again.body)).toBe('201');
  }, 120_000);

  it('an expiry made by the clock on one process while the other reads, cancels, refunds and voids', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const created = await cluster.api(0, 'POST', PR, { body: { amount: 5000, currency: 'NZD', terminalId: cluster.credentials.terminalId, allowConcurrent: true, partialAllowed: true, expiresInSeconds: 60 } });
      ids.push(created.body.id);
      expect((await cluster.api(1, 'POST', `/v1/sandbox/payment-requests/${created.body.id}/pay`, { body: { outcome: 'approve', amount: 2000 } })).status).toBe(200);
    }
    // the others race the advance: whichever commits first decides whether the cancel finds the
    // request expired or cancels it; the money is the point (each returns the 2000 it took, once)
    const advancing = cluster.api(0, 'POST', '/v1/sandbox/clock/advance', { body: { seconds: 3600 } }).catch((e: Error) => e);
    const others = await Promise.all([
      cluster.api(1, 'GET', `${PR}/${ids[0]}`),
      cluster.api(1, 'POST', `${PR}/${ids[0]}/cancel`, { body: {} }),
      cluster.api(1, 'POST', `${PR}/${ids[1]}/refunds`, { body: { amount: 500, reference: 'during-expiry' } }),
      cluster.api(1, 'POST', `${PR}/${ids[2]}/void`, { body: {} }),
      cluster.api(1, 'POST', '/v1/sandbox/clock/advance', { body: { seconds: 1 } }),
    ].map((p) => p.catch((e: Error) => e)));
    console.info('during expiry', outcome(await advancing), others.map(outcome));
    await until(async () => (await unapplied(cluster)).length === 0 && (await heldRequests(cluster)).length === 0, LEASE * 3, 'settled');
    for (const id of ids) {
      const read = await cluster.api(0, 'GET', `${PR}/${id}`);
      const refunds = await cluster.query('select amount::int as amount, status, reference from refunds where payment_request_id = $1', [id]);
      console.info(id, read.body.status, read.body.amountCaptured, read.body.amountRefunded, JSON.stringify(refunds));
      expect(['expired', 'cancelled'], id).toContain(read.body.status);
      expect(read.body).toMatchObject({ amountCaptured: 2000, amountRefunded: 2000 });
      expect(refunds.filter((r: any) => r.status === 'succeeded'), id).toHaveLength(1);
    }
  }, 120_000);

  it('a void on one process while a manual refund capture is in flight on the other', async () => {
    const created = await cluster.api(0, 'POST', PR, { body: { amount: 4000, currency: 'NZD', terminalId: cluster.credentials.terminalId, allowConcurrent: true } });
    const id = created.body.id;
    expect((await cluster.api(1, 'POST', `/v1/sandbox/payment-requests/${id}/pay`, { body: { outcome: 'approve' } })).status).toBe(200);
    const manual = await cluster.api(0, 'POST', `${PR}/${id}/refunds`, { body: { amount: 4000, reference: 'all-of-it', captureMode: 'manual' } });
    expect(manual.status).toBe(201);
    const capturing = cluster.api(1, 'POST', `/v1/refunds/${manual.body.id}/capture`, { body: {} }).catch((e: Error) => e);
    await until(async () => (await cluster.query('select 1 from payment_requests where id = $1 and channel_command_id is not null', [id])).length === 1, 10_000, 'capture in flight');
    const voided = await cluster.api(0, 'POST', `${PR}/${id}/void`, { body: {} });
    console.info('void during refund capture', outcome(voided), 'capture', outcome(await capturing));
    await until(async () => (await unapplied(cluster)).length === 0 && (await heldRequests(cluster)).length === 0, LEASE * 3, 'settled');
    const read = await cluster.api(0, 'GET', `${PR}/${id}`);
    const refunds = await cluster.query('select amount::int as amount, status, reference from refunds where payment_request_id = $1', [id]);
    console.info(read.body.status, read.body.amountRefunded, JSON.stringify(refunds));
    expect(read.body.amountRefunded).toBe(4000);
    expect(refunds.filter((r: any) => r.status === 'succeeded')).toHaveLength(1);
  }, 120_000);

  it('leaves every command applied and verify clean', async () => {
    await until(async () => (await unapplied(cluster)).length === 0, LEASE * 3, 'every command applied');
    expect(await heldRequests(cluster)).toEqual([]);
    expect(await checkInvariants(cluster.query, { acknowledged: [], violations: [], outcomes: new Map(), flows: 0, slowestMs: 0 })).toEqual([]);
    const verified = await verifyExitCode({ ...cluster.env, DATA_DIR: cluster.children[0]!.dataDir });
    expect(verified.code, verified.output).toBe(0);
  }, 120_000);
});

describe('heavy lifecycles on two processes at once, then verify', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster({ processes: 2, env: { SANDBOX_CHANNEL_DELAY_MS: '150', BACKGROUND_INTERVAL_MS: '200', LOG_LEVEL: 'error' } });
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop().catch(() => undefined);
  });

  it('creates, pays, captures, refunds (automatic and manual), voids and cancels on both processes', async () => {
    const seen = new Map<string, number>();
    const note = (what: string, r: ApiResponse | Error) => {
      const key = `${what} ${outcome(r)}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
      return r;
    };
    const pick = (n: number) => n % 2;
    const lifecycle = async (i: number) => {
      const manual = i % 3 === 0;
      const crypto = i % 5 === 0;
      const created = await cluster.api(pick(i), 'POST', PR, { body: { amount: 6000, currency: 'NZD', terminalId: cluster.credentials.terminalId, allowConcurrent: true, captureMode: manual ? 'manual' : 'automatic' } });
      if (created.status !== 201) return note('create', created);
      const id = created.body.id;
      note('pay', await cluster.api(pick(i + 1), 'POST', `/v1/sandbox/payment-requests/${id}/pay`, { body: { outcome: 'approve', ...(crypto ? { method: 'crypto' } : {}) } }));
      if (manual) {
        const key = `cap-${i}`;
        const caps = await Promise.all([0, 1].map((n) => cluster.api(n, 'POST', `${PR}/${id}/capture`, { body: { amount: 5000 }, headers: { 'Idempotency-Key': key } }).catch((e: Error) => e)));
        caps.forEach((r) => note('capture', r));
      }
      const ops: Promise<ApiResponse | Error>[] = [];
      const manualRefund = await cluster.api(pick(i), 'POST', `${PR}/${id}/refunds`, { body: { amount: 800, reference: `m-${i}`, captureMode: 'manual' } });
      note('manual refund', manualRefund);
      for (let n = 0; n < 2; n++) {
        ops.push(cluster.api(n, 'POST', `${PR}/${id}/refunds`, { body: { amount: 500 + n, reference: `r-${i}-${n}` } }).then((r) => note('refund', r)));
        ops.push(cluster.api(n, 'POST', `${PR}/${id}/refunds`, { body: { amount: 300, reference: `same-${i}` } }).then((r) => note('refund same', r)));
        if (manualRefund.status === 201) ops.push(cluster.api(n, 'POST', `/v1/refunds/${manualRefund.body.id}/capture`, { body: {} }).then((r) => note('refund capture', r)));
        if (i % 4 === 1) ops.push(cluster.api(n, 'POST', `${PR}/${id}/void`, { body: {} }).then((r) => note('void', r)));
        if (i % 7 === 2) ops.push(cluster.api(n, 'POST', `${PR}/${id}/cancel`, { body: {} }).then((r) => note('cancel', r)));
      }
      await Promise.all(ops.map((p) => p.catch((e: Error) => note('error', e))));
    };
    const all = Array.from({ length: 60 }, (_, i) => lifecycle(i));
    await Promise.all(all);
    console.info([...seen].sort().map(([k, v]) => `${k}: ${v}`).join('\n'));
    expect([...seen.keys()].filter((k) => / 5\d\d|error/.test(k))).toEqual([]);
    await until(async () => (await unapplied(cluster)).length === 0, 60_000, 'every command applied');
    expect(await heldRequests(cluster)).toEqual([]);
    expect(await checkInvariants(cluster.query, { acknowledged: [], violations: [], outcomes: new Map(), flows: 0, slowestMs: 0 })).toEqual([]);
    const verified = await verifyExitCode({ ...cluster.env, DATA_DIR: cluster.children[0]!.dataDir });
    expect(verified.code, verified.output).toBe(0);
  }, 180_000);
});
