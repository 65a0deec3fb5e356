// CLIQ's own data of a payment, in dialect records: what the merchant sent (the amount text its
// hashes use, the postback URLs, the cart, the customer's details), the crypto quote the POS shows,
// transactions seen but not yet confirmed, and the index from payment_code to the request.
import type { ReadTx, Tx } from '../../app/ports/persistence.js';

export const DIALECT = 'cliq';

/** A quote of the settlement amount in BTC: on-chain address and Lightning invoice at one rate. */
export interface Quote {
  /** The price of 1 BTC in the settlement asset, as decimal text ("50885.41"). */
  exchangeRate: string;
  /** What was still owed when it was made (settlement minor units): the invoice is for that much. */
  owed: number;
  address: string | null;
  payreq: string | null;
  quotedAt: number;
  expiresAt: number;
}

export interface CliqPayment {
  paymentCode: string;
  asset: string;
  requestedAsset: string;
  /** The amount exactly as the merchant sent it: every later hash of this payment uses it. */
  amount: string;
  description: string;
  cartItems?: unknown;
  postbackUrl?: string;
  priceUpdateUrl?: string;
  personal: Record<string, string>;
  quote: Quote;
  /** Transactions seen on the chain, not yet confirmed (txid → settlement minor units). */
  unconfirmed: Record<string, number>;
}

export interface CliqRefund {
  refundType: string;
  email?: string;
  mobile?: string;
  remarks?: string;
}

export async function paymentOf(tx: ReadTx, requestId: string): Promise<CliqPayment | null> {
  return ((await tx.getDialectRecord(DIALECT, 'payment', requestId))?.data ?? null) as CliqPayment | null;
}

export async function savePayment(tx: Tx, requestId: string, payment: CliqPayment, now: number, created: boolean): Promise<void> {
  const existing = created ? null : await tx.getDialectRecord(DIALECT, 'payment', requestId);
  await tx.putDialectRecord({ dialect: DIALECT, kind: 'payment', key: requestId, data: { ...payment }, createdAt: existing?.createdAt ?? now, updatedAt: now });
  if (created) await tx.putDialectRecord({ dialect: DIALECT, kind: 'payment_code', key: payment.paymentCode, data: { requestId }, createdAt: now, updatedAt: now });
}

/** The request a payment_code belongs to (null when none). */
export async function requestOfCode(tx: ReadTx, paymentCode: string): Promise<string | null> {
  const record = await tx.getDialectRecord(DIALECT, 'payment_code', paymentCode);
  return typeof record?.data.requestId === 'string' ? record.data.requestId : null;
}

export async function refundsOf(tx: ReadTx, refundIds: readonly string[]): Promise<Map<string, CliqRefund>> {
  const records = await tx.listDialectRecords(DIALECT, 'refund', refundIds);
  return new Map(records.map((record) => [record.key, record.data as unknown as CliqRefund]));
}

export async function saveRefund(tx: Tx, refundId: string, refund: CliqRefund, now: number): Promise<void> {
  await tx.putDialectRecord({ dialect: DIALECT, kind: 'refund', key: refundId, data: { ...refund }, createdAt: now, updatedAt: now });
}
