// Kowri's objects rendered from posgate's one stored state: the invoice (its status names, its
// items flat beside it), a payment attempt's status, and the redirect parameters of callbackUrl.
import { createHash } from 'node:crypto';
import type { PaymentRequest } from '../../core/payment-request.js';
import { localDateTime } from '../../core/time-zone.js';
import { uuidOfId } from '../../core/uuid-ids.js';
import { payUrlOf } from '../shared/links.js';
import { plainDecimal, twoDecimals } from './amounts.js';
import { channelName, channelOf, optionOf, type Provider } from './pay-options.js';
import type { Attempt, Invoice } from './records.js';

export type InvoiceStatus = 'OPEN' | 'CLOSED' | 'CANCELLED' | 'EXPIRED' | 'FAILED';
export type PaymentStatus = 'PENDING' | 'FULFILLED' | 'FAILED';

/** OPEN until paid (CLOSED) or cancelled; EXPIRED and FAILED are posgate's, for the ends Kowri does not name. */
export function invoiceStatusOf(request: Pick<PaymentRequest, 'status'>): InvoiceStatus {
  switch (request.status) {
    case 'prepared':
    case 'created':
    case 'pending':
    case 'authorized':
      return 'OPEN';
    case 'succeeded':
      return 'CLOSED';
    case 'cancelled':
      return 'CANCELLED';
    case 'expired':
      return 'EXPIRED';
    case 'failed':
      return 'FAILED';
  }
}

/** The invoiceNum (Kowri's pay_token): the request's id spelled as a UUID. */
export const invoiceNumOf = (request: Pick<PaymentRequest, 'id'>): string => uuidOfId(request.id) as string;

/** Digits derived from ids, for the receipt and channel references Kowri shows as numbers. */
function digitsOf(text: string, count: number): string {
  const digest = createHash('sha256').update(text).digest();
  let digits = '';
  for (let i = 0; digits.length < count; i++) digits += String((digest[i % digest.length] as number) % 10);
  return digits;
}

export const receiptNoOf = (request: Pick<PaymentRequest, 'id'>) => digitsOf(`receipt:${request.id}`, 12);
export const channelReferenceOf = (request: Pick<PaymentRequest, 'id'>, attempt: Attempt | null) => digitsOf(`channel:${request.id}:${attempt?.transactionId ?? ''}`, 10);

/** An empty invoice record, for a request made by another API (it has no Kowri fields). */
export function plainInvoice(request: PaymentRequest, serviceCode: string): Invoice {
  return {
    merchantOrderId: request.reference ?? request.id, reference: null, description: request.description, invoiceItems: null, trustedNum: null,
    metadata: [], callbackUrl: null, appId: null, serviceCode, attempts: [],
  };
}

/**
 * The attempt whose outcome the request (as it was at some version) tells, and its status: the
 * last attempt made at or before that version. An earlier attempt was superseded or refused.
 */
export function attemptStatus(request: PaymentRequest, invoice: Invoice, attempt: Attempt): PaymentStatus {
  const made = invoice.attempts.filter((a) => a.version <= request.version);
  if (made.at(-1)?.transactionId !== attempt.transactionId) return 'FAILED';
  // paid by this attempt's channel (not by another way after it was refused)
  if (request.status === 'succeeded') return request.paymentMethod === channelOf(attempt.provider) ? 'FULFILLED' : 'FAILED';
  // still under way: the request holds the channel's instructions for it
  if ((request.status === 'pending' || request.status === 'authorized') && request.methodDetails !== null) return 'PENDING';
  return 'FAILED';
}

/** The attempt the request's outcome (at its version) belongs to (null: paid, or ended, without one). */
export function currentAttempt(request: PaymentRequest, invoice: Invoice): Attempt | null {
  const attempt = invoice.attempts.filter((a) => a.version <= request.version).at(-1) ?? null;
  if (attempt && request.status === 'succeeded' && attemptStatus(request, invoice, attempt) !== 'FULFILLED') return null;
  return attempt;
}

/**
 * Kowri's redirect parameters on the invoice's callbackUrl: 0 paid, -1 technical error, -2 cancelled.
 * The seed names the paid transaction twice: `transac_id` in its redirect section, `transaction_id`
 * in its Callback Response table; a paid redirect carries both (the redirect section's string first).
 */
export function redirectWith(callbackUrl: string | null, status: '0' | '-1' | '-2', invoice: Invoice, request: PaymentRequest, transactionId: string | null): string | null {
  if (callbackUrl === null) return null;
  const parameters = [`status=${status}`];
  const paidBy = status === '0' && transactionId !== null ? encodeURIComponent(transactionId) : null;
  if (paidBy !== null) parameters.push(`transac_id=${paidBy}`);
  parameters.push(`cust_ref=${encodeURIComponent(invoice.merchantOrderId)}`, `pay_token=${invoiceNumOf(request)}`);
  if (paidBy !== null) parameters.push(`transaction_id=${paidBy}`);
  return `${callbackUrl}${callbackUrl.includes('?') ? '&' : '?'}${parameters.join('&')}`;
}

