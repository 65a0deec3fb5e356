import { describe, expect, it } from 'vitest';
import { DomainError } from './errors.js';
import * as pr from './payment-request.js';
import type { PaymentRequest, PaymentRequestAction, PaymentRequestStatus } from './payment-request.js';

const NOW = Date.UTC(2026, 0, 1);
const TTL = 7 * 24 * 3600 * 1000;

function request(status: PaymentRequestStatus, patch: Partial<PaymentRequest> = {}): PaymentRequest {
  const base: PaymentRequest = {
    id: 'pr_test', livemode: false, merchantId: 'mer_1', storeId: 'sto_1', terminalId: 'term_1', status, statusReason: null, cancellationReason: null,
    amount: status === 'prepared' ? null : 1000, currency: 'NZD', amountReceived: 0, amountAuthorized: 0, amountCaptured: 0,
    amountRefunded: 0, amountRefundReserved: 0, overpaid: false, captureMode: status === 'authorized' ? 'manual' : 'automatic',
    reference: null, shortCode: 'ABC-DEF-GHJ', description: null, lineItems: null, metadata: {}, webhookUrl: null, redirectUrl: null,
    partialAllowed: false, basketAmount: null, patronNotPresent: false, allowConcurrent: false, allowedMethods: null, paymentMethod: null, methodDetails: null,
    patronId: null, source: 'native', fingerprint: null, externalRef: null, minimumAge: null, conditionsEnabled: null, conditions: [], authorizationTtlMs: null, expiresAt: NOW + 120_000, authorizationExpiresAt: null, createdAt: NOW,
    updatedAt: NOW, version: 1,
  };
  if (status === 'authorized') Object.assign(base, { amountReceived: 1000, amountAuthorized: 1000, authorizationExpiresAt: NOW + TTL });
  if (status === 'succeeded') Object.assign(base, { amountReceived: 1000, amountAuthorized: 1000, amountCaptured: 1000 });
  return { ...base, ...patch };
}

/** Applies an action with typical valid input; throws the core's DomainError when refused. */
function apply(r: PaymentRequest, action: PaymentRequestAction): PaymentRequestStatus {
  const now = NOW + 1000;
  switch (action) {
    case 'ready': return pr.ready(r, { amount: 500 }, now).request.status;
    case 'engage': return pr.engage(r, 'pat_1', now).request.status;
    case 'pay': return pr.pay(r, { authorizationTtlMs: TTL }, now).request.status;
    case 'decline': return pr.decline(r, now).request.status;
    case 'fail': return pr.fail(r, now).request.status;
    case 'patron_cancel': return pr.patronCancel(r, now).request.status;
    case 'cancel': return pr.cancel(r, now).request.status;
    case 'expire': return pr.expire(r, now).request.status;
    case 'capture': return pr.capture(r, undefined, now).request.status;
    case 'expire_authorization': return pr.expireAuthorization(r, now).request.status;
    case 'void': return pr.voidRequest(r, now).request.status;
    case 'confirm': return pr.confirm(r, 100, now).request.status;
    case 'release': return pr.release(r, now).request.status;
    case 'hold': return pr.holdForCondition({ ...r, conditionsEnabled: true }, now).request.status;
    case 'accept_condition': return pr.acceptCondition(awaiting(r), pr.AGE_CONDITION.id, now).request.status;
    case 'decline_condition': return pr.declineCondition(awaiting(r), pr.AGE_CONDITION.id, now).request.status;
    case 'decline_attempt': return pr.declineAttempt(r, now).request.status;
    case 'refund': {
      const { createRefund } = refundModule;
      // an authorization refunds what its confirmations captured (with nothing captured it is refused: below);
      // an unpaid end, what it still holds (a return that failed after the end)
      const captured = r.status === 'authorized' ? { ...r, amountCaptured: 300 } : pr.UNPAID_FINAL_STATUSES.includes(r.status) ? { ...r, amountReceived: 300, amountCaptured: 300 } : r;
      return createRefund(captured, { id: 'rf_1', amount: 100, reference: 'r1', reason: null, captureMode: 'automatic' }, now).request.status;
    }
  }
}
const refundModule = await import('./refund.js');
const awaiting = (r: PaymentRequest): PaymentRequest => ({ ...r, conditions: [{ ...pr.AGE_CONDITION, status: 'awaiting-merchant' }] });

