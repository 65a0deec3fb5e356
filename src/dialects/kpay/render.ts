// KPAY's status names and its `data` object, rendered from posgate's one stored state.
import { virtualAccountNumber } from '../../connectors/sandbox/connector.js';
import type { PaymentRequest } from '../../core/payment-request.js';
import type { KpayCode } from './errors.js';
import type { KpayFields } from './fields.js';

export type KpayStatus = 'PENDING' | 'SUCCESSFUL' | 'FAILED' | 'EXPIRED' | 'CANCELLED';

export function statusOf(request: Pick<PaymentRequest, 'status'>): KpayStatus {
  switch (request.status) {
    case 'created':
    case 'prepared':
    case 'pending':
    case 'authorized': // KPAY requests capture at once; a manual-capture request made elsewhere waits here
      return 'PENDING';
    case 'succeeded':
      return 'SUCCESSFUL';
    case 'failed':
      return 'FAILED';
    case 'expired':
      return 'EXPIRED';
    case 'cancelled':
      return 'CANCELLED';
  }
}

/** Nigeria is on WAT (UTC+1, no daylight saving): KPAY dates and times are Lagos time. */
const LAGOS_OFFSET_MS = 3600 * 1000;

export function lagosDateTime(ms: number): { transactionDate: string; transactionTime: string } {
  const iso = new Date(ms + LAGOS_OFFSET_MS).toISOString();
  return { transactionDate: iso.slice(0, 10), transactionTime: iso.slice(11, 19) };
}

export const accountNumberOf = (request: Pick<PaymentRequest, 'id'>) => virtualAccountNumber(request.id);

export function dataOf(request: PaymentRequest, fields: KpayFields) {
  const status = statusOf(request);
  const responseCode: KpayCode = status === 'PENDING' ? '09' : '00';
  return {
    reference: request.reference ?? request.id,
    accountNumber: accountNumberOf(request),
    metaData: fields.metaData ?? null,
    // as the POS sent it; else the channel the patron used, in KPAY's upper case (a transfer by default)
    paymentMethod: fields.paymentMethod ?? request.paymentMethod?.toUpperCase() ?? 'BANK_TRANSFER',
    status,
    paymentRequestRefId: request.id,
    ...lagosDateTime(request.createdAt),
    responseCode,
    amount: String(request.amount ?? 0),
    // posgate's additions: what arrived so far and what is still due (kobo strings), and an overpayment
    amountPaid: String(request.amountReceived),
    amountDue: String(Math.max((request.amount ?? 0) - request.amountReceived, 0)),
    overpaid: request.overpaid,
  };
}

export type KpayData = ReturnType<typeof dataOf>;
