// The sandbox chain (test mode only): the customer pays any amount, seen first (unconfirmed) or
// confirmed at once; a seen transaction is confirmed later; a refund the customer was asked about
// completes or fails. Money arrives as a transfer named by its txid (receiveTransfer: one payment
// and amount each, the merchant's own; the same again is a replay answered as before, another
// payment or amount under it is refused, duplicate_reference), so less leaves the payment underpaid
// and more settles it overpaid; a payment whose quote ran out is still credited. Amounts are in the
// settlement asset's minor units.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { App } from '../../app/context.js';
import { claimTransfer, receiveTransfer, transferNamed } from '../../app/use-cases/channel-transfers.js';
import { loadCurrent } from '../../app/use-cases/payment-requests.js';
import { sandboxRefundOutcome } from '../../app/use-cases/sandbox.js';
import { inTransaction } from '../../app/unit-of-work.js';
import { DomainError } from '../../core/errors.js';
import type { PaymentRequest } from '../../core/payment-request.js';
import { parseMinorUnits } from '../../core/money.js';
import { authOf, checkHash, type CliqAuth } from './auth.js';
import { DIALECT, paymentOf, refundsOf, savePayment, type CliqPayment } from './fields.js';
import { findPayment } from './lookup.js';
import { documented, hashOf, Key, Refunded, Transaction } from './openapi.js';
import { onlyKnown, optionalText, requiredText, type Params } from './params.js';
import { route } from './transport.js';
import { queueSeen } from './postbacks.js';
import { refundView } from './render.js';

const TXID = /^[A-Za-z0-9._-]{1,64}$/;

// The bodies as the calls check them, for the document
const PaymentCode = z.string().min(1).max(64);
const PayBody = z.strictObject({
  payment_code: PaymentCode,
  amount: z.string().regex(/^\d{1,16}$/).describe("What the customer pays, in the settlement asset's minor units (\"1500\" = USD 15.00), more than 0"),
  txid: z.string().regex(TXID).optional().describe("The transaction id (default: a new one): one payment and amount each, the merchant's own; sent again alike it is taken once, for another payment or amount it is refused (409)"),
  confirmed: z.enum(['true', 'false']).optional().describe('false: seen on the chain, not confirmed (default true)'),
  key: Key,
  hash: hashOf('key + payment_code + amount + api_secret'),
});
const ConfirmBody = z.strictObject({ payment_code: PaymentCode, txid: z.string().min(1).max(64).describe('A transaction paid with confirmed=false'), key: Key, hash: hashOf('key + payment_code + txid + api_secret') });
const RefundOutcomeBody = z.strictObject({
  refund_id: z.string().min(1).max(64),
  outcome: z.enum(['completed', 'failed']).describe('completed: the customer gave an address; failed: they never did'),
  key: Key,
  hash: hashOf('key + refund_id + outcome + api_secret'),
});

async function sandboxAuth(app: App, params: Params): Promise<CliqAuth> {
  const auth = await authOf(app, params);
  if (auth.caller.livemode) throw new DomainError('test_mode_only', 'The sandbox chain is for test-mode keys only.');
  return auth;
}

function txidOf(params: Params, app: App): string {
  const txid = optionalText(params, 'txid', 64) ?? app.ids.secret('sbxtx_', 12);
  if (!TXID.test(txid)) throw new DomainError('parameter_invalid', 'txid must be 1 to 64 letters, digits, ".", "_" or "-".', 'txid');
  return txid;
}

/** A payment that ended takes no more transactions. */
function assertTakesTransactions(request: PaymentRequest): void {
  if (request.status !== 'created' && request.status !== 'pending') throw new DomainError('invalid_state', `The payment is ${request.status}: it takes no more transactions.`, undefined, { status: request.status });
}

/** A transaction's id as the chain names it: one payment and amount each (app/use-cases/channel-transfers.ts). */
const txidName = (txid: string) => ({ channel: DIALECT, id: txid, param: 'txid' });

/** Credits a transaction to the payment (once per txid) and forgets it as unconfirmed. */
async function confirm(app: App, auth: CliqAuth, requestId: string, txid: string, amount: number): Promise<void> {
  await receiveTransfer(app, txidName(txid), { paymentRequestId: requestId, amount, method: 'crypto' });
  await inTransaction(app, async (unit) => {
    const { now } = await loadCurrent(unit, auth.caller, requestId);
    const payment = (await paymentOf(unit.tx, requestId)) as CliqPayment;
    if (!Object.hasOwn(payment.unconfirmed, txid)) return;
    const { [txid]: _done, ...rest } = payment.unconfirmed;
    await savePayment(unit.tx, requestId, { ...payment, unconfirmed: rest }, now, false);
  });
}