describe('payment request transition table', () => {
  for (const status of pr.PAYMENT_REQUEST_STATUSES) {
    for (const action of pr.PAYMENT_REQUEST_ACTIONS) {
      const allowed = pr.PAYMENT_REQUEST_TRANSITIONS[status][action];
      it(`${status} × ${action} → ${allowed ? allowed.join('|') : 'refused'}`, () => {
        const r = request(status);
        if (allowed) {
          expect(allowed).toContain(apply(r, action));
        } else {
          expect(() => apply(r, action)).toThrow(DomainError);
        }
      });
    }
  }

  it('every final state accepts nothing but void/refund on succeeded, and a refund of what an unpaid end still holds', () => {
    for (const status of pr.FINAL_STATUSES) {
      const actions = Object.keys(pr.PAYMENT_REQUEST_TRANSITIONS[status]);
      expect(actions).toEqual(status === 'succeeded' ? ['void', 'refund'] : ['refund']);
    }
  });

  it('an unpaid end takes a refund only while it holds money (its return failed after the end), and no more than it holds', () => {
    const { createRefund, takesRefund } = refundModule;
    const refund = (amount: number) => ({ id: 'rf_1', amount, reference: 'r1', reason: null, captureMode: 'automatic' as const });
    for (const status of pr.UNPAID_FINAL_STATUSES) {
      const empty = request(status);
      expect(takesRefund(empty)).toBe(false);
      expect(() => createRefund(empty, refund(100), NOW)).toThrow(expect.objectContaining({ code: 'invalid_state' }));
      // 600 taken, a return of 600 that failed (nothing reserved any more): 600 is held
      const holding = request(status, { amountReceived: 600, amountCaptured: 600 });
      expect(takesRefund(holding)).toBe(true);
      expect(() => createRefund(holding, refund(601), NOW)).toThrow(expect.objectContaining({ code: 'amount_exceeds_refundable' }));
      expect(createRefund(holding, refund(600), NOW).request).toMatchObject({ status, amountRefundReserved: 600 });
      // while a return is still pending, what it reserves is not held again
      expect(takesRefund({ ...holding, amountRefundReserved: 600 })).toBe(false);
    }
  });
});

describe('pre-authorization: confirmations and release', () => {
  const authorized = request('authorized'); // 1000 authorized
  it('confirms in parts, never beyond what is authorized, and settles when all is confirmed', () => {
    const first = pr.confirm(authorized, 300, NOW);
    expect(first.request).toMatchObject({ status: 'authorized', amountCaptured: 300 });
    expect(first.events).toEqual(['payment_request.captured']);
    expect(() => pr.confirm(first.request, 701, NOW)).toThrow(expect.objectContaining({ code: 'amount_exceeds_authorized' }));
    const rest = pr.confirm(first.request, 700, NOW);
    expect(rest.request).toMatchObject({ status: 'succeeded', statusReason: 'released', amountCaptured: 1000 });
    expect(rest.events).toEqual(['payment_request.captured', 'payment_request.succeeded']);
  });

  it('release keeps what was confirmed, or cancels when nothing was', () => {
    expect(pr.release(pr.confirm(authorized, 300, NOW).request, NOW).request).toMatchObject({ status: 'succeeded', statusReason: 'released', amountCaptured: 300 });
    expect(pr.release(authorized, NOW).request).toMatchObject({ status: 'cancelled', statusReason: 'released', amountCaptured: 0 });
    expect(pr.release(request('created'), NOW).request).toMatchObject({ status: 'cancelled', statusReason: 'released' });
  });

  it('a capture after confirmations takes from what is left; a cancel keeps what was confirmed', () => {
    const confirmed = pr.confirm(authorized, 300, NOW).request;
    expect(pr.capture(confirmed, 100, NOW).request).toMatchObject({ status: 'succeeded', amountCaptured: 400 });
    expect(pr.capture(confirmed, undefined, NOW).request).toMatchObject({ status: 'succeeded', amountCaptured: 1000 });
    expect(() => pr.capture(confirmed, 701, NOW)).toThrow(expect.objectContaining({ code: 'amount_exceeds_authorized' }));
    expect(pr.cancel(confirmed, NOW).request).toMatchObject({ status: 'succeeded', statusReason: 'released', amountCaptured: 300 });
    expect(pr.cancel(authorized, NOW).request).toMatchObject({ status: 'cancelled', amountCaptured: 0 });
    for (const amount of [0, -5, 1.5]) expect(() => pr.confirm(authorized, amount, NOW)).toThrow(expect.objectContaining({ code: 'amount_invalid' }));
  });

  it('an authorization that runs out keeps what was confirmed', () => {
    expect(pr.expireAuthorization(pr.confirm(authorized, 300, NOW).request, NOW).request).toMatchObject({ status: 'succeeded', amountCaptured: 300 });
    expect(pr.expireAuthorization(authorized, NOW).request).toMatchObject({ status: 'expired', statusReason: 'authorization_expired' });
  });

  it('uses the request\'s own authorization lifetime when it has one', () => {
    const paid = pr.pay({ ...request('pending'), captureMode: 'manual', authorizationTtlMs: 5000 }, { authorizationTtlMs: TTL }, NOW);
    expect(paid.request.authorizationExpiresAt).toBe(NOW + 5000);
  });
});

