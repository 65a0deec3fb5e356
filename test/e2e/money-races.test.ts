// Conflicting operations on one payment request fired at the same moment through the native API
// (real HTTP), each race run many times on a fresh request, on both drivers (the postgres project
// runs test/e2e too); the provider APIs' races are in money-races-apis.test.ts. The channel is the
// sandbox's, answering a few milliseconds later so that the units of work really interleave around
// it, and counting every money call. After every round the invariants are checked, never an
// interleaving (test/support/money-races.ts, audit): every answer is a 2xx or a documented refusal,
// never a 5xx; the totals, the refund rows, the events and the channel's calls agree; and at the end
// every committed event reached a webhook receiver, and nothing else did.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBody, startGateway, type ApiResponse, type TestGateway } from '../harness.js';
import { countedChannel } from '../support/counted-channel.js';
import { expectDocumented, ok, outcome, PR, raceGateway, ROUNDS, sum } from '../support/money-races.js';

const race = raceGateway();
const { channel, audit, create, paid, refund, action, pay, advance } = race;
let t: TestGateway;
beforeAll(() => {
  t = race.gateway();
});

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

describe('manual refunds', () => {
  it('a manual refund captured, cancelled and expiring at once: one end, its money sent only if captured', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const request = await paid();
      const made = await t.api('POST', `${PR}/${request.id}/refunds`, { body: { amount: 4000, reference: `manual-${round}`, captureMode: 'manual' } });
      expect(made.body.status, JSON.stringify(made.body)).toBe('requires_capture');
      const answers = await Promise.all([
        t.api('POST', `/v1/refunds/${made.body.id}/capture`, { body: {} }),
        t.api('POST', `/v1/refunds/${made.body.id}/capture`, { body: {} }),
        t.api('POST', `/v1/refunds/${made.body.id}/cancel`, { body: {} }),
        round % 2 === 0 ? advance(25 * 3600) : action(request.id, 'void'),
        refund(request.id, 7000, `big-${round}`),
      ]);
      for (const r of answers) expect({ round, status: r.status < 500 }, JSON.stringify(r.body)).toStrictEqual({ round, status: true });
      const after = await audit(request.id, round);
      const final = (await t.api('GET', `/v1/refunds/${made.body.id}`)).body;
      const captures = answers.slice(0, 2).filter(ok).length;
      if (ok(answers[2]!)) expect({ round, final: final.status, captures }).toStrictEqual({ round, final: 'cancelled', captures: 0 });
      if (captures > 0) expect({ round, final: final.status }).toStrictEqual({ round, final: 'succeeded' });
      expect({ round, refundedWithin: after.amountRefunded <= 10000 }).toStrictEqual({ round, refundedWithin: true });
    }
  });
});

describe('crypto refunds the channel settles later', () => {
  it('a pending refund failing while more refunds and a void come: the reservation is freed once, never over-refunded', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const request = await create();
      expect((await pay(request.id, { outcome: 'approve', method: 'crypto' })).status).toBe(200);
      const first = await refund(request.id, 6000, `crypto-${round}`);
      expect(first.body.status, JSON.stringify(first.body)).toBe('pending');
      const answers = await Promise.all([
        t.api('POST', `/v1/sandbox/refunds/${first.body.id}/outcome`, { body: { outcome: round % 2 === 0 ? 'failed' : 'succeeded' } }),
        refund(request.id, 6000, `crypto-${round}-b`),
        refund(request.id, 4000, `crypto-${round}-c`),
        round % 3 === 0 ? action(request.id, 'void') : Promise.resolve(null),
      ]);
      expect({ round, outcome: outcome(answers[0]!) }).toStrictEqual({ round, outcome: '200' });
      expectDocumented('refund', answers.slice(1, 3) as ApiResponse[], round);
      if (answers[3]) expectDocumented('void', [answers[3]], round);
      const after = await audit(request.id, round);
      const reserved = ((await t.api('GET', `${PR}/${request.id}/refunds?limit=100`)).body.data as any[]).filter((r) => ['pending', 'succeeded', 'requires_capture'].includes(r.status)).reduce((s, r) => s + r.amount, 0);
      expect({ round, reservedWithin: reserved <= after.amountCaptured }).toStrictEqual({ round, reservedWithin: true });
    }
  });
});

describe('the webhooks', () => {
  it('every committed event reached the receiver once delivered, and no other', () => race.expectEveryEventDelivered());
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

  it('a new request on the till of one overdue (not yet swept) is made: the overdue one is expired first, not named busy', async () => {
    const first = await g.api('POST', PR, { body: createBody(g, { amount: 2000, expiresInSeconds: 60 }) });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    clock.offsetMs += 61_000;
    const next = await g.api('POST', PR, { body: createBody(g, { amount: 2500 }) });
    const [row] = await g.query<{ status: string }>(`select status from payment_requests where id = '${first.body.id}'`);
    expect({ next: outcome(next), first: row!.status }).toStrictEqual({ next: '201', first: 'expired' });
    expect((await g.api('POST', `${PR}/${next.body.id}/cancel`, { body: {} })).status).toBe(200);
  });

  it('while the channel answers for the overdue one (a payment under way), the till is busy at once, and the payment still stands', async () => {
    const first = await g.api('POST', PR, { body: createBody(g, { amount: 2000, expiresInSeconds: 60 }) });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => { answer = resolve; });
    let asked!: () => void;
    const inFlight = new Promise<void>((resolve) => { asked = resolve; });
    own.during.authorize = async () => { clock.offsetMs += 61_000; asked(); await answered; };
    const paying = g.api('POST', `/v1/sandbox/payment-requests/${first.body.id}/pay`, { body: { outcome: 'approve', method: 'card' } });
    await inFlight;
    // (before: the expiry waited on the channel's command, 10 s, and the create answered 409 conflict)
    const next = await g.api('POST', PR, { body: createBody(g, { amount: 2500 }) });
    answer();
    expect({ next: outcome(next), paid: (await paying).body.status }).toStrictEqual({ next: '409 terminal_busy', paid: 'succeeded' });
  });
});
