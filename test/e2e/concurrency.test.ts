// 50 concurrent real HTTP requests against one gateway: the rules that must hold under races
// (idempotency, one active request per terminal, capture once, Σ refunds ≤ captured, refund
// references, gap-free event sequences) are checked with exact counts.
//
// With SQLite the gateway's handlers never wait on real I/O (better-sqlite3 is synchronous), so as
// served it mostly answers even 50 simultaneous requests one after another. The suite therefore
// runs twice: as served, and "interleaved", where the test wraps this gateway object's
// store.transaction at run time (no change to src/): during a burst the first transaction of each
// request is held until all of the burst's requests wait there, then all start together, and every
// other transaction yields one macrotask first. So the requests really race, transaction by
// transaction, as they would on a networked database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBody, startGateway, type ApiResponse, type TestGateway } from '../harness.js';
import { demoClient as centrapayClient } from '../dialects/centrapay/client.js';

const N = 50;
const PR = '/v1/payment-requests';

function tally(responses: ApiResponse[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of responses) {
    const key = r.status < 300 ? String(r.status) : `${r.status} ${r.body?.code}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

interface Gate {
  size: number;
  waiting: (() => void)[];
  timer?: ReturnType<typeof setTimeout>;
  opened: (held: number) => void;
}

/**
 * Makes concurrent requests race. Every transaction yields a macrotask before it starts; while a
 * gate is armed (`arm(n)`), transactions are held until n of them wait (or 1 s passes without a new
 * one), then all start together. `arm` resolves to how many were held when the gate opened.
 */
function interleaveTransactions(t: TestGateway): { arm(n: number): Promise<number> } {
  const store = t.gateway.app.db;
  const original = store.transaction.bind(store);
  let gate: Gate | null = null;
  store.transaction = async (work) => {
    const g = gate;
    if (!g) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      return original(work);
    }
    await new Promise<void>((resolve) => {
      g.waiting.push(resolve);
      const open = () => {
        if (gate !== g) return;
        gate = null;
        clearTimeout(g.timer);
        g.opened(g.waiting.length);
        for (const release of g.waiting.splice(0)) release();
      };
      clearTimeout(g.timer);
      if (g.waiting.length >= g.size) open();
      else g.timer = setTimeout(open, 1000);
    });
    return original(work);
  };
  return {
    arm: (n) => new Promise<number>((opened) => {
      gate = { size: n, waiting: [], opened };
    }),
  };
}

describe.each([
  { mode: 'as served', interleaved: false },
  { mode: 'interleaved', interleaved: true },
])('50 concurrent requests ($mode)', ({ interleaved }) => {
  let t: TestGateway;
  let gate: ReturnType<typeof interleaveTransactions> | null = null;

  beforeAll(async () => {
    t = await startGateway();
    if (interleaved) gate = interleaveTransactions(t);
  });

  afterAll(async () => {
    await t?.close();
  });

  /** Fires `n` requests at once (all started before any is awaited); interleaved, all n are inside the gateway together. */
  async function burst(n: number, make: (i: number) => Promise<ApiResponse>): Promise<ApiResponse[]> {
    const held = gate?.arm(n);
    const responses = await Promise.all(Array.from({ length: n }, (_, i) => make(i)));
    if (held) expect(await held, 'requests held together before their first transaction').toBe(n);
    return responses;
  }

  async function listAll(query = ''): Promise<any[]> {
    const items: any[] = [];
    let cursor: string | null = null;
    do {
      const res: ApiResponse = await t.api('GET', `${PR}?limit=100${query}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      items.push(...res.body.data);
      cursor = res.body.hasMore ? res.body.nextCursor : null;
    } while (cursor);
    return items;
  }

  async function create(extra: Record<string, unknown>): Promise<any> {
    const res = await t.api('POST', PR, { body: createBody(t, { allowConcurrent: true, ...extra }) });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  }

  /** A request that has been paid: `authorized` with captureMode manual, else `succeeded`. */
  async function paid(extra: Record<string, unknown>): Promise<any> {
    const request = await create(extra);
    const res = await t.api('POST', `/v1/sandbox/payment-requests/${request.id}/pay`, { body: { outcome: 'approve' } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  }

  async function get(id: string): Promise<any> {
    const res = await t.api('GET', `${PR}/${id}`);
    expect(res.status).toBe(200);
    return res.body;
  }

  it('identical creates with one Idempotency-Key make exactly one payment request', async () => {
    const body = createBody(t, { allowConcurrent: true, amount: 4201, metadata: { batch: 'idempotency' } });
    const responses = await burst(N, () => t.api('POST', PR, { body, headers: { 'idempotency-key': 'conc-idem-1' } }));

    for (const r of responses) {
      if (r.status === 201) continue;
      expect(r.status, JSON.stringify(r.body)).toBe(409);
      expect(r.body.code).toBe('idempotency_in_progress');
    }
    const ok = responses.filter((r) => r.status === 201);
    const fresh = ok.filter((r) => r.headers.get('idempotent-replayed') !== 'true');
    expect(fresh).toHaveLength(1); // the effect ran once; every other 201 is a replay
    expect(new Set(ok.map((r) => r.body.id)).size).toBe(1);

    const made = (await listAll()).filter((p) => p.metadata.batch === 'idempotency');
    expect(made).toHaveLength(1);
    expect(made[0].id).toBe(fresh[0]!.body.id);

    // once settled, a retry replays the same object
    const retry = await t.api('POST', PR, { body, headers: { 'idempotency-key': 'conc-idem-1' } });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body.id).toBe(made[0].id);
  });

  it('identical creates with one reference (no Idempotency-Key) make exactly one payment request', async () => {
    const body = createBody(t, { allowConcurrent: true, amount: 4202, reference: 'conc-ref-1' });
    const responses = await burst(N, () => t.api('POST', PR, { body }));
    expect(tally(responses)).toEqual({ 201: 1, 200: N - 1 });
    expect(new Set(responses.map((r) => r.body.id)).size).toBe(1);
    expect(await listAll('&reference=conc-ref-1')).toHaveLength(1);
  });

  for (const n of [2, N]) {
    it(`${n} creates on one terminal without allowConcurrent: exactly one wins, the rest are terminal_busy`, async () => {
      const responses = await burst(n, (i) => t.api('POST', PR, { body: createBody(t, { amount: 5000 + i }) }));
      const winners = responses.filter((r) => r.status === 201);
      expect(tally(responses)).toEqual({ 201: 1, '409 terminal_busy': n - 1 });
      const winner = winners[0]!.body.id as string;
      for (const r of responses.filter((x) => x.status === 409)) {
        expect(r.body.detail).toContain(winner);
        expect(r.body.param).toBe('terminalId');
      }
      const active = (await listAll(`&terminalId=${t.terminalId}&active=true`)).filter((p) => !p.allowConcurrent);
      expect(active.map((p) => p.id)).toEqual([winner]);

      // free the terminal for what follows
      const cancelled = await t.api('POST', `${PR}/${winner}/cancel`, { body: {} });
      expect(cancelled.status).toBe(200);
      expect(cancelled.body.status).toBe('cancelled');
      expect((await listAll(`&terminalId=${t.terminalId}&active=true`)).filter((p) => !p.allowConcurrent)).toEqual([]);
    });
  }

  it('captures of an authorized request: exactly one succeeds', async () => {
    const request = await paid({ captureMode: 'manual', amount: 10000 });
    expect(request.status).toBe('authorized');
    expect(request.amountAuthorized).toBe(10000);

    const responses = await burst(N, () => t.api('POST', `${PR}/${request.id}/capture`, { body: { amount: 300 } }));
    const ok = responses.filter((r) => r.status === 200);
    expect(ok).toHaveLength(1);
    expect(ok[0]!.body).toMatchObject({ status: 'succeeded', amountCaptured: 300 });
    for (const r of responses.filter((x) => x.status !== 200)) {
      expect(r.status, JSON.stringify(r.body)).toBe(409);
      expect(['not_authorized', 'conflict']).toContain(r.body.code);
    }

    const after = await get(request.id);
    expect(after.status).toBe('succeeded');
    expect(after.amountCaptured).toBe(300);
    expect(after.amountCaptured).toBeLessThanOrEqual(after.amountAuthorized);
    expect(after.version).toBe(ok[0]!.body.version);
  });

  it('partial payments of one amount at once are each a payment (none refused as if it were another\'s)', async () => {
    const request = await create({ amount: 10000, partialAllowed: true });
    const responses = await burst(2, () => t.api('POST', `/v1/sandbox/payment-requests/${request.id}/pay`, { body: { outcome: 'approve', amount: 3000 } }));
    expect(tally(responses)).toEqual({ 200: 2 });
    expect(await get(request.id)).toMatchObject({ status: 'pending', amountReceived: 6000 });
  });

  it('Centrapay confirmations of one amount under two idempotencyKeys at once: both are captured', async () => {
    const cp = centrapayClient(t);
    const preAuth = await cp.createOk({ preAuth: true }, '10000');
    const paidOut = await t.api('POST', `/v1/sandbox/payment-requests/${preAuth.id}/pay`, { body: { outcome: 'approve' } });
    expect(paidOut.status, JSON.stringify(paidOut.body)).toBe(200);
    const confirm = (key: string) => cp.confirm(preAuth.id, { idempotencyKey: key, invoiceRef: `INV-${key}`, lineItems: [{ name: 'Fuel', qty: '1', price: '3000' }] });
    const responses = await burst(2, (i) => confirm(`race-${i}`));
    expect(responses.map((r) => r.status)).toEqual([200, 200]);
    expect(await get(preAuth.id)).toMatchObject({ amountCaptured: 6000, amountAuthorized: 10000 });
  });

  let refunded: any;
  it('refunds with distinct references: exactly 33 of 300 fit into 10000', async () => {
    refunded = await paid({ amount: 10000 });
    expect(refunded).toMatchObject({ status: 'succeeded', amountCaptured: 10000 });

    const responses = await burst(N, (i) => t.api('POST', `${PR}/${refunded.id}/refunds`, { body: { amount: 300, reference: `conc-rf-${i}` } }));
    const counts = tally(responses);
    expect(counts['201']).toBe(33);
    expect((counts['400 amount_exceeds_refundable'] ?? 0) + (counts['409 conflict'] ?? 0)).toBe(17);
    expect(Object.keys(counts).filter((k) => !['201', '400 amount_exceeds_refundable', '409 conflict'].includes(k))).toEqual([]);
    for (const r of responses.filter((x) => x.status === 201)) expect(r.body).toMatchObject({ status: 'succeeded', amount: 300 });

    const after = await get(refunded.id);
    expect(after.amountRefunded).toBe(9900);
    expect(after.amountRefunded).toBeLessThanOrEqual(after.amountCaptured);
    expect(after.refundStatus).toBe('partial');

    const list = await t.api('GET', `${PR}/${refunded.id}/refunds?limit=100`);
    expect(list.status).toBe(200);
    expect(list.body.data).toHaveLength(33);
    expect(list.body.data.reduce((sum: number, rf: any) => sum + (rf.status === 'succeeded' ? rf.amount : 0), 0)).toBe(after.amountRefunded);
    expect(new Set(list.body.data.map((rf: any) => rf.reference)).size).toBe(33);
  });

  it('refunds with the same reference and amount: exactly one refund exists', async () => {
    const request = await paid({ amount: 10000 });
    const responses = await burst(N, () => t.api('POST', `${PR}/${request.id}/refunds`, { body: { amount: 500, reference: 'same-ref' } }));
    expect(tally(responses)).toEqual({ 201: 1, 200: N - 1 });
    expect(new Set(responses.map((r) => r.body.id)).size).toBe(1);

    const list = await t.api('GET', `${PR}/${request.id}/refunds?limit=100`);
    expect(list.body.data).toHaveLength(1);
    expect(list.body.data[0]).toMatchObject({ id: responses[0]!.body.id, amount: 500, reference: 'same-ref' });
    expect((await get(request.id)).amountRefunded).toBe(500);
  });

  it('events of the refunded request: per object, sequences are 1..n without gap or duplicate', async () => {
    expect(refunded, 'needs the refunds test').toBeDefined();
    const events: any[] = [];
    let cursor: string | null = null;
    do {
      const res: ApiResponse = await t.api('GET', `${PR}/${refunded.id}/events?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      events.push(...res.body.data);
      cursor = res.body.hasMore ? res.body.nextCursor : null;
    } while (cursor);

    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    const byObject = new Map<string, number[]>();
    for (const e of events) byObject.set(e.objectId, [...(byObject.get(e.objectId) ?? []), e.sequence]);
    for (const [objectId, sequences] of byObject) {
      expect(sequences, objectId).toEqual(sequences.map((_, i) => i + 1));
    }

    const refunds = [...byObject.keys()].filter((id) => id.startsWith('rf_'));
    expect(refunds).toHaveLength(33);
    for (const id of refunds) {
      expect(events.filter((e) => e.objectId === id).map((e) => e.type)).toEqual(['refund.created', 'refund.succeeded']);
    }
    expect(events.filter((e) => e.objectId === refunded.id).map((e) => e.type)).toEqual(['payment_request.created', 'payment_request.succeeded']);
    expect(events).toHaveLength(2 + 33 * 2);
  });
});
