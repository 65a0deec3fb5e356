// The id a sandbox channel gives a transfer (the KPAY sandbox bank's sessionId, the CLIQ sandbox
// chain's txid) names one transfer of the merchant's: one payment request and one amount. The same
// id again for the same transfer is a replay, which the channel event's id makes a no-op; under
// another request or amount it is refused, as a real bank or chain would never reuse one. Another
// merchant's same text is its own transfer: ids are not shared across tenants, nor told about.
import type { ReadTx, Tx } from '../../app/ports/persistence.js';
import { DomainError } from '../../core/errors.js';

export interface Transfer {
  requestId: string;
  /** In the channel's minor units. */
  amount: number;
}

/** How a dialect names the id and its amounts in a refusal. */
export interface TransferIdWords {
  dialect: string;
  /** The parameter that carries the id (`sessionId`, `txid`). */
  param: string;
  /** The unit its amounts are in (`kobo`). */
  unit: string;
}

const keyOf = (merchantId: string, id: string) => `${merchantId}:${id}`;

/** The transfer a merchant's id names, or null. */
export async function transferOf(tx: ReadTx, dialect: string, merchantId: string, id: string): Promise<Transfer | null> {
  const data = (await tx.getDialectRecord(dialect, 'transfer', keyOf(merchantId, id)))?.data;
  return typeof data?.requestId === 'string' && typeof data.amount === 'number' ? { requestId: data.requestId, amount: data.amount } : null;
}

/**
 * Records `id` as `transfer` in the unit's transaction: 'new' the first time, 'again' for the same
 * transfer once more; another request or amount under it is refused (duplicate_reference).
 */
export async function claimTransferId(tx: Tx, words: TransferIdWords, merchantId: string, id: string, transfer: Transfer, now: number): Promise<'new' | 'again'> {
  if (await tx.addDialectRecord({ dialect: words.dialect, kind: 'transfer', key: keyOf(merchantId, id), data: { ...transfer }, createdAt: now, updatedAt: now })) return 'new';
  const taken = await transferOf(tx, words.dialect, merchantId, id);
  if (taken?.requestId === transfer.requestId && taken.amount === transfer.amount) return 'again';
  const what = taken?.requestId === transfer.requestId ? `of ${taken.amount} ${words.unit} to this payment request` : 'to another payment request';
  throw new DomainError('duplicate_reference', `${words.param} ${id} is already a transfer ${what}: it names one transfer; send a new ${words.param} for another one.`, words.param);
}
