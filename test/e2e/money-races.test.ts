// Conflicting operations on one payment request fired at the same moment over real HTTP, each race
// run many times on a fresh request, on both drivers (the postgres project runs test/e2e too). The
// channel is the sandbox's, answering a few milliseconds later so that the units of work really
// interleave around it, and counting every money call. After every round the invariants are
// checked, never an interleaving: every answer is a 2xx or a documented refusal (never a 5xx); Σ
// refunds ≤ captured ≤ authorized and the totals agree with the refund rows; each money movement
// was asked of the channel once (one command id) and is recorded, and nothing recorded moved no
// money; the events of each object are numbered 1..n, the request's last one shows it as it ended,
// each ending happened once, each refund's events end as it did; and at the end every committed
// event reached a webhook receiver, and nothing else did.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBody, startGateway, type ApiResponse, type TestGateway } from '../harness.js';
import { countedChannel, type MoneyCall } from '../support/counted-channel.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { demoClient as centrapayClient, type CpResponse } from '../dialects/centrapay/client.js';
import { demoClient as mobilepayClient, demoCredentials as mobilepayCredentials, type MpResponse } from '../dialects/mobilepay/client.js';

const PR = '/v1/payment-requests';
const ROUNDS = 20;

const channel = countedChannel();
let t: TestGateway;
let receiver: Receiver;
beforeAll(async () => {
  t = await startGateway({ connector: channel.connector });
  receiver = await startReceiver();
  const endpoint = await t.api('POST', '/v1/webhook-endpoints', { body: { url: receiver.url } });
  expect(endpoint.status, JSON.stringify(endpoint.body)).toBe(201);
});
afterAll(async () => {
  await t?.close();
  await receiver?.close();
});

type Answer = ApiResponse | CpResponse | MpResponse;
const outcome = (r: Answer) => (r.status < 300 ? String(r.status) : `${r.status} ${r.body?.code ?? ''}`.trim());
const ok = (r: Answer) => r.status >= 200 && r.status < 300;

/** The refusals each native operation documents (native-api.md, docs/api-decisions.md); anything else fails the round. */
const DOCUMENTED: Record<string, readonly string[]> = {
  refund: ['400 amount_exceeds_refundable', '409 invalid_state', '409 duplicate_reference', '409 conflict', '409 idempotency_in_progress', '422 idempotency_key_reused'],
  capture: ['409 not_authorized', '400 amount_exceeds_authorized', '409 invalid_state', '409 request_expired', '409 conflict'],
  cancel: ['409 already_succeeded', '409 invalid_state', '409 conflict'],
  void: ['409 invalid_state', '409 void_window_exceeded', '409 conflict'],
  pay: ['409 invalid_state', '409 request_expired', '400 partial_payment_not_allowed', '409 conflict'],
  advance: [],
};

function expectDocumented(op: keyof typeof DOCUMENTED, answers: readonly Answer[], round: number): void {
  for (const r of answers) {
    if (ok(r)) continue;
    expect({ round, op, outcome: outcome(r), documented: DOCUMENTED[op]!.includes(outcome(r)) }, JSON.stringify(r.body)).toMatchObject({ documented: true });
  }
}

/** A dialect's answer: its own success or a refusal in the 4xx range, never a 5xx. */
function expectNoServerError(answers: readonly Answer[], round: number): void {
  for (const r of answers) expect({ round, status: r.status < 500 }, typeof r.body === 'string' ? r.body : JSON.stringify(r.body)).toStrictEqual({ round, status: true });
}