describe('merchant conditions', () => {
  const restricted = (conditionsEnabled: boolean | null) =>
    request('pending', { conditionsEnabled, lineItems: [{ name: 'Wine', quantity: 1, unitAmount: 1000, restricted: true }] });
  it('restricted goods await the merchant only when the request has conditions', () => {
    expect(pr.awaitsCondition(restricted(true))).toBe(true);
    expect(pr.awaitsCondition(restricted(false))).toBe(true);
    expect(pr.awaitsCondition(restricted(null))).toBe(false);
    expect(pr.awaitsCondition(request('pending', { conditionsEnabled: true }))).toBe(false);
  });

  it('holds the payment for the merchant, or refuses it without conditions', () => {
    const held = pr.holdForCondition(restricted(true), NOW);
    expect(held.request.conditions).toEqual([{ ...pr.AGE_CONDITION, status: 'awaiting-merchant' }]);
    expect(held.events).toEqual(['payment_request.condition_raised']);
    expect(pr.holdForCondition(restricted(false), NOW).request).toMatchObject({ status: 'failed', statusReason: 'age_restriction' });
  });

  it('accepting lets the payment through once; declining cancels; a second answer is refused', () => {
    const held = pr.holdForCondition(restricted(true), NOW).request;
    const accepted = pr.acceptCondition(held, pr.AGE_CONDITION.id, NOW).request;
    expect(pr.awaitsCondition(accepted)).toBe(false);
    expect(() => pr.acceptCondition(accepted, pr.AGE_CONDITION.id, NOW)).toThrow(expect.objectContaining({ code: 'condition_already_set' }));
    expect(pr.declineCondition(held, pr.AGE_CONDITION.id, NOW).request).toMatchObject({ status: 'cancelled', statusReason: 'declined_by_merchant' });
    expect(() => pr.acceptCondition(held, 'other', NOW)).toThrow(expect.objectContaining({ code: 'not_found' }));
  });
});

