// Background work that falls due with time: expiries and sandbox auto-pay. Items are leased
// (so many processes share them, and a crashed process's items are retaken after the lease), and
// each is then done in its own transaction that re-checks its state and ends the lease.
import * as pr from '../../core/payment-request.js';
import { leaseFor, type App } from '../context.js';
import { merchantNow } from '../time.js';
import { inTransaction } from '../unit-of-work.js';
import { expireIfOverdue } from './payment-requests.js';
import { expireRefund } from './refunds.js';
import { patronAct, type PatronOutcome } from './patron-payments.js';

const BATCH = 100;


/** Expires overdue requests, authorizations and uncaptured manual refunds; returns how many. */
export async function sweepDue(app: App, merchantId?: string): Promise<number> {
  const { workerId } = app.config;
  let count = 0;
  const requests = await app.db.transaction((tx) => tx.claimDuePaymentRequests(app.clock.now(), BATCH, leaseFor(app), merchantId));
  for (const due of requests) {
    const expired = await inTransaction(app, async (unit) => {
      await unit.tx.releaseLease('payment_requests', due.id, workerId);
      return expireIfOverdue(unit, due.id);
    }).catch(() => false); // one that fails keeps its lease and is taken again when it runs out: the others go on
    if (expired) count++;
  }
  const refunds = await app.db.transaction((tx) => tx.claimDueRefunds(app.clock.now(), BATCH, leaseFor(app), merchantId));
  for (const due of refunds) {
    const expired = await inTransaction(app, async (unit) => {
      // its request's row first, then the refund's, as every writer of a refund takes them (a
      // capture or cancel, refunds.ts): the other order deadlocked with one on PostgreSQL
      const found = await unit.tx.getRefund(due.id);
      const request = found && (await unit.tx.lockPaymentRequest(found.paymentRequestId));
      await unit.tx.releaseLease('refunds', due.id, workerId);
      const refund = await unit.tx.getRefund(due.id);
      if (!request || !refund || refund.status !== 'requires_capture' || refund.expiresAt === null) return false;
      const now = await merchantNow(app, unit.tx, refund.merchantId, refund.livemode);
      if (now < refund.expiresAt) return false;
      await expireRefund(unit, refund, request, now);
      return true;
    }).catch(() => false);
    if (expired) count++;
  }
  return count;
}

/** The demo outcome encoded in an amount's last two minor digits. */
export function autopayOutcome(amount: number): PatronOutcome | null {
  switch (amount % 100) {
    case 1:
      return 'decline';
    case 2:
      return 'fail';
    case 3:
      return 'cancel';
    case 4:
      return null; // never paid: the request expires
    default:
      return 'approve';
  }
}

/** SANDBOX_AUTOPAY_MS: pays test-mode requests that long after creation, as the amount says. */
export async function runAutopay(app: App): Promise<number> {
  const delayMs = app.config.autopayMs;
  if (delayMs === null) return 0;
  let count = 0;
  const candidates = await app.db.transaction((tx) => tx.claimAutopayCandidates(app.clock.now(), delayMs, BATCH, leaseFor(app)));
  for (const candidate of candidates) {
    const outcome = candidate.amount === null ? null : autopayOutcome(candidate.amount);
    await inTransaction(app, async (unit) => {
      await unit.tx.releaseLease('payment_requests', candidate.id, app.config.workerId);
      const request = await unit.tx.lockPaymentRequest(candidate.id);
      if (!outcome || !request || !['created', 'pending'].includes(request.status)) return;
      const now = await merchantNow(app, unit.tx, request.merchantId, request.livemode);
      if (pr.expireIfDue(request, now)) return; // the expiry sweep owns it
      await patronAct(unit, request, { outcome }, now);
      count++;
    });
  }
  return count;
}

/**
 * Expired keys are deleted a chunk per transaction: an hour's at once would hold SQLite's one
 * writer for as long as that took, and, run as a unit of a group commit, keep the old content of
 * every page it changed (its savepoint's journal, kept in memory) until it ended.
 */
export const PURGE_CHUNK = 500;

export async function purgeIdempotencyKeys(app: App, chunk = PURGE_CHUNK): Promise<number> {
  for (let total = 0; ;) {
    const deleted = await app.db.transaction((tx) => tx.deleteExpiredIdempotencyKeys(app.clock.now(), chunk));
    total += deleted;
    if (deleted < chunk) return total;
  }
}