async function allEvents(id: string): Promise<any[]> {
  const events: any[] = [];
  let cursor: string | null = null;
  do {
    const res: ApiResponse = await t.api('GET', `${PR}/${id}/events?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.status).toBe(200);
    events.push(...res.body.data);
    cursor = res.body.hasMore ? res.body.nextCursor : null;
  } while (cursor);
  return events;
}

const sum = (calls: readonly MoneyCall[]) => calls.reduce((total, c) => total + c.amount, 0);
const ENDINGS = ['payment_request.succeeded', 'payment_request.cancelled', 'payment_request.expired', 'payment_request.failed'];
const REFUND_EVENT: Record<string, string | null> = { succeeded: 'refund.succeeded', failed: 'refund.failed', cancelled: 'refund.cancelled', expired: 'refund.expired', pending: null, requires_capture: null };

/**
 * The request as it ended and what it says it moved, against its refund rows, its events and the
 * channel's calls. Returns the request (after the checks).
 */
async function audit(id: string, round: number): Promise<any> {
  const request = (await t.api('GET', `${PR}/${id}`)).body;
  const refunds: any[] = (await t.api('GET', `${PR}/${id}/refunds?limit=100`)).body.data;
  const events = await allEvents(id);
  const at = { round, id, status: request.status, statusReason: request.statusReason };

  // the totals within each other and agreeing with the refund rows
  expect({ ...at, capturedWithinAuthorized: request.amountCaptured <= request.amountAuthorized, refundedWithinCaptured: request.amountRefunded <= request.amountCaptured }).toMatchObject({ capturedWithinAuthorized: true, refundedWithinCaptured: true });
  expect({ ...at, amountRefunded: request.amountRefunded }).toStrictEqual({ ...at, amountRefunded: refunds.filter((r) => r.status === 'succeeded').reduce((s, r) => s + r.amount, 0) });
  const holding = refunds.filter((r) => ['pending', 'requires_capture', 'succeeded'].includes(r.status)).reduce((s, r) => s + r.amount, 0);
  expect({ ...at, refundRowsWithinCaptured: holding <= request.amountCaptured }).toMatchObject({ refundRowsWithinCaptured: true });

  // every object's events numbered 1..n; the request's last one shows it as it is
  const byObject = new Map<string, any[]>();
  for (const e of events) byObject.set(e.objectId, [...(byObject.get(e.objectId) ?? []), e]);
  for (const [objectId, list] of byObject) expect({ ...at, objectId, sequences: list.map((e) => e.sequence) }).toStrictEqual({ ...at, objectId, sequences: list.map((_, i) => i + 1) });
  const own = byObject.get(id) ?? [];
  const last = own.at(-1)?.data.object;
  const shown = (r: any) => ({ status: r.status, statusReason: r.statusReason, amountReceived: r.amountReceived, amountAuthorized: r.amountAuthorized, amountCaptured: r.amountCaptured });
  expect({ ...at, lastEvent: shown(last) }).toStrictEqual({ ...at, lastEvent: shown(request) });
  // each ending once; a request ends once, unless it succeeded and was then voided
  const endings = own.map((e) => e.type).filter((type) => ENDINGS.includes(type));
  expect({ ...at, endings: [...new Set(endings)].length === endings.length }).toMatchObject({ endings: true });
  const expectedEnding = request.status === 'cancelled' && request.statusReason === 'voided' ? ['payment_request.succeeded', 'payment_request.cancelled']
    : ENDINGS.includes(`payment_request.${request.status}`) ? [`payment_request.${request.status}`] : [];
  expect({ ...at, endings }).toStrictEqual({ ...at, endings: expectedEnding });
  // each refund: created first, then the event of how it ended (if it did), once
  for (const refund of refunds) {
    const types = (byObject.get(refund.id) ?? []).map((e) => e.type);
    const end = REFUND_EVENT[refund.status];
    const expected = end === null ? ['refund.created'] : ['refund.created', end];
    expect({ ...at, refund: refund.id, refundStatus: refund.status, types: types.filter((type) => type !== 'refund.pending') }).toStrictEqual({ ...at, refund: refund.id, refundStatus: refund.status, types: expected });
  }
  expect({ ...at, objects: [...byObject.keys()].sort() }).toStrictEqual({ ...at, objects: [id, ...refunds.map((r) => r.id)].sort() });

  // the channel: each movement once, each recorded; nothing recorded that moved nothing
  const sent = channel.movements(id, 'refund');
  const settled = refunds.filter((r) => r.status === 'succeeded' || r.status === 'pending');
  expect({ ...at, refundsSent: sent.map((c) => c.refundId).sort() }).toStrictEqual({ ...at, refundsSent: settled.map((r) => r.id).sort() });
  expect({ ...at, refundedByChannel: sum(sent) }).toStrictEqual({ ...at, refundedByChannel: request.amountRefunded });
  expect({ ...at, capturedByChannel: sum(channel.movements(id, 'capture')) }).toStrictEqual({ ...at, capturedByChannel: request.captureMode === 'manual' ? request.amountCaptured : 0 });
  const authorized = sum(channel.movements(id, 'authorize'));
  expect({ ...at, authorizedByChannel: authorized }).toStrictEqual({ ...at, authorizedByChannel: Math.min(request.amountReceived, request.amount ?? Infinity) });
  const releases = channel.movements(id, 'release');
  // an authorization that ends without a full capture (cancelled, expired, a pre-authorization's
  // release) is released; a capture of part takes the rest off with it, and a void ends a capture
  const released = request.captureMode === 'manual' && request.amountAuthorized > request.amountCaptured
    && ((['cancelled', 'expired', 'failed'].includes(request.status) && request.statusReason !== 'voided') || request.statusReason === 'released');
  expect({ ...at, releases: releases.length }).toStrictEqual({ ...at, releases: released ? 1 : 0 });
  return request;
}

async function create(extra: Record<string, unknown> = {}): Promise<any> {
  const res = await t.api('POST', PR, { body: createBody(t, { allowConcurrent: true, amount: 10000, expiresInSeconds: 3600, ...extra }) });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function paid(extra: Record<string, unknown> = {}): Promise<any> {
  const request = await create(extra);
  const res = await t.api('POST', `/v1/sandbox/payment-requests/${request.id}/pay`, { body: { outcome: 'approve' } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

const refund = (id: string, amount: number, reference: string, headers: Record<string, string> = {}) => t.api('POST', `${PR}/${id}/refunds`, { body: { amount, reference }, headers });
const action = (id: string, verb: 'capture' | 'cancel' | 'void', body: Record<string, unknown> = {}) => t.api('POST', `${PR}/${id}/${verb}`, { body });
const pay = (id: string, body: Record<string, unknown> = { outcome: 'approve' }) => t.api('POST', `/v1/sandbox/payment-requests/${id}/pay`, { body });
const advance = (seconds: number) => t.api('POST', '/v1/sandbox/clock/advance', { body: { seconds } });

describe('refunds whose sum exceeds what was captured', () => {
  it('never refund more than was captured; a refusal comes only when the refund no longer fits', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const request = await paid();
      const amounts = [3000, 3000, 3000, 3000, 2500, 1500, 1000, 4000];
      const answers = await Promise.all(amounts.map((amount, i) => refund(request.id, amount, `over-${i}`)));
      expectDocumented('refund', answers, round);
      const after = await audit(request.id, round);
      const made = answers.filter(ok);
      expect({ round, refunded: after.amountRefunded }).toStrictEqual({ round, refunded: made.reduce((s, r) => s + r.body.amount, 0) });
      for (const r of made) expect(r.body.status).toBe('succeeded');
      // a refusal for want of money means it did not fit in what was left at the end either
      answers.forEach((r, i) => {
        if (outcome(r) === '400 amount_exceeds_refundable') expect({ round, fits: amounts[i]! <= 10000 - after.amountRefunded }).toStrictEqual({ round, fits: false });
      });
    }
  });
});

describe('an authorization ended several ways at once', () => {
  it('capture (part and whole), cancel, void and the authorization lapsing: one ending, its money once', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const request = await paid({ captureMode: 'manual' });
      expect(request.status).toBe('authorized');
      const lapse = round % 2 === 0; // every other round the clock passes the authorization's 7 days meanwhile
      const [partial, whole, cancel, voided, moved] = await Promise.all([
        action(request.id, 'capture', { amount: 6000 }),
        action(request.id, 'capture'),
        action(request.id, 'cancel'),
        action(request.id, 'void'),
        lapse ? advance(8 * 24 * 3600) : Promise.resolve(null),
      ]);
      expectDocumented('capture', [partial!, whole!], round);
      expectDocumented('cancel', [cancel!], round);
      expectDocumented('void', [voided!], round);
      if (moved) expect(moved.status).toBe(200);
      const after = await audit(request.id, round);
      const captures = [partial!, whole!].filter(ok);
      expect({ round, captures: captures.length }).toStrictEqual({ round, captures: after.amountCaptured > 0 ? 1 : 0 });
      if (captures[0]) expect(after.amountCaptured).toBe(captures[0].body.amountCaptured);
      if (ok(cancel!)) expect({ round, captures: captures.length, status: after.status, statusReason: after.statusReason }).toStrictEqual({ round, captures: 0, status: 'cancelled', statusReason: 'cancelled_by_merchant' });
      if (ok(voided!)) expect({ round, captured: captures.length, statusReason: after.statusReason, refunded: after.amountRefunded }).toStrictEqual({ round, captured: 1, statusReason: 'voided', refunded: after.amountCaptured });
      if (after.status === 'expired') expect({ round, lapse, captures: captures.length, cancel: ok(cancel!) }).toStrictEqual({ round, lapse: true, captures: 0, cancel: false });
    }
  });
});

describe('the patron pays while the merchant cancels and the request runs out', () => {
  it('paid, or ended unpaid: never both, and money taken towards an unpaid end goes back', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const partial = round % 2 === 1;
      const request = await create({ expiresInSeconds: 120, partialAllowed: partial });
      const pays = partial ? [pay(request.id, { outcome: 'approve', amount: 3000 }), pay(request.id, { outcome: 'approve', amount: 3000 }), pay(request.id, { outcome: 'approve', amount: 4000 })]
        : [pay(request.id), pay(request.id)];
      const [cancel, patronCancel, moved, ...paying] = await Promise.all([
        action(request.id, 'cancel'),
        pay(request.id, { outcome: 'cancel' }),
        round % 3 === 0 ? advance(121) : Promise.resolve(null),
        ...pays,
      ]);
      expectDocumented('cancel', [cancel!], round);
      expectDocumented('pay', [patronCancel!, ...paying], round);
      if (moved) expect(moved.status).toBe(200);
      const after = await audit(request.id, round);
      const offered = partial ? [3000, 3000, 4000] : [10000, 10000];
      const paidIn = paying.reduce((s, r, i) => s + (ok(r) ? offered[i]! : 0), 0);
      if (after.status === 'succeeded') {
        expect({ round, cancelled: ok(cancel!) || ok(patronCancel!), received: after.amountReceived }).toStrictEqual({ round, cancelled: false, received: paidIn });
      } else {
        // ended unpaid: every approval that counted was returned, in one refund
        expect({ round, status: ['cancelled', 'expired'].includes(after.status), refunded: after.amountRefunded, refundStatus: after.refundStatus })
          .toStrictEqual({ round, status: true, refunded: after.amountReceived, refundStatus: after.amountReceived > 0 ? 'full' : 'none' });
      }
    }
  });
});

describe('one Idempotency-Key sent at once, with the same and with another body', () => {
  it('one effect; the same body replays it, another body is refused, nothing else', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const request = await paid();
      const key = `race-key-${round}`;
      const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? refund(request.id, 1000, `same-${round}`, { 'idempotency-key': key }) : refund(request.id, 2000, `other-${round}`, { 'idempotency-key': key }))));
      expectDocumented('refund', answers, round);
      const made = answers.filter(ok);
      const fresh = made.filter((r) => r.headers.get('idempotent-replayed') !== 'true');
      expect({ round, fresh: fresh.length, ids: new Set(made.map((r) => r.body.id)).size }).toStrictEqual({ round, fresh: 1, ids: 1 });
      const winner = fresh[0]!.body;
      answers.forEach((r, i) => {
        const sameBody = (i % 2 === 0) === (winner.amount === 1000);
        // another body is never answered with the winner's refund; the same body never refused as another
        if (!sameBody) expect({ round, i, outcome: outcome(r) }).toMatchObject({ outcome: expect.stringMatching(/^(422 idempotency_key_reused|409 idempotency_in_progress)$/) });
        else expect({ round, i, outcome: outcome(r) }).toMatchObject({ outcome: expect.stringMatching(/^(201|409 idempotency_in_progress)$/) });
      });
      const after = await audit(request.id, round);
      expect({ round, refunds: after.amountRefunded }).toStrictEqual({ round, refunds: winner.amount });
    }
  });
});

describe('provider APIs racing the native API on the same request', () => {
  it('Centrapay refunds and void against native refunds and void: Σ refunds ≤ captured, each movement once', async () => {
    const cp = centrapayClient(t);
    for (let round = 0; round < ROUNDS; round++) {
      const made = await cp.createOk({}, '10000');
      const id = (await t.api('POST', '/v1/sandbox/resolve', { body: { ref: made.id } })).body.id as string;
      expect((await pay(id)).status).toBe(200);
      const voiding = round % 2 === 0;
      const answers = await Promise.all([
        cp.refund(made.id, '4000', `cp-${round}-a`),
        cp.refund(made.id, '4000', `cp-${round}-b`),
        refund(id, 4000, `native-${round}-a`),
        refund(id, 3000, `native-${round}-b`),
        voiding ? cp.void(made.id) : cp.cancel(made.id),
        voiding ? action(id, 'void') : action(id, 'cancel'),
      ]);
      expectNoServerError(answers, round);
      expectDocumented('refund', answers.slice(2, 4) as ApiResponse[], round);
      const after = await audit(id, round);
      if (after.statusReason === 'voided') expect({ round, refunded: after.amountRefunded }).toStrictEqual({ round, refunded: 10000 });
    }
  });

  it('MobilePay capture, cancel and refunds against native capture, cancel and refunds: one ending, each movement once', async () => {
    const mp = mobilepayClient(t);
    const { terminalId } = mobilepayCredentials(t);
    for (let round = 0; round < ROUNDS; round++) {
      const start = await mp.get('payment/start', { orderId: `mp-race-${round}`, amount: '100.00', terminalId });
      expect(start.status, start.text).toBe(200);
      const paymentId = start.body.paymentId as string;
      const id = (await t.api('POST', '/v1/sandbox/resolve', { body: { ref: paymentId } })).body.id as string;
      expect((await pay(id)).status).toBe(200);
      const ending = await Promise.all([
        mp.get('payment/capture', { paymentId, amount: round % 2 === 0 ? '60.00' : undefined }),
        mp.get('payment/cancel', { paymentId }),
        action(id, 'capture', { amount: 5000 }),
        action(id, 'cancel'),
      ]);
      expectNoServerError(ending, round);
      expectDocumented('capture', [ending[2] as ApiResponse], round);
      expectDocumented('cancel', [ending[3] as ApiResponse], round);
      const captured = await audit(id, round);
      if (captured.status !== 'succeeded') {
        expect({ round, status: captured.status }).toStrictEqual({ round, status: 'cancelled' });
        continue;
      }
      const refunds = await Promise.all([
        mp.get('refund/create', { amount: '30.00', currencyCode: 'DKK', paymentId, refundOrderId: `mp-${round}-a` }),
        mp.get('refund/create', { amount: '30.00', currencyCode: 'DKK', paymentId, refundOrderId: `mp-${round}-b` }),
        refund(id, 3000, `native-mp-${round}`),
        action(id, 'void'),
      ]);
      expectNoServerError(refunds, round);
      const reserved = refunds.slice(0, 2).filter((r) => r.status === 200).map((r) => r.body.refundId as string);
      const captures = await Promise.all([...reserved.map((refundId) => mp.get('refund/capture', { refundId })), refund(id, 1000, `native-mp-${round}-late`)]);
      expectNoServerError(captures, round);
      await audit(id, round);
    }
  });
});

describe('the webhooks', () => {
  it('every committed event reached the receiver once delivered, and no other', async () => {
    for (let i = 0; i < 5; i++) await t.gateway.tick();
    const committed = await t.query<{ id: string }>("select id from events where type not in ('payment_request.payment_seen', 'payment_request.quote_renewed')");
    const received = new Set(receiver.received.map((r) => r.headers['webhook-id'] as string));
    expect([...received].sort()).toStrictEqual(committed.map((e) => e.id).sort());
  });
});

describe('a deadline passing while the channel answers', () => {
  it('a void decided inside its 24 h window stands once the channel has returned the money', async () => {
    const request = await paid();
    expect((await advance(24 * 3600 - 60)).status).toBe(200);
    channel.during.refund = async () => {
      expect((await advance(120)).status).toBe(200);
    };
    const voided = await action(request.id, 'void');
    const after = await audit(request.id, 0);
    expect({ void: outcome(voided), moved: channel.movements(request.id, 'refund').length, status: after.status, refunded: after.amountRefunded })
      .toStrictEqual({ void: '200', moved: 1, status: 'cancelled', refunded: 10000 });
  });
});

describe('an overdue request an action touches and is then refused', () => {
  // a clock of the test's own, which no sweep follows: the request is overdue until an action touches it
  const clock = { offsetMs: 0, now: () => Date.now() + clock.offsetMs };
  const own = countedChannel();
  let g: TestGateway;
  beforeAll(async () => {
    g = await startGateway({ clock, connector: own.connector });
  });
  afterAll(async () => {
    await g?.close();
  });

  it('the expiry and the return of what was paid stand, committed, whatever the refused action', async () => {
    for (const refused of ['pay', 'cancel', 'capture'] as const) {
      const created = await g.api('POST', PR, { body: createBody(g, { allowConcurrent: true, amount: 10000, partialAllowed: true, expiresInSeconds: 60 }) });
      const id = created.body.id as string;
      expect((await g.api('POST', `/v1/sandbox/payment-requests/${id}/pay`, { body: { outcome: 'approve', amount: 3000 } })).body.status).toBe('pending');
      clock.offsetMs += 61_000;
      const answer = refused === 'pay' ? await g.api('POST', `/v1/sandbox/payment-requests/${id}/pay`, { body: { outcome: 'approve', amount: 7000 } })
        : await g.api('POST', `${PR}/${id}/${refused}`, { body: {} });
      // straight from the database: a read through the API would expire it itself
      const [row] = await g.query<{ status: string; channel_command_id: string | null; amount_refunded: number }>(`select status, channel_command_id, amount_refunded from payment_requests where id = '${id}'`);
      const returns = own.movements(id, 'refund');
      expect({ refused, answer: outcome(answer), row: { ...row, amount_refunded: Number(row!.amount_refunded) }, returned: sum(returns), asked: own.calls.filter((c) => c.requestId === id && c.kind === 'refund').length })
        .toStrictEqual({ refused, answer: refused === 'pay' ? '409 request_expired' : refused === 'cancel' ? '409 invalid_state' : '409 not_authorized', row: { status: 'expired', channel_command_id: null, amount_refunded: 3000 }, returned: 3000, asked: 1 });
    }
  });
});
