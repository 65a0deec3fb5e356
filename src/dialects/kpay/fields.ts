// KPAY's own fields of a payment request (metaData, paymentMethod, the accountNumber the POS sent),
// the virtual account → request index the sandbox transfer uses, and the sandbox bank's transfers
// by sessionId (one account and amount each): dialect records.
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

/** A transfer of the sandbox bank: the request it paid and how much (kobo). */
export interface SandboxTransfer {
  requestId: string;
  amount: number;
}

/** A sessionId is the merchant's: another merchant's same text is another transfer. */
const transferKey = (merchantId: string, sessionId: string) => `${merchantId}:${sessionId}`;

/** Records a sessionId as this transfer; false when the merchant's sessionId was recorded before (to any account). */
export async function addTransfer(tx: Tx, merchantId: string, sessionId: string, transfer: SandboxTransfer, now: number): Promise<boolean> {
  return tx.addDialectRecord({ dialect: DIALECT, kind: 'transfer', key: transferKey(merchantId, sessionId), data: { ...transfer }, createdAt: now, updatedAt: now });
}

/** The transfer a merchant's sessionId names (null when none). */
export async function transferOf(tx: ReadTx, merchantId: string, sessionId: string): Promise<SandboxTransfer | null> {
  const record = await tx.getDialectRecord(DIALECT, 'transfer', transferKey(merchantId, sessionId));
  const data = record?.data;
  return data && typeof data.requestId === 'string' && typeof data.amount === 'number' ? { requestId: data.requestId, amount: data.amount } : null;
}
