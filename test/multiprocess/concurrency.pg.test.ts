// Three real posgate processes on one PostgreSQL schema, 200 concurrent captures, refunds and
// cancels on the same few requests, spread round-robin across the processes (issue 3,
// "Concurrency on PostgreSQL"). Afterwards, through the API and straight from the database: no 5xx,
// only documented refusals, Σ refunds = amountRefunded ≤ amountCaptured ≤ amountAuthorized on every
// request, every acknowledged effect exists and every effect was acknowledged, every
// Idempotency-Key (some sent to two processes at once) produced exactly one effect, and every
// object's event sequence is 1..n with no gap or duplicate.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type ApiResponse, type Cluster } from './cluster.js';

const PROCESSES = 3;
const PR = '/v1/payment-requests';

type Kind = 'capture' | 'cancel' | 'refund';

interface Op {
  kind: Kind;
  pr: string;
  body: Record<string, unknown>;
  /** Idempotency-Key, if any; `twin` ops share theirs with exactly one other op. */
  key?: string;
  /** A group of refunds that deliberately repeat one reference. */
  group?: string;
  node: number;
}

interface Done extends Op {
  res: ApiResponse;
}

/** Refusals the native API documents for each operation (spec: native-api.md); anything else fails the test. */
const ALLOWED: Record<Kind, string[]> = {
  capture: ['200', '409 not_authorized', '400 amount_exceeds_authorized', '409 conflict', '409 idempotency_in_progress'],
  cancel: ['200', '409 already_succeeded', '409 invalid_state', '409 conflict', '409 idempotency_in_progress'],
  refund: ['201', '200', '400 amount_exceeds_refundable', '409 invalid_state', '409 duplicate_reference', '409 conflict', '409 idempotency_in_progress'],
};

const outcome = (r: ApiResponse) => (r.status < 300 ? String(r.status) : `${r.status} ${r.body?.code}`);
const ok = (d: Done) => d.res.status >= 200 && d.res.status < 300;
const replayed = (d: Done) => d.res.headers.get('idempotent-replayed') === 'true';

