// Finding an invoice the caller may see: by invoiceNum (the request's id as a UUID) or by the
// merchantOrderId (the request's reference); another merchant's invoice is not found, as any of
// its objects.
import type { Caller } from '../../app/context.js';
import type { ReadTx } from '../../app/ports/persistence.js';
import { DomainError } from '../../core/errors.js';
import { idOfUuid } from '../../core/uuid-ids.js';

export interface InvoiceKey {
  invoiceNum?: string;
  merchantOrderId?: string;
}

export const invoiceNotFound = (key: InvoiceKey) =>
  new DomainError('not_found', `Invoice not found: no invoice with ${key.invoiceNum ? `invoiceNum ${key.invoiceNum}` : `merchantOrderId ${key.merchantOrderId}`}.`, key.invoiceNum ? 'invoiceNum' : 'merchantOrderId', { kind: 'invoice' });

/** The id of the request behind an invoice key (its tenancy is checked when it is loaded). */
export async function requestIdOf(tx: ReadTx, caller: Caller, key: InvoiceKey): Promise<string> {
  if (key.invoiceNum) return idOfUuid('pr', key.invoiceNum) as string;
  if (key.merchantOrderId) {
    const found = await tx.findPaymentRequestByReference(caller.merchantId, caller.livemode, key.merchantOrderId);
    if (found) return found.id;
  }
  throw invoiceNotFound(key);
}

/** Maps "no such payment request" to Kowri's words for the key that was asked. */
export async function asInvoice<T>(key: InvoiceKey, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (error instanceof DomainError && error.code === 'not_found') throw invoiceNotFound(key);
    throw error;
  }
}
