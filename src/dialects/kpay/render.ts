// KPAY's status names and its `data` object, rendered from posgate's one stored state.
import { virtualAccountNumber } from '../../connectors/sandbox/connector.js';
import type { PaymentRequest } from '../../core/payment-request.js';
import { localDateTime } from '../../core/time-zone.js';
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

/** KPAY's home: dates and times are Lagos time (WAT) for a merchant that has set no time zone. */
export const DEFAULT_TIME_ZONE = 'Africa/Lagos';

function transactionDateTime(ms: number, timeZone: string): { transactionDate: string; transactionTime: string } {
  const { date, time } = localDateTime(ms, timeZone);
  return { transactionDate: date, transactionTime: time };
}

export const accountNumberOf = (request: Pick<PaymentRequest, 'id'>) => virtualAccountNumber(request.id);

/** The request object, with its date and time on the merchant's wall clock (`timeZone`). */
export function dataOf(request: PaymentRequest, fields: KpayFields, timeZone: string) {
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
    ...transactionDateTime(request.createdAt, timeZone),
    responseCode,
    amount: String(request.amount ?? 0),
    // posgate's additions: what arrived so far and what is still due (kobo strings), and an overpayment
    amountPaid: String(request.amountReceived),
    amountDue: String(Math.max((request.amount ?? 0) - request.amountReceived, 0)),
    overpaid: request.overpaid,
  };
}

export type KpayData = ReturnType<typeof dataOf>;
