import { describe, expect, it } from 'vitest';
import { DomainError } from './errors.js';
import type { PaymentRequest } from './payment-request.js';
import { applyRefundAction, createRefund, REFUND_ACTIONS, REFUND_STATUSES, REFUND_TRANSITIONS, type Refund } from './refund.js';

const NOW = Date.UTC(2026, 0, 1);
const succeeded = { id: 'pr_1', status: 'succeeded', amountCaptured: 1000, amountRefunded: 0, amountRefundReserved: 0, version: 3, livemode: false, merchantId: 'm', terminalId: 't', currency: 'NZD' } as PaymentRequest;

describe('refund state machine', () => {
  for (const status of REFUND_STATUSES) {
    for (const action of REFUND_ACTIONS) {
      const next = REFUND_TRANSITIONS[status][action];
      it(`${status} × ${action} → ${next ?? 'refused'}`, () => {
        const refund = { id: 'rf_1', status, amount: 100, version: 1 } as Refund;
        const request = { ...succeeded, amountRefundReserved: 100 };
        if (next) expect(applyRefundAction(refund, request, action, NOW).refund.status).toBe(next);
        else expect(() => applyRefundAction(refund, request, action, NOW)).toThrow(DomainError);
      });
    }
  }

  it('reserves against captured and refuses more than is refundable', () => {
    const first = createRefund(succeeded, { id: 'rf_1', amount: 700, reference: 'a', reason: null, captureMode: 'automatic' }, NOW);
    expect(first.request.amountRefundReserved).toBe(700);
    // the message states money as people read it, in any API: not the minor units of the native one
    expect(() => createRefund(first.request, { id: 'rf_2', amount: 301, reference: 'b', reason: null, captureMode: 'automatic' }, NOW))
      .toThrow('Cannot refund NZD 3.01: NZD 3.00 of the NZD 10.00 captured is still refundable.');
    const settled = applyRefundAction(first.refund, first.request, 'settle', NOW);
    expect(settled.request).toMatchObject({ amountRefunded: 700, amountRefundReserved: 700 });
  });

  it('refuses an amount that is not whole, positive minor units (with its code, never a RangeError)', () => {
    for (const amount of [0, -1, 1.5, 1e300, Number.NaN]) {
      expect(() => createRefund(succeeded, { id: 'rf_1', amount, reference: 'a', reason: null, captureMode: 'automatic' }, NOW)).toThrow(expect.objectContaining({ code: 'amount_invalid' }));
    }
  });

  it('a released manual refund frees its amount', () => {
    const manual = createRefund(succeeded, { id: 'rf_1', amount: 1000, reference: 'a', reason: null, captureMode: 'manual' }, NOW);
    expect(manual.refund).toMatchObject({ status: 'requires_capture', expiresAt: NOW + 24 * 3600 * 1000 });
    const expired = applyRefundAction(manual.refund, manual.request, 'expire', NOW);
    expect(expired.request.amountRefundReserved).toBe(0);
  });
});
