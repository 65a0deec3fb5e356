import { describe, expect, it } from 'vitest';
import { amounts } from './amounts.js';
import type { PaymentRequestStatus } from './payment-request.js';

const request = (status: PaymentRequestStatus, amount: number | null, amountReceived = 0, amountCaptured = 0) => ({ status, amount, amountReceived, amountCaptured });

describe('amounts: due, paid, outstanding, overpaid', () => {
  it('a new request: all of it outstanding and due, nothing paid', () => {
    expect(amounts(request('created', 1050))).toEqual({ requested: 1050, received: 0, outstanding: 1050, overpaid: 0, paid: 0, due: 1050 });
  });

  it('a part payment: paid and the rest due and outstanding', () => {
    expect(amounts(request('pending', 1050, 400))).toEqual({ requested: 1050, received: 400, outstanding: 650, overpaid: 0, paid: 400, due: 650 });
  });

  it('a prepared request has no amount: nothing outstanding to pay against, nothing due', () => {
    expect(amounts(request('prepared', null))).toMatchObject({ requested: null, outstanding: null, overpaid: 0, paid: 0, due: 0 });
  });

  it('succeeded: paid is what was captured, nothing due; an overpayment is counted, not paid', () => {
    expect(amounts(request('succeeded', 1000, 1200, 1000))).toEqual({ requested: 1000, received: 1200, outstanding: 0, overpaid: 200, paid: 1000, due: 0 });
  });

  it('succeeded within the merchant\'s tolerance: nothing due, though 5 is outstanding', () => {
    expect(amounts(request('succeeded', 1000, 995, 995))).toMatchObject({ outstanding: 5, paid: 995, due: 0 });
  });

  it('a released pre-authorization counts what was confirmed as paid', () => {
    expect(amounts(request('succeeded', 1000, 1000, 500))).toMatchObject({ paid: 500, due: 0 });
  });

  it('authorized: nothing due, nothing paid yet (nothing is taken)', () => {
    expect(amounts(request('authorized', 1000, 1000, 0))).toMatchObject({ outstanding: 0, paid: 0, due: 0 });
  });

  it.each(['cancelled', 'expired', 'failed'] as const)('%s after a part payment: the money went back, so nothing paid and all due; outstanding stays amount − received', (status) => {
    expect(amounts(request(status, 1050, 400, 400))).toEqual({ requested: 1050, received: 400, outstanding: 650, overpaid: 0, paid: 0, due: 1050 });
  });
});
