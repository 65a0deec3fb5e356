// MobilePay's status names, rendered from posgate's one stored state (see docs/dialects/mobilepay.md).
import type { PaymentRequest, PaymentRequestStatus } from '../../core/payment-request.js';
import type { RefundStatus } from '../../core/refund.js';

export const MOBILEPAY_STATUSES = [
  'Initiated', 'Prepared', 'Paired', 'IssuedToUser', 'Reserved', 'Captured', 'CancelledByUser', 'CancelledByClient',
  'CancelledByMobilePay', 'ExpiredAndCancelled', 'RejectedByMobilePayDueToAgeRestrictions',
] as const;
export type MobilePayStatus = (typeof MOBILEPAY_STATUSES)[number];

export function paymentStatusOf(request: Pick<PaymentRequest, 'status' | 'statusReason' | 'patronId'>): MobilePayStatus {
  switch (request.status) {
    case 'prepared':
      return request.patronId ? 'Paired' : 'Prepared';
    case 'created':
      return 'Initiated';
    case 'pending':
      return 'IssuedToUser';
    case 'authorized':
      return 'Reserved';
    case 'succeeded':
      return 'Captured';
    case 'cancelled':
      return request.statusReason === 'cancelled_by_patron' ? 'CancelledByUser' : 'CancelledByClient';
    case 'expired':
      return request.statusReason === 'authorization_expired' ? 'ExpiredAndCancelled' : 'CancelledByMobilePay';
    case 'failed':
      if (request.statusReason === 'age_restriction') return 'RejectedByMobilePayDueToAgeRestrictions';
      return request.statusReason === 'declined' ? 'CancelledByUser' : 'CancelledByMobilePay';
  }
}

/** The stored states each MobilePay status comes from: what a status filter asks the store for. */
export const STORED_STATUSES: Readonly<Record<MobilePayStatus, readonly PaymentRequestStatus[]>> = {
  Initiated: ['created'],
  Prepared: ['prepared'],
  Paired: ['prepared'],
  IssuedToUser: ['pending'],
  Reserved: ['authorized'],
  Captured: ['succeeded'],
  CancelledByUser: ['cancelled', 'failed'],
  CancelledByClient: ['cancelled'],
  CancelledByMobilePay: ['expired', 'failed'],
  ExpiredAndCancelled: ['expired'],
  RejectedByMobilePayDueToAgeRestrictions: ['failed'],
};

export const REFUND_STATUS_NAMES: Record<RefundStatus, string> = {
  pending: 'Initiated',
  requires_capture: 'Reserved',
  succeeded: 'Captured',
  cancelled: 'CancelledByClient',
  expired: 'ExpiredAndCancelled',
  failed: 'Rejected',
};