export function sandboxRoutes(c: FastifyInstance, app: App): void {
  // hash = md5(key + payment_code + amount + api_secret)
  route(c, 'sandbox', '/api/sandbox/pay', documented('sandboxPay', 'The sandbox chain: the customer pays an amount, confirmed at once or only seen (test-mode keys)', PayBody, Transaction), async (params) => {
    onlyKnown(params, ['payment_code', 'amount', 'txid', 'confirmed', 'key', 'hash']);
    const paymentCode = requiredText(params, 'payment_code', 64);
    const auth = await sandboxAuth(app, params);
    const text = requiredText(params, 'amount', 16);
    checkHash(auth, [{ parts: [auth.key, paymentCode, text], names: 'key+payment_code+amount' }]);
    const amount = parseMinorUnits(text);
    if (amount === null || amount === 0) throw new DomainError('amount_invalid', `amount is in the settlement asset's minor units: a whole number such as "1250" for 12.50 (got "${text}").`, 'amount');
    const confirmed = optionalText(params, 'confirmed', 5) ?? 'true';
    if (confirmed !== 'true' && confirmed !== 'false') throw new DomainError('parameter_invalid', 'confirmed must be "true" or "false".', 'confirmed');
    const txid = txidOf(params, app);
    const { request } = await findPayment(app, auth.caller, { paymentCode });
    // true: the transaction is (still) only seen; false: it is to be confirmed (again: credited once)
    const seen = confirmed === 'true' ? false : await inTransaction(app, async (unit) => {
      const { request: current, now } = await loadCurrent(unit, auth.caller, request.id);
      if ((await claimTransfer(unit, auth.caller.merchantId, txidName(txid), { paymentRequestId: current.id, amount })) === 'again') {
        // the same transaction again: answered as before (one seen then confirmed is confirmed)
        return Object.hasOwn(((await paymentOf(unit.tx, current.id)) as CliqPayment).unconfirmed, txid);
      }
      assertTakesTransactions(current);
      // seen on the chain, not confirmed: shown as unconfirmed until it is
      const payment = (await paymentOf(unit.tx, current.id)) as CliqPayment;
      const next = { ...payment, unconfirmed: { ...payment.unconfirmed, [txid]: amount } };
      await savePayment(unit.tx, current.id, next, now, false);
      await queueSeen(unit, current, next, now);
      return true;
    });
    if (!seen) await confirm(app, auth, request.id, txid, amount);
    return { status: 'ok', message: seen ? 'Transaction seen, unconfirmed' : 'Transaction confirmed', txid };
  });

  // hash = md5(key + payment_code + txid + api_secret)
  route(c, 'sandbox', '/api/sandbox/confirm', documented('sandboxConfirm', 'The sandbox chain: a transaction only seen is confirmed (test-mode keys)', ConfirmBody, Transaction), async (params) => {
    onlyKnown(params, ['payment_code', 'txid', 'key', 'hash']);
    const paymentCode = requiredText(params, 'payment_code', 64);
    const txid = requiredText(params, 'txid', 64);
    const auth = await sandboxAuth(app, params);
    checkHash(auth, [{ parts: [auth.key, paymentCode, txid], names: 'key+payment_code+txid' }]);
    const { request, payment } = await findPayment(app, auth.caller, { paymentCode });
    // only the payment's own entries (never an object's inherited members: "constructor", "__proto__")
    let amount = Object.hasOwn(payment.unconfirmed, txid) ? payment.unconfirmed[txid] : undefined;
    if (amount === undefined) {
      // a transaction of this payment confirmed before: confirmed again, it answers as before
      const taken = await transferNamed(app.db.read, auth.caller.merchantId, txidName(txid));
      if (taken?.paymentRequestId === request.id) amount = taken.amount;
    }
    if (amount === undefined) throw new DomainError('not_found', `No unconfirmed transaction ${txid} on this payment.`, 'txid');
    await confirm(app, auth, request.id, txid, amount);
    return { status: 'ok', message: 'Transaction confirmed', txid };
  });

  // hash = md5(key + refund_id + outcome + api_secret); outcome: completed | failed
  route(c, 'sandbox', '/api/sandbox/refund', documented('sandboxRefundOutcome', 'The sandbox customer: a pending refund completes or fails (test-mode keys)', RefundOutcomeBody, Refunded), async (params) => {
    onlyKnown(params, ['refund_id', 'outcome', 'key', 'hash']);
    const refundId = requiredText(params, 'refund_id', 64);
    const outcome = requiredText(params, 'outcome', 16);
    const auth = await sandboxAuth(app, params);
    checkHash(auth, [{ parts: [auth.key, refundId, outcome], names: 'key+refund_id+outcome' }]);
    if (outcome !== 'completed' && outcome !== 'failed') throw new DomainError('parameter_invalid', 'outcome must be completed or failed.', 'outcome');
    const refund = await sandboxRefundOutcome(app, auth.caller, refundId, outcome === 'completed' ? 'succeeded' : 'failed');
    return { status: 'ok', message: `Refund ${outcome}`, refund: refundView(refund, (await refundsOf(app.db.read, [refund.id])).get(refund.id)) };
  });
}
