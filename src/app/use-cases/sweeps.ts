// Background work that falls due with time: expiries and sandbox auto-pay. Each item is its own
// transaction, so one bad row never holds the others back, and re-checks its state before acting.
import * as pr from '../../core/payment-request.js';
import type { App } from '../context.js';
import { merchantNow } from '../time.js';
import { inTransaction } from '../unit-of-work.js';
import { commit } from './payment-requests.js';
import { expireRefund } from './refunds.js';
import { patronActs, type PatronOutcome } from './sandbox.js';

const BATCH = 100;

/** Expires overdue requests, authorizations and uncaptured manual refunds; returns how many. */
export async function sweepDue(app: App, merchantId?: string): Promise<number> {
  let count = 0;
  for (const due of await app.store.read.listDuePaymentRequests(app.clock.now(), BATCH, merchantId)) {
    const expired = await inTransaction(app, async (unit) => {
      const request = await unit.tx.getPaymentRequest(due.id);
      if (!request) return false;
      const transition = pr.expireIfDue(request, await merchantNow(app, unit.tx, request.merchantId, request.livemode));
      if (transition) await commit(unit, request, transition);
      return transition !== null;
    });
    if (expired) count++;
  }
  for (const due of await app.store.read.listDueRefunds(app.clock.now(), BATCH, merchantId)) {
    const expired = await inTransaction(app, async (unit) => {
      const refund = await unit.tx.getRefund(due.id);
      if (!refund || refund.status !== 'requires_capture' || refund.expiresAt === null) return false;
      const now = await merchantNow(app, unit.tx, refund.merchantId, refund.livemode);
      if (now < refund.expiresAt) return false;
      await expireRefund(unit, refund, now);
      return true;
    });
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
  for (const candidate of await app.store.read.listAutopayCandidates(app.clock.now(), delayMs, BATCH)) {
    const outcome = candidate.amount === null ? null : autopayOutcome(candidate.amount);
    if (!outcome) continue;
    await inTransaction(app, async (unit) => {
      const request = await unit.tx.getPaymentRequest(candidate.id);
      if (!request || !['created', 'pending'].includes(request.status)) return;
      const now = await merchantNow(app, unit.tx, request.merchantId, request.livemode);
      if (pr.expireIfDue(request, now)) return; // the expiry sweep owns it
      await commit(unit, request, patronActs(request, { outcome }, now, app.config.authorizationTtlMs));
      count++;
    });
  }
  return count;
}

export async function purgeIdempotencyKeys(app: App): Promise<number> {
  return app.store.transaction((tx) => tx.deleteExpiredIdempotencyKeys(app.clock.now()));
}