/** The invoice's callbackUrl as it stands: with its outcome's parameters once it ended, as given while OPEN. */
export function invoiceCallbackUrl(request: PaymentRequest, invoice: Invoice): string | null {
  const status = invoiceStatusOf(request);
  if (status === 'OPEN') return invoice.callbackUrl;
  if (status === 'CLOSED') return redirectWith(invoice.callbackUrl, '0', invoice, request, currentAttempt(request, invoice)?.transactionId ?? null);
  return redirectWith(invoice.callbackUrl, status === 'CANCELLED' ? '-2' : '-1', invoice, request, null);
}

export function renderItems(invoice: Invoice) {
  return (invoice.invoiceItems ?? []).map((item) => ({
    code: item.code, name: item.name, description: item.description, imgUrl: item.imgUrl,
    unitPrice: plainDecimal(item.unitPrice), quantity: item.quantity, subTotal: plainDecimal(item.subTotal),
  }));
}

/** The invoice object of createInvoice, getInvoiceSummary and cancelInvoice: one flat object. */
export function invoiceOfRequest(request: PaymentRequest, invoice: Invoice, publicUrl: string) {
  const amount = request.amount ?? 0;
  return {
    serviceCode: invoice.serviceCode,
    invoiceNum: invoiceNumOf(request),
    merchantOrderId: invoice.merchantOrderId,
    reference: invoice.reference,
    description: invoice.description,
    currency: request.currency,
    itemCount: invoice.invoiceItems?.length ?? 0,
    invoiceAmount: plainDecimal(amount),
    fees: '0',
    grandTotal: plainDecimal(amount),
    status: invoiceStatusOf(request),
    callbackUrl: invoiceCallbackUrl(request, invoice),
    checkoutUrl: `${payUrlOf(publicUrl, request.id)}?pay_token=${invoiceNumOf(request)}`,
    trustedNum: invoice.trustedNum,
    metadata: invoice.metadata,
    invoiceItems: renderItems(invoice),
  };
}

/** Kowri's home: dates are Accra time (GMT all year) for a merchant that has set no time zone. */
export const DEFAULT_TIME_ZONE = 'Africa/Accra';

/** A date as Kowri prints it, "2025-11-12T10:16:55", on the merchant's wall clock. */
export function kowriDate(ms: number, timeZone: string): string {
  const { date, time } = localDateTime(ms, timeZone);
  return `${date}T${time}`;
}

/** A payment attempt as processPayment, payNow and checkPaymentStatus show it. */
export function paymentOf(request: PaymentRequest, invoice: Invoice, attempt: Attempt, publicUrl: string) {
  const status = attemptStatus(request, invoice, attempt);
  const option = optionOf(attempt.provider as Provider);
  const invoiceNum = invoiceNumOf(request);
  const common = {
    status,
    success: status === 'FULFILLED',
    transactionId: attempt.transactionId,
    invoiceNum,
    orderId: invoice.merchantOrderId,
    amount: twoDecimals(request.amount ?? 0),
    currency: request.currency,
    serviceCode: invoice.serviceCode,
    provider: attempt.provider,
    receiptNo: status === 'FULFILLED' ? receiptNoOf(request) : null,
    comment: commentOf(status, request, invoice, attempt),
    callbackUrl: status === 'PENDING' ? invoice.callbackUrl : redirectWith(invoice.callbackUrl, status === 'FULFILLED' ? '0' : '-1', invoice, request, attempt.transactionId),
    paymentChannel: channelName(attempt.provider, request.paymentMethod),
  };
  if (option.type === 'CARD') {
    return { ...common, token: invoiceNum, reference: invoice.reference, redirectUrl: `${payUrlOf(publicUrl, request.id)}?pay_token=${invoiceNum}` };
  }
  return {
    ...common, walletTransId: channelReferenceOf(request, attempt), callerAccountNo: attempt.walletRef, callerTransId: attempt.transactionId, creditDebitFlag: 'D',
    authNotice: option.authNotice,
  };
}

/** The narration Kowri puts in `comment`. */
export function commentOf(status: PaymentStatus, request: PaymentRequest, invoice: Invoice, attempt: Attempt | null): string {
  const amount = `GHS${twoDecimals(request.amount ?? 0)}`;
  if (status === 'FULFILLED') return `Payment of ${amount} for order ${invoice.merchantOrderId} received`;
  if (status === 'PENDING') return attempt && optionOf(attempt.provider as Provider).type === 'CARD'
    ? 'Waiting for the customer to pay on the card page'
    : `A payment prompt for ${amount} was sent to ${attempt?.walletRef ?? 'the customer'}: waiting for approval`;
  if (request.status === 'cancelled') return 'The invoice was cancelled';
  if (request.status === 'expired') return 'The invoice expired before it was paid';
  return 'The payment was declined by the customer or the payment channel';
}
