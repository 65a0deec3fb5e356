// KPAY's own fields of a payment request (metaData, paymentMethod, the accountNumber the POS sent),
// and the virtual account → request index the sandbox transfer uses: dialect records.
import type { ReadTx, Tx } from '../../app/ports/persistence.js';
import { DIALECT } from './credentials.js';

export interface KpayFields {
  metaData?: string;
  paymentMethod?: string;
  accountNumber?: string;
  callbackUrl?: string;
}

export async function fieldsOf(tx: ReadTx, requestId: string): Promise<KpayFields> {
  return ((await tx.getDialectRecord(DIALECT, 'payment_request', requestId))?.data ?? {}) as KpayFields;
}

export async function saveFields(tx: Tx, requestId: string, accountNumber: string, fields: KpayFields, now: number): Promise<void> {
  await tx.putDialectRecord({ dialect: DIALECT, kind: 'payment_request', key: requestId, data: { ...fields }, createdAt: now, updatedAt: now });
  await tx.putDialectRecord({ dialect: DIALECT, kind: 'account', key: accountNumber, data: { requestId }, createdAt: now, updatedAt: now });
}

/** The request a virtual account belongs to (null when none). */
export async function requestOfAccount(tx: ReadTx, accountNumber: string): Promise<string | null> {
  const record = await tx.getDialectRecord(DIALECT, 'account', accountNumber);
  return typeof record?.data.requestId === 'string' ? record.data.requestId : null;
}