describe('payment request rules', () => {
  it('refuses with the contract codes', () => {
    const code = (fn: () => unknown) => { try { fn(); } catch (e) { return (e as DomainError).code; } return 'none'; };
    expect(code(() => pr.cancel(request('succeeded'), NOW))).toBe('already_succeeded');
    expect(code(() => pr.capture(request('created'), undefined, NOW))).toBe('not_authorized');
    expect(code(() => pr.capture(request('authorized'), 1001, NOW))).toBe('amount_exceeds_authorized');
    expect(code(() => refundModule.createRefund(request('authorized'), { id: 'rf_1', amount: 1, reference: 'r', reason: null, captureMode: 'automatic' }, NOW))).toBe('invalid_state');
    for (const amount of [0, -1, 1.5, 1e300]) expect(code(() => pr.capture(request('authorized'), amount, NOW))).toBe('amount_invalid');
    // amounts in a refusal are money as people read it, whichever API shows the message
    expect(() => pr.capture(request('authorized'), 1001, NOW)).toThrow('Cannot capture NZD 10.01: only NZD 10.00 of the NZD 10.00 authorized is left.');
    expect(() => pr.pay(request('created'), { amount: 10, authorizationTtlMs: TTL }, NOW)).toThrow('The payment of NZD 0.10 is less than the NZD 10.00 owed');
    expect(code(() => pr.ready(request('created'), { amount: 1 }, NOW))).toBe('not_prepared');
    expect(code(() => pr.pay(request('expired'), { authorizationTtlMs: TTL }, NOW))).toBe('request_expired');
    expect(code(() => pr.voidRequest(request('succeeded'), NOW + pr.VOID_WINDOW_MS + 1))).toBe('void_window_exceeded');
    expect(code(() => pr.pay(request('created'), { amount: 10, authorizationTtlMs: TTL }, NOW))).toBe('partial_payment_not_allowed');
  });

  it('partial payments accumulate while pending, then settle; overpayment is flagged', () => {
    const start = request('created', { partialAllowed: true });
    const first = pr.pay(start, { amount: 400, authorizationTtlMs: TTL }, NOW);
    expect(first.request).toMatchObject({ status: 'pending', amountReceived: 400 });
    expect(first.events).toEqual(['payment_request.pending', 'payment_request.partially_paid']);
    const second = pr.pay(first.request, { amount: 700, authorizationTtlMs: TTL }, NOW);
    expect(second.request).toMatchObject({ status: 'succeeded', amountReceived: 1100, amountCaptured: 1000, overpaid: true });
  });

  it('money a channel already holds is taken whole: an overpayment\'s excess is captured, so it can be refunded', () => {
    const held = pr.pay(request('created'), { amount: 1250, authorizationTtlMs: TTL, holdsExcess: true }, NOW).request;
    expect(held).toMatchObject({ status: 'succeeded', amountReceived: 1250, amountAuthorized: 1250, amountCaptured: 1250, overpaid: true });
    expect(pr.refundableAmount(held)).toBe(1250);
    const exact = pr.pay(request('created'), { amount: 1000, authorizationTtlMs: TTL, holdsExcess: true }, NOW).request;
    expect(exact).toMatchObject({ amountCaptured: 1000, overpaid: false });
  });

  it('a request that ends unpaid owes back what the patron already paid', () => {
    const partly = pr.pay(request('created', { partialAllowed: true }), { amount: 600, authorizationTtlMs: TTL }, NOW).request;
    for (const end of [pr.cancel(partly, NOW, 'out of stock'), pr.expire(partly, NOW), pr.decline(partly, NOW), pr.patronCancel(partly, NOW)]) {
      expect(end.request).toMatchObject({ amountReceived: 600, amountCaptured: 600, amountAuthorized: 600 });
      expect(pr.owedBack(end.request)).toBe(600);
    }
    expect(pr.cancel(partly, NOW, 'out of stock').request).toMatchObject({ statusReason: 'cancelled_by_merchant', cancellationReason: 'out of stock' });
    expect(pr.owedBack(pr.cancel(request('created'), NOW).request)).toBe(0);
    const voided = pr.voidRequest(request('succeeded'), NOW).request;
    expect(pr.owedBack(voided)).toBe(1000);
    expect(pr.owedBack(request('succeeded'))).toBe(0);
  });

  it("the merchant's underpayment tolerance settles a payment a little short, capturing what arrived", () => {
    const start = request('created', { partialAllowed: true });
    expect(pr.settles(9_950, 10_000, 50)).toBe(true);
    expect(pr.settles(9_949, 10_000, 50)).toBe(false);
    const short = pr.pay(start, { amount: 995, toleranceBps: 50, authorizationTtlMs: TTL }, NOW).request;
    expect(short).toMatchObject({ status: 'succeeded', amountReceived: 995, amountCaptured: 995, amountAuthorized: 995, overpaid: false });
    expect(pr.pay(start, { amount: 994, toleranceBps: 50, authorizationTtlMs: TTL }, NOW).request.status).toBe('pending');
  });

  it('manual capture authorizes, captures partially, and expires the authorization after its ttl', () => {
    const authorized = pr.pay(request('created', { captureMode: 'manual' }), { authorizationTtlMs: TTL }, NOW).request;
    expect(authorized).toMatchObject({ status: 'authorized', amountAuthorized: 1000, authorizationExpiresAt: NOW + TTL });
    expect(pr.capture(authorized, 600, NOW).request).toMatchObject({ status: 'succeeded', amountCaptured: 600 });
    expect(pr.expireIfDue(authorized, NOW + TTL - 1)).toBeNull();
    expect(pr.expireIfDue(authorized, NOW + TTL)?.request).toMatchObject({ status: 'expired', statusReason: 'authorization_expired' });
  });

  it('mayExpire says exactly whether expireIfDue acts at some time, for every status', () => {
    const forever = Number.MAX_SAFE_INTEGER;
    const cases = [...pr.PAYMENT_REQUEST_STATUSES.map((status) => request(status)), request('authorized', { authorizationExpiresAt: null })];
    for (const r of cases) expect(pr.mayExpire(r), `${r.status}, authorization expiry ${r.authorizationExpiresAt}`).toBe(pr.expireIfDue(r, forever) !== null);
    expect(cases.filter(pr.mayExpire).map((r) => r.status)).toEqual(['prepared', 'created', 'pending', 'authorized']);
  });

  it('ready on a paired prepared request issues it to the patron (pending)', () => {
    const paired = pr.engage(request('prepared'), 'pat_1', NOW).request;
    expect(paired.status).toBe('prepared');
    expect(pr.ready(paired, { amount: 500 }, NOW).request).toMatchObject({ status: 'pending', amount: 500 });
  });

  it('every transition bumps the version by one', () => {
    const next = pr.cancel(request('created'), NOW).request;
    expect(next.version).toBe(2);
  });

  it('line items must add up to the amount', () => {
    expect(pr.checkLineItems(1000, [{ name: 'a', quantity: 2, unitAmount: 600, discountAmount: 200 }])).toBeNull();
    expect(pr.checkLineItems(1000, [{ name: 'a', quantity: 1, unitAmount: 999 }])?.code).toBe('line_items_mismatch');
  });

  it('a mismatch states both sums as money when the currency is known, and says minor units when not', () => {
    const lines = [{ name: 'a', quantity: 1, unitAmount: 999 }];
    expect(pr.checkLineItems(100_000, lines, 'NZD')?.message).toBe('The line items add up to NZD 9.99, but amount is NZD 1,000.00.');
    expect(pr.checkLineItems(1000, lines, 'JPY')?.message).toBe('The line items add up to JPY 999, but amount is JPY 1,000.');
    expect(pr.checkLineItems(1000, lines)?.message).toBe('The line items add up to 999 minor units, but amount is 1000 minor units.');
  });

  it('line totals and their sum are exact: a product past 2^53 is refused, a sum past 10^12 is never a rounded number', () => {
    // 1 000 000 × 10^12 is far past 2^53: refused, not rounded into range
    expect(pr.checkLineItems(null, [{ name: 'a', quantity: 1_000_000, unitAmount: 1_000_000_000_000 }])?.code).toBe('parameter_invalid');
    // 2^53 − 1 exactly is still a product we can hold; with the discount the line is within 10^12
    expect(pr.checkLineItems(null, [{ name: 'a', quantity: 7, unitAmount: 1_286_742_750_677_284, discountAmount: 1_000_000_000_000 }])?.code).toBe('parameter_invalid');
    expect(pr.checkLineItems(null, [{ name: 'a', quantity: 1.5, unitAmount: 2 }])?.code).toBe('parameter_invalid');
    // 9 008 lines of 999 999 999 999: the float sum (past 2^53) would be rounded; the mismatch reports no rounded number
    const many = Array.from({ length: 9_008 }, () => ({ name: 'x', quantity: 1, unitAmount: 999_999_999_999 }));
    const mismatch = pr.checkLineItems(1_000_000_000_000, many);
    expect(mismatch?.code).toBe('line_items_mismatch');
    expect(mismatch?.facts).toEqual({ sum: null, amount: 1_000_000_000_000 });
    expect(mismatch?.message).toContain('more than the largest amount');
  });
});

