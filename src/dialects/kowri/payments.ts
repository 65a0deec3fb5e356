// Paying an invoice (processPayment, payNow's second half): the provider's channel is chosen on the
// request (a mobile-money prompt to the wallet, the card page, …) and the attempt is recorded under
// the POS's transactionId. Its outcome comes later: an inbound channel event (a prompt approved or
// declined) or the patron on the card page; an attempt's status is read from the request.
import type { Caller } from '../../app/context.js';
import type { ReadTx } from '../../app/ports/persistence.js';
import type { Work } from '../../app/unit-of-work.js';
import { choose } from '../../app/use-cases/channels.js';
import { loadCurrent } from '../../app/use-cases/payment-requests.js';
import { amounts } from '../../core/amounts.js';
import { DomainError } from '../../core/errors.js';
import type { PaymentRequest } from '../../core/payment-request.js';
import type { KowriCaller } from './credentials.js';
import { channelChoiceOf, type Provider } from './pay-options.js';
import { claimTransaction, invoiceOf, requestOfTransaction, saveInvoice, type Attempt, type Invoice } from './records.js';
import { plainInvoice } from './render.js';

export interface PaymentFields {
  provider: Provider;
  walletRef?: string;
  customerName?: string;
  customerMobile?: string;
  transactionId: string;
}

export interface Started {
  request: PaymentRequest;
  invoice: Invoice;
  attempt: Attempt;
}

/**
 * A new payment's transactionId: the POS's own, or, when none is given ("" or absent, as every
 * Kowri example sends it), one posgate makes (base62, 11 characters), answered as the payment's
 * transactionId for checkPaymentStatus. Made inside the unit of work: a requestId's replay
 * answers the same one.
 */
export function transactionIdOf(unit: Work, given: string | undefined): string {
  return given !== undefined && given !== '' ? given : unit.app.ids.secret('', 8);
}

/** Only an OPEN invoice (nothing ended, nothing authorized) takes a payment. */
function assertOpen(request: PaymentRequest): void {
  if (request.status !== 'created' && request.status !== 'pending')
    throw new DomainError('invalid_state', 'Only OPEN orders can be paid for.', 'invoiceNum', { status: request.status });
}

export async function startPayment(unit: Work, who: KowriCaller, requestId: string, input: PaymentFields): Promise<Started> {
  const { request, now } = await loadCurrent(unit, who.caller, requestId);
  assertOpen(request);
  const { merchantId, livemode } = who.caller;
  // claimed before anything else is written: of two payments naming one transactionId at once (on
  // two invoices), the database lets exactly one through
  if (!(await claimTransaction(unit.tx, merchantId, livemode, input.transactionId, request.id, now)))
    throw new DomainError('already_exists', `transactionId ${input.transactionId} is already used; send a new transactionId for a new payment.`, 'transactionId');
  const walletRef = input.provider === 'CARD' || !input.walletRef ? null : input.walletRef;
  const choice = channelChoiceOf(input.provider, walletRef, amounts(request).outstanding ?? 0);
  const chosen = await choose(unit, request, choice, now, 'provider');
  const invoice = (await invoiceOf(unit.tx, request.id)) ?? plainInvoice(request, who.app.serviceCode);
  const attempt: Attempt = {
    transactionId: input.transactionId, provider: input.provider, walletRef, customerName: input.customerName ?? null,
    customerMobile: input.customerMobile ?? null, version: chosen.version,
  };
  const next: Invoice = { ...invoice, attempts: [...invoice.attempts, attempt] };
  await saveInvoice(unit.tx, request.id, next, now, request.createdAt);
  return { request: chosen, invoice: next, attempt };
}

/** The request and attempt of a transactionId of the caller's (not found otherwise). */
export async function findTransaction(tx: ReadTx, caller: Caller, transactionId: string): Promise<string> {
  const requestId = await requestOfTransaction(tx, caller.merchantId, caller.livemode, transactionId);
  if (!requestId) throw transactionNotFound(transactionId);
  return requestId;
}

export const transactionNotFound = (transactionId: string) =>
  new DomainError('not_found', `No payment with transactionId ${transactionId}.`, 'transactionId', { kind: 'payment' });

export function attemptOf(invoice: Invoice, transactionId: string): Attempt {
  const attempt = invoice.attempts.find((a) => a.transactionId === transactionId);
  if (!attempt) throw transactionNotFound(transactionId);
  return attempt;
}
