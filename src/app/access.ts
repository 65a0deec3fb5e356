// Tenancy: a caller sees only its merchant's objects in its own mode, and a terminal key only its
// terminal's. Anything else is "not found", never "forbidden", so ids leak nothing.
import { DomainError } from '../core/errors.js';
import type { PaymentRequest } from '../core/payment-request.js';
import type { Refund } from '../core/refund.js';
import type { Caller } from './context.js';
import type { Merchant, ReadTx, Terminal, Tx } from './ports/persistence.js';

/** `kind` is kept in the facts: a dialect picks its own code by what was missing. */
export function notFound(kind: string, id: string, param?: string): DomainError {
  return new DomainError('not_found', `No ${kind} ${id}.`, param, { kind });
}

/** Same merchant and same mode: the tenancy of objects that belong to no terminal (patrons, codes). */
export function sameTenant(caller: Caller, object: { merchantId: string; livemode: boolean }): boolean {
  return object.merchantId === caller.merchantId && object.livemode === caller.livemode;
}

/** Same tenant, and for a terminal key, the same terminal. */
export function canSee(caller: Caller, object: { merchantId: string; livemode: boolean; terminalId: string }): boolean {
  return sameTenant(caller, object) && (caller.terminalId === null || caller.terminalId === object.terminalId);
}

/** canSee, and for a provider API's caller, a request made through that API (Caller.source). */
export function canSeeRequest(caller: Caller, request: PaymentRequest): boolean {
  return canSee(caller, request) && (caller.source === undefined || caller.source === request.source);
}

export async function loadPaymentRequest(tx: ReadTx, caller: Caller, id: string): Promise<PaymentRequest> {
  const request = await tx.getPaymentRequest(id);
  if (!request || !canSeeRequest(caller, request)) throw notFound('payment request', id);
  return request;
}

/** As loadPaymentRequest, with the request's merchant read at once (for its clock). */
export async function loadPaymentRequestWithMerchant(tx: ReadTx, caller: Caller, id: string): Promise<{ request: PaymentRequest; merchant: Merchant }> {
  const found = await tx.getPaymentRequestWithMerchant(id);
  if (!found || !canSeeRequest(caller, found.request)) throw notFound('payment request', id);
  return found;
}

/** As loadPaymentRequest, holding the request's row for the rest of the transaction (to change it). */
export async function lockPaymentRequest(tx: Tx, caller: Caller, id: string): Promise<PaymentRequest> {
  const request = await tx.lockPaymentRequest(id);
  if (!request || !canSeeRequest(caller, request)) throw notFound('payment request', id);
  return request;
}

export async function loadRefund(tx: ReadTx, caller: Caller, id: string): Promise<Refund> {
  const refund = await tx.getRefund(id);
  if (!refund || !(await canSeeRefund(tx, caller, refund))) throw notFound('refund', id);
  return refund;
}

/** A refund is seen with its request: for a provider API's caller, one made through that API. */
export async function canSeeRefund(tx: ReadTx, caller: Caller, refund: Refund): Promise<boolean> {
  if (!canSee(caller, refund)) return false;
  if (caller.source === undefined) return true;
  const request = await tx.getPaymentRequest(refund.paymentRequestId);
  return request !== null && request.source === caller.source;
}

export async function loadTerminal(tx: ReadTx, caller: Caller, id: string, param?: string): Promise<Terminal> {
  return visibleTerminal(await tx.getTerminal(id), caller, id, param);
}

/** As loadTerminal, holding the terminal's row for the rest of the transaction (a check-in and a create on it serialize there). */
export async function lockTerminal(tx: Tx, caller: Caller, id: string, param?: string): Promise<Terminal> {
  return visibleTerminal(await tx.lockTerminal(id), caller, id, param);
}

function visibleTerminal(terminal: Terminal | null, caller: Caller, id: string, param?: string): Terminal {
  if (!terminal || terminal.merchantId !== caller.merchantId || (caller.terminalId !== null && caller.terminalId !== id)) throw notFound('terminal', id, param);
  return terminal;
}

export function requireSecretKey(caller: Caller, what: string): void {
  if (caller.kind !== 'secret') throw new DomainError('permission_denied', `${what} needs a merchant secret key; a terminal key acts only for its own terminal.`);
}

export function requireTestMode(caller: Caller): void {
  if (caller.livemode) throw new DomainError('test_mode_only', 'Sandbox endpoints work only with test-mode keys.');
}