describe('settles: exact tolerance arithmetic (no float past 2^53)', () => {
  const amount = 999_999_990_099;
  // 101 bps short is allowed: received must be ≥ amount × 9899 / 10000 = 989 899 990 199.0001, i.e. ≥ 989 899 990 200
  it('the issue\'s example: 989 899 990 199 received of 999 999 990 099 at 101 bps does not settle', () => {
    expect(989_899_990_199 * 10_000 >= amount * 9_899).toBe(true); // what the float comparison said
    expect(pr.settles(989_899_990_199, amount, 101)).toBe(false);
    expect(pr.settles(989_899_990_200, amount, 101)).toBe(true);
  });

  it('at the exact boundary: received × 10000 = amount × (10000 − bps) settles, one less does not', () => {
    // 10^12 × 9950 / 10000 = 995 000 000 000 exactly
    expect(pr.settles(995_000_000_000, 1_000_000_000_000, 50)).toBe(true);
    expect(pr.settles(994_999_999_999, 1_000_000_000_000, 50)).toBe(false);
    expect(pr.settles(1_000_000_000_000, 1_000_000_000_000, 0)).toBe(true);
    expect(pr.settles(999_999_999_999, 1_000_000_000_000, 0)).toBe(false);
    expect(pr.settles(0, 1_000_000_000_000, 10_000)).toBe(true); // 100 % tolerance: anything settles
    expect(pr.settles(1_000_000_000_001, 1_000_000_000_000, 0)).toBe(true); // overpaid
  });

  it('pay uses it: the short payment stays partial (or is refused) instead of settling', () => {
    const base = request('created', { amount, partialAllowed: true });
    expect(pr.pay(base, { amount: 989_899_990_199, toleranceBps: 101, authorizationTtlMs: TTL }, NOW).request.status).toBe('pending');
    expect(pr.pay(base, { amount: 989_899_990_200, toleranceBps: 101, authorizationTtlMs: TTL }, NOW).request)
      .toMatchObject({ status: 'succeeded', amountCaptured: 989_899_990_200 });
    expect(() => pr.pay({ ...base, partialAllowed: false }, { amount: 989_899_990_199, toleranceBps: 101, authorizationTtlMs: TTL }, NOW))
      .toThrow(expect.objectContaining({ code: 'partial_payment_not_allowed' }));
  });
});

