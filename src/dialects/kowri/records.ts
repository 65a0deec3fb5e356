// What Kowri alone needs kept (dialect records, written in the unit of work of the change they
// belong to): an invoice's own fields and its payment attempts, the transactionId → invoice index,
// and the token of an invoice's return link.
import type { ReadTx, Tx } from '../../app/ports/persistence.js';
import { DIALECT } from './credentials.js';

export interface InvoiceItem {
  code: string | null;
  name: string;
  description: string | null;
  imgUrl: string | null;
  /** Pesewas. */
  unitPrice: number;
  quantity: number;
  /** Pesewas: unitPrice × quantity exactly. */
  subTotal: number;
}

/** One processPayment (or payNow): the POS's transactionId and what it paid with. */
export interface Attempt {
  transactionId: string;
  provider: string;
  walletRef: string | null;
  customerName: string | null;
  customerMobile: string | null;
  /** The request's version once the attempt was made: the events after it are its outcome. */
  version: number;
}

export interface Invoice {
  merchantOrderId: string;
  reference: string | null;
  description: string | null;
  invoiceItems: InvoiceItem[] | null;
  trustedNum: string | null;
  metadata: Array<{ key: string; value: string }>;
  /** The redirect URL the POS gave (Kowri's `callbackUrl`), without the status parameters. */
  callbackUrl: string | null;
  /** The app (appId) and serviceCode the invoice was made by. */
  appId: string | null;
  serviceCode: string;
  attempts: Attempt[];
}

export async function invoiceOf(tx: ReadTx, requestId: string): Promise<Invoice | null> {
  const record = await tx.getDialectRecord(DIALECT, 'invoice', requestId);
  return record ? (record.data as unknown as Invoice) : null;
}

export async function saveInvoice(tx: Tx, requestId: string, invoice: Invoice, now: number, createdAt = now): Promise<void> {
  await tx.putDialectRecord({ dialect: DIALECT, kind: 'invoice', key: requestId, data: { ...invoice }, createdAt, updatedAt: now });
}

/** transactionIds are the merchant's own: unique per merchant and mode. */
const transactionKey = (merchantId: string, livemode: boolean, transactionId: string) => `${merchantId}/${livemode ? 'live' : 'test'}/${transactionId}`;

export async function requestOfTransaction(tx: ReadTx, merchantId: string, livemode: boolean, transactionId: string): Promise<string | null> {
  const record = await tx.getDialectRecord(DIALECT, 'transaction', transactionKey(merchantId, livemode, transactionId));
  return typeof record?.data.requestId === 'string' ? record.data.requestId : null;
}

/** Records the transactionId as the request's, unless it is already some payment's (false then). */
export async function claimTransaction(tx: Tx, merchantId: string, livemode: boolean, transactionId: string, requestId: string, now: number): Promise<boolean> {
  return tx.addDialectRecord({ dialect: DIALECT, kind: 'transaction', key: transactionKey(merchantId, livemode, transactionId), data: { requestId }, createdAt: now, updatedAt: now });
}

/** The invoice a return link's token stands for (made before the request, so the link can be its redirectUrl). */
export async function requestOfReturn(tx: ReadTx, token: string): Promise<string | null> {
  const record = await tx.getDialectRecord(DIALECT, 'return', token);
  return typeof record?.data.requestId === 'string' ? record.data.requestId : null;
}

export async function saveReturn(tx: Tx, token: string, requestId: string, now: number): Promise<void> {
  await tx.putDialectRecord({ dialect: DIALECT, kind: 'return', key: token, data: { requestId }, createdAt: now, updatedAt: now });
}
