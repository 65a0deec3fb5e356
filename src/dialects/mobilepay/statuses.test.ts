import { describe, expect, it } from 'vitest';
import { PAYMENT_REQUEST_STATUSES } from '../../core/payment-request.js';
import { REFUND_STATUSES } from '../../core/refund.js';
import { MOBILEPAY_STATUSES, paymentStatusOf, REFUND_STATUS_NAMES, STORED_STATUSES } from './statuses.js';

const REASONS = [null, 'cancelled_by_patron', 'cancelled_by_merchant', 'voided', 'expired', 'authorization_expired', 'declined', 'age_restriction', 'payment_failed'];

describe('MobilePay status names', () => {
  it('names every stored state, and a status filter asks the store for the state it came from', () => {
    for (const status of PAYMENT_REQUEST_STATUSES) {
      for (const statusReason of REASONS) {
        for (const patronId of [null, 'pat_1']) {
          const name = paymentStatusOf({ status, statusReason, patronId });
          expect(MOBILEPAY_STATUSES).toContain(name);
          expect(STORED_STATUSES[name]).toContain(status);
        }
      }
    }
  });

  it('tells the MobilePay-specific outcomes apart', () => {
    expect(paymentStatusOf({ status: 'prepared', statusReason: null, patronId: null })).toBe('Prepared');
    expect(paymentStatusOf({ status: 'prepared', statusReason: null, patronId: 'pat_1' })).toBe('Paired');
    expect(paymentStatusOf({ status: 'failed', statusReason: 'age_restriction', patronId: 'pat_1' })).toBe('RejectedByMobilePayDueToAgeRestrictions');
    expect(paymentStatusOf({ status: 'expired', statusReason: 'expired', patronId: null })).toBe('CancelledByMobilePay');
    expect(paymentStatusOf({ status: 'expired', statusReason: 'authorization_expired', patronId: 'pat_1' })).toBe('ExpiredAndCancelled');
    expect(paymentStatusOf({ status: 'failed', statusReason: 'payment_failed', patronId: 'pat_1' })).toBe('CancelledByMobilePay');
  });

  it('names every refund state', () => {
    for (const status of REFUND_STATUSES) expect(REFUND_STATUS_NAMES[status]).toMatch(/^[A-Z][A-Za-z]+$/);
  });
});
