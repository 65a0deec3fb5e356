// Transfers a channel names by an id of its own that the caller chooses (a bank's session id, a
// chain's transaction id, as a sandbox channel takes them). Such an id names one transfer of the
// merchant's: one payment request, one amount. The same id again for the same transfer is a replay
// (the money is taken once); under another request or amount it is refused, as a real bank or chain
// never reuses one. Another merchant's same text is a transfer of its own: ids are neither shared
// across merchants nor told about. The id is claimed in the transaction that takes the money, so a
// payment the request refuses leaves it unclaimed.
import { DomainError } from '../../core/errors.js';
import type { ReadTx } from '../ports/persistence.js';
import { notFound } from '../access.js';
import type { App } from '../context.js';
import { inTransaction, type Work } from '../unit-of-work.js';
import { takeChannelPayment, type ChannelPayment } from './channel-events.js';

/** A transfer's id as its channel names it. */
export interface TransferName {
  /** Whose ids these are (the dialect that speaks for the channel): two channels' ids never meet. */
  channel: string;
  id: string;
  /** The parameter that carried the id, named in a refusal. */
  param: string;
}

export interface Transfer {
  paymentRequestId: string;
  /** In the request's minor units. */
  amount: number;
}

const KIND = 'transfer';
const keyOf = (merchantId: string, id: string) => `${merchantId}:${id}`;

/** The transfer a merchant's id names, or null. */
export async function transferNamed(read: ReadTx, merchantId: string, name: TransferName): Promise<Transfer | null> {
  const data = (await read.getDialectRecord(name.channel, KIND, keyOf(merchantId, name.id)))?.data;
  return typeof data?.paymentRequestId === 'string' && typeof data.amount === 'number' ? { paymentRequestId: data.paymentRequestId, amount: data.amount } : null;
}

/**
 * Claims `name` for `transfer` in the unit's transaction: 'new' the first time, 'again' for the same
 * transfer once more; another request or amount under it is refused (duplicate_reference).
 */
export async function claimTransfer(unit: Work, merchantId: string, name: TransferName, transfer: Transfer): Promise<'new' | 'again'> {
  const now = unit.app.clock.now();
  const record = { dialect: name.channel, kind: KIND, key: keyOf(merchantId, name.id), data: { ...transfer }, createdAt: now, updatedAt: now };
  if (await unit.tx.addDialectRecord(record)) return 'new';
  const taken = await transferNamed(unit.tx, merchantId, name);
  if (taken?.paymentRequestId === transfer.paymentRequestId && taken.amount === transfer.amount) return 'again';
  const what = taken?.paymentRequestId === transfer.paymentRequestId ? 'of another amount to this payment request' : 'to another payment request';
  throw new DomainError('duplicate_reference', `${name.param} ${name.id} is already a transfer ${what}: it names one transfer; send a new ${name.param} for another one.`, name.param);
}

/**
 * Money that arrived as a named transfer: its name claimed and the money taken (receiveChannelPayment's
 * rules) in one transaction. False when this transfer was taken before.
 */
export async function receiveTransfer(app: App, name: TransferName, transfer: Transfer & Pick<ChannelPayment, 'method'>): Promise<boolean> {
  return inTransaction(app, async (unit) => {
    const request = await unit.tx.lockPaymentRequest(transfer.paymentRequestId);
    if (!request) throw notFound('payment request', transfer.paymentRequestId);
    await claimTransfer(unit, request.merchantId, name, transfer);
    // the event's id names the request too: the same text of two merchants never meets
    return takeChannelPayment(unit, { ...transfer, id: `${name.channel}:${request.id}:${name.id}` });
  });
}