describe('declineAttempt: a refused attempt leaves the request payable', () => {
  it('drops the channel instructions and returns to created, with its own event', () => {
    const chosen = pr.chooseMethod(request('created', { amount: 500 }), 'mobile_money', { phone: '0244000000' }, NOW).request;
    const { request: after, events } = pr.declineAttempt(chosen, NOW + 1);
    expect(after).toMatchObject({ status: 'created', statusReason: 'payment_declined', paymentMethod: null, methodDetails: null, version: chosen.version + 1 });
    expect(events).toEqual(['payment_request.payment_declined']);
    expect(pr.pay(after, { authorizationTtlMs: TTL }, NOW + 2).request.status).toBe('succeeded');
  });

  it('stays pending when a patron is engaged; is refused once the request ended', () => {
    expect(pr.declineAttempt(request('pending', { amount: 500, patronId: 'pat_1' }), NOW).request.status).toBe('pending');
    expect(() => pr.declineAttempt(request('succeeded'), NOW)).toThrow(DomainError);
  });

  it('keeps the channel a part was already paid through (the rest must come the same way), dropping only its instructions', () => {
    const partly = request('pending', { amount: 500, amountReceived: 200, partialAllowed: true, paymentMethod: 'mobile_money', methodDetails: { phone: '0244000000' } });
    expect(pr.declineAttempt(partly, NOW).request).toMatchObject({ status: 'pending', paymentMethod: 'mobile_money', methodDetails: null });
  });
});

describe('sameEnding: a return of what a request owes belongs to one ending', () => {
  it('is the same state and reason made of the same version, and no other', () => {
    const partlyPaid = request('pending', { amountReceived: 400 });
    const cancelled = pr.cancel(partlyPaid, NOW);
    expect(pr.sameEnding(cancelled, pr.cancel(partlyPaid, NOW + 5))).toBe(true);
    expect(pr.sameEnding(cancelled, pr.expire(partlyPaid, NOW))).toBe(false); // another ending of the same version
    expect(pr.sameEnding(cancelled, pr.patronCancel(partlyPaid, NOW))).toBe(false); // the same status, another reason
    expect(pr.sameEnding(cancelled, pr.cancel({ ...partlyPaid, version: partlyPaid.version + 1 }, NOW))).toBe(false);
  });
});