/** mulberry32: a seeded PRNG, so a failing mix can be replayed by its seed. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe(`${PROCESSES} posgate processes on one PostgreSQL: 200 concurrent operations on the same requests`, () => {
  let cluster: Cluster;
  const manual: any[] = [];
  const automatic: any[] = [];
  let done: Done[] = [];
  const seed = Number(process.env.POSGATE_MP_SEED ?? Date.now() % 1_000_000);

  beforeAll(async () => {
    cluster = await startCluster({ processes: PROCESSES });
    const { terminalId } = cluster.credentials;
    for (const [list, captureMode, status] of [[manual, 'manual', 'authorized'], [automatic, 'automatic', 'succeeded']] as const) {
      for (let i = 0; i < 4; i++) {
        const created = await cluster.api(0, 'POST', PR, { body: { amount: 10000, currency: 'NZD', terminalId, captureMode, allowConcurrent: true } });
        expect(created.status, JSON.stringify(created.body)).toBe(201);
        const paid = await cluster.api(0, 'POST', `/v1/sandbox/payment-requests/${created.body.id}/pay`, { body: { outcome: 'approve' } });
        expect(paid.status, JSON.stringify(paid.body)).toBe(200);
        expect(paid.body).toMatchObject({ status, amountAuthorized: 10000, amountCaptured: captureMode === 'automatic' ? 10000 : 0 });
        list.push(paid.body);
      }
    }
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  /** The mix: 48 captures, 14 cancels, 138 refunds; 24 Idempotency-Keys each sent to two processes. */
  function plan(): Op[] {
    const rand = prng(seed);
    const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
    const all = [...manual, ...automatic].map((r) => r.id as string);
    const m = manual.map((r) => r.id as string);
    const ops: Omit<Op, 'node'>[] = [];
    const twins: [Omit<Op, 'node'>, Omit<Op, 'node'>][] = [];
    const twin = (op: Omit<Op, 'node'>) => {
      const pair: [Omit<Op, 'node'>, Omit<Op, 'node'>] = [op, { ...op }];
      twins.push(pair);
      ops.push(...pair);
    };
    // captures on the authorized requests, 1000..10000
    for (let i = 0; i < 36; i++) ops.push({ kind: 'capture', pr: m[i % 4]!, body: { amount: 1000 + 250 * int(0, 36) } });
    for (let i = 0; i < 6; i++) twin({ kind: 'capture', pr: m[i % 4]!, body: { amount: 1000 + 250 * int(0, 36) }, key: `cap-${seed}-${i}` });
    // cancels race the captures on two of them
    for (let i = 0; i < 10; i++) ops.push({ kind: 'cancel', pr: m[2 + (i % 2)]!, body: {} });
    for (let i = 0; i < 2; i++) twin({ kind: 'cancel', pr: m[2 + i]!, body: { reason: 'till closed' }, key: `can-${seed}-${i}` });
    // refunds on every request: unique references …
    for (let i = 0; i < 70; i++) ops.push({ kind: 'refund', pr: all[i % 8]!, body: { amount: int(300, 2000), reference: `u-${i}` } });
    // … one reference repeated with the same amount (replays) …
    for (let g = 0; g < 6; g++) {
      const body = { amount: int(300, 2000), reference: `same-${g}` };
      for (let k = 0; k < 4; k++) ops.push({ kind: 'refund', pr: all[(g * 3) % 8]!, body, group: `same-${g}` });
    }
    // … one reference repeated with different amounts (one wins, the rest are duplicate_reference) …
    for (let g = 0; g < 4; g++) {
      for (let k = 0; k < 3; k++) ops.push({ kind: 'refund', pr: all[(g * 5 + 1) % 8]!, body: { amount: 400 + 100 * k + g, reference: `diff-${g}` }, group: `diff-${g}` });
    }
    // … and Idempotency-Keys, each on a reference of its own
    for (let i = 0; i < 16; i++) twin({ kind: 'refund', pr: all[i % 8]!, body: { amount: int(300, 2000), reference: `key-${i}` }, key: `rf-${seed}-${i}` });

    // shuffle, then round-robin across the processes; a twin goes to a different process than its pair
    for (let i = ops.length - 1; i > 0; i--) {
      const j = int(0, i);
      [ops[i], ops[j]] = [ops[j]!, ops[i]!];
    }
    const placed = ops.map((op, i) => Object.assign(op, { node: i % PROCESSES }) as Op);
    for (const [a, b] of twins) if ((a as Op).node === (b as Op).node) (b as Op).node = ((a as Op).node + 1) % PROCESSES;
    return placed;
  }

  it('answers 200 concurrent calls with no 5xx and only documented refusals', async () => {
    const ops = plan();
    expect(ops).toHaveLength(200);
    done = await Promise.all(
      ops.map(async (op): Promise<Done> => {
        const path = op.kind === 'refund' ? `${PR}/${op.pr}/refunds` : `${PR}/${op.pr}/${op.kind}`;
        const res = await cluster.api(op.node, 'POST', path, { body: op.body, headers: op.key ? { 'idempotency-key': op.key } : {} });
        return { ...op, res };
      }),
    );

    const tally: Record<string, number> = {};
    for (const d of done) tally[`${d.kind} ${outcome(d.res)}${replayed(d) ? ' (replayed)' : ''}`] = (tally[`${d.kind} ${outcome(d.res)}${replayed(d) ? ' (replayed)' : ''}`] ?? 0) + 1;
    const perNode = [0, 1, 2].map((n) => done.filter((d) => d.node === n).length);
    console.log(`seed ${seed}; calls per process ${perNode.join('/')}; outcomes:`, JSON.stringify(Object.fromEntries(Object.entries(tally).sort()), null, 1));

    const serverErrors = done.filter((d) => d.res.status >= 500).map((d) => ({ node: d.node, kind: d.kind, status: d.res.status, body: d.res.body }));
    expect(serverErrors, 'no 5xx from any process').toEqual([]);
    const undocumented = done.filter((d) => !ALLOWED[d.kind].includes(outcome(d.res))).map((d) => ({ kind: d.kind, outcome: outcome(d.res), body: d.res.body }));
    expect(undocumented, 'only documented outcomes').toEqual([]);
    for (const d of done.filter(ok)) {
      if (d.kind === 'refund') expect(d.res.body, JSON.stringify(d.res.body)).toMatchObject({ object: 'refund', paymentRequestId: d.pr, status: 'succeeded', amount: d.body.amount, reference: d.body.reference });
      else expect(d.res.body, JSON.stringify(d.res.body)).toMatchObject({ object: 'payment_request', id: d.pr, status: d.kind === 'capture' ? 'succeeded' : 'cancelled' });
    }
    // the mix really raced: the contended rules refused some calls
    expect(done.filter((d) => d.kind === 'refund' && outcome(d.res) === '400 amount_exceeds_refundable').length).toBeGreaterThan(0);
    expect(done.filter((d) => d.kind === 'capture' && outcome(d.res) === '409 not_authorized').length).toBeGreaterThan(0);
    // 200 contended operations wait on each other's channel answers (each up to 10 s): on a loaded
    // 2-core machine the burst has taken over 30 s
  }, 120_000);

  it('every request: Σ succeeded refunds = amountRefunded ≤ amountCaptured ≤ amountAuthorized (API and SQL agree)', async () => {
    expect(done, 'needs the burst').toHaveLength(200);
    const ids = [...manual, ...automatic].map((r) => r.id as string);
    for (const [i, id] of ids.entries()) {
      const res = await cluster.api(i % PROCESSES, 'GET', `${PR}/${id}`);
      expect(res.status).toBe(200);
      const p = res.body;
      const [row] = await cluster.query(`select status, amount_authorized, amount_captured, amount_refunded, amount_refund_reserved from payment_requests where id = $1`, [id]);
      const refunds = await cluster.query<{ id: string; amount: string; status: string; reference: string }>(`select id, amount, status, reference from refunds where payment_request_id = $1`, [id]);
      const succeeded = refunds.filter((r) => r.status === 'succeeded').reduce((sum, r) => sum + Number(r.amount), 0);

      expect({ status: row.status, authorized: Number(row.amount_authorized), captured: Number(row.amount_captured), refunded: Number(row.amount_refunded) }, id)
        .toEqual({ status: p.status, authorized: p.amountAuthorized, captured: p.amountCaptured, refunded: p.amountRefunded });
      expect(refunds.every((r) => r.status === 'succeeded'), 'test-mode refunds settle at once').toBe(true);
      // the reservation counts pending, awaiting-capture and succeeded refunds: here, all of them
      expect(Number(row.amount_refund_reserved), 'reserved = Σ refunds').toBe(succeeded);
      expect(succeeded, `Σ refunds of ${id}`).toBe(p.amountRefunded);
      expect(p.amountRefunded).toBeLessThanOrEqual(p.amountCaptured);
      expect(p.amountCaptured).toBeLessThanOrEqual(p.amountAuthorized);
      expect(p.refundStatus).toBe(p.amountRefunded === 0 ? 'none' : p.amountRefunded === p.amountCaptured ? 'full' : 'partial');

      // every acknowledged refund exists with its amount, and every refund was acknowledged
      const acknowledged = new Map<string, number>();
      for (const d of done.filter((x) => x.kind === 'refund' && x.pr === id && ok(x))) acknowledged.set(d.res.body.id, d.res.body.amount);
      expect(new Map(refunds.map((r) => [r.id, Number(r.amount)])), `refunds of ${id}`).toEqual(acknowledged);
      expect(new Set(refunds.map((r) => r.reference)).size, 'one refund per reference').toBe(refunds.length);

      const on = done.filter((d) => d.pr === id && ok(d) && !replayed(d));
      const captures = on.filter((d) => d.kind === 'capture');
      const cancels = on.filter((d) => d.kind === 'cancel');
      if (manual.some((r) => r.id === id)) {
        expect(['succeeded', 'cancelled']).toContain(p.status);
        if (p.status === 'succeeded') {
          expect(captures, `exactly one capture of ${id} took effect`).toHaveLength(1);
          expect(cancels).toHaveLength(0);
          expect(p.amountCaptured).toBe(captures[0]!.body.amount);
          expect(p.version).toBeGreaterThanOrEqual(captures[0]!.res.body.version);
        } else {
          expect(cancels, `exactly one cancel of ${id} took effect`).toHaveLength(1);
          expect(captures).toHaveLength(0);
          expect(p).toMatchObject({ amountCaptured: 0, amountRefunded: 0 });
        }
      } else {
        expect(p).toMatchObject({ status: 'succeeded', amountCaptured: 10000 });
        expect([...captures, ...cancels]).toHaveLength(0);
      }
    }
  });

  it('a repeated refund reference makes one refund: same amount replays it, another amount is duplicate_reference', () => {
    expect(done, 'needs the burst').toHaveLength(200);
    const groups = new Set(done.filter((d) => d.group).map((d) => d.group!));
    expect(groups.size).toBe(10);
    for (const group of groups) {
      const members = done.filter((d) => d.group === group);
      const succeeded = members.filter(ok);
      expect(new Set(succeeded.map((d) => d.res.body.id)).size, group).toBeLessThanOrEqual(1);
      expect(succeeded.filter((d) => d.res.status === 201).length, `${group}: one fresh refund`).toBeLessThanOrEqual(1);
      for (const d of succeeded) expect(d.res.body.amount).toBe(d.body.amount);
      if (group.startsWith('diff-') && succeeded.length === 1) {
        for (const d of members.filter((x) => !ok(x) && x.body.amount !== succeeded[0]!.body.amount)) {
          expect(['409 duplicate_reference', '400 amount_exceeds_refundable', '409 invalid_state', '409 conflict']).toContain(outcome(d.res));
        }
      }
      if (group.startsWith('same-')) {
        // once one exists the others replay it (or were refused before it existed)
        for (const d of members.filter((x) => !ok(x))) expect(outcome(d.res)).not.toBe('409 duplicate_reference');
      }
    }
  });

  it('every Idempotency-Key, sent to two processes, produced exactly one effect', async () => {
    expect(done, 'needs the burst').toHaveLength(200);
    const keys = new Set(done.filter((d) => d.key).map((d) => d.key!));
    expect(keys.size).toBe(24);
    let replays = 0;
    for (const key of keys) {
      const pair = done.filter((d) => d.key === key);
      expect(pair).toHaveLength(2);
      expect(pair[0]!.node, `${key} went to two processes`).not.toBe(pair[1]!.node);
      const succeeded = pair.filter(ok);
      const fresh = succeeded.filter((d) => !replayed(d));
      expect(fresh.length, `${key}: at most one execution answered`).toBeLessThanOrEqual(1);
      if (succeeded.length === 2) {
        // the second is the stored response, byte for byte, not a second execution
        expect(fresh, `${key}: one original and one replay`).toHaveLength(1);
        const replay = succeeded.find(replayed)!;
        expect(replay.res.status).toBe(fresh[0]!.res.status);
        expect(replay.res.body).toEqual(fresh[0]!.res.body);
        replays++;
      }
      const stored = await cluster.query<{ status: string; path: string }>(`select status, path from idempotency_keys where key = $1`, [key]);
      expect(stored.map((s) => s.status), `${key}: stored once if it succeeded, released otherwise`).toEqual(succeeded.length > 0 ? ['done'] : []);
      if (pair[0]!.kind === 'refund') {
        const made = await cluster.query(`select id from refunds where payment_request_id = $1 and reference = $2`, [pair[0]!.pr, pair[0]!.body.reference]);
        expect(made.map((r) => r.id), `${key}: refunds made`).toEqual(succeeded.length > 0 ? [succeeded[0]!.res.body.id] : []);
      }
    }
    console.log(`${keys.size} keys, ${replays} answered twice (original + replay) across processes`);
  });

  it("every object's events are numbered 1..n with no gap or duplicate (API and SQL)", async () => {
    expect(done, 'needs the burst').toHaveLength(200);
    for (const [i, request] of [...manual, ...automatic].entries()) {
      const events: any[] = [];
      let cursor: string | null = null;
      do {
        const res: ApiResponse = await cluster.api(i % PROCESSES, 'GET', `${PR}/${request.id}/events?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        events.push(...res.body.data);
        cursor = res.body.hasMore ? res.body.nextCursor : null;
      } while (cursor);

      expect(new Set(events.map((e) => e.id)).size, 'no event listed twice').toBe(events.length);
      const byObject = new Map<string, any[]>();
      for (const e of events) byObject.set(e.objectId, [...(byObject.get(e.objectId) ?? []), e]);
      for (const [objectId, list] of byObject) {
        expect(list.map((e) => e.sequence), objectId).toEqual(list.map((_, k) => k + 1));
      }

      const final = await cluster.api(i % PROCESSES, 'GET', `${PR}/${request.id}`);
      const expectedTypes = request.captureMode === 'manual'
        ? ['payment_request.created', 'payment_request.authorized', `payment_request.${final.body.status}`]
        : ['payment_request.created', 'payment_request.succeeded'];
      expect(byObject.get(request.id)!.map((e) => e.type)).toEqual(expectedTypes);
      const refunds = await cluster.query(`select id from refunds where payment_request_id = $1`, [request.id]);
      const refundObjects = [...byObject.keys()].filter((id) => id !== request.id);
      expect(new Set(refundObjects)).toEqual(new Set(refunds.map((r) => r.id)));
      for (const id of refundObjects) expect(byObject.get(id)!.map((e) => e.type)).toEqual(['refund.created', 'refund.succeeded']);

      // the same straight from the table
      const rows = await cluster.query<{ object_id: string; n: string; distinct_n: string; lo: number; hi: number }>(
        `select object_id, count(*) as n, count(distinct sequence) as distinct_n, min(sequence) as lo, max(sequence) as hi
           from events where payment_request_id = $1 group by object_id`, [request.id]);
      expect(rows.reduce((sum, r) => sum + Number(r.n), 0), 'API lists every stored event').toBe(events.length);
      for (const r of rows) expect({ n: Number(r.n), distinct: Number(r.distinct_n), lo: r.lo }, r.object_id).toEqual({ n: r.hi, distinct: r.hi, lo: 1 });
    }
  });
});
