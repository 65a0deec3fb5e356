// Reconciliation (`posgate verify`): every payment request's running totals against the rows
// they summarise. Read-only; it reports, it never repairs.
//
// - amountRefunded         = Σ its refunds that succeeded
// - amountRefundReserved   = Σ its refunds that hold money (pending, requires_capture, succeeded)
// - amountReceived, amountAuthorized, amountCaptured = what its last payment_request event recorded:
//   every change to them is a transition that writes the request and its event (with the request as
//   data) in one transaction, so the event log is the record of what was received and captured.
import type { PaymentRequest } from '../../core/payment-request.js';
import { REFUND_RESERVING_STATUSES, type Refund } from '../../core/refund.js';
import { sumMinor } from '../../core/money.js';
import type { ReadTx, StoredEvent, Persistence } from '../ports/persistence.js';

export type VerifiedTotal = 'amountRefunded' | 'amountRefundReserved' | 'amountReceived' | 'amountAuthorized' | 'amountCaptured';

export interface Mismatch {
  paymentRequestId: string;
  merchantId: string;
  livemode: boolean;
  total: VerifiedTotal;
  /** What the request row holds. */
  recorded: number;
  /** What its rows add up to (null: more than 10^12, itself a mismatch). */
  expected: number | null;
  /** What `expected` was computed from. */
  source: string;
}

export interface VerifyReport {
  /** How many requests were checked. */
  checked: number;
  mismatches: Mismatch[];
}

const PAGE = 500;

const sumOf = (refunds: readonly Refund[], statuses: readonly string[]) => sumMinor(refunds.filter((r) => statuses.includes(r.status)).map((r) => r.amount));

/** The totals of one request that disagree with its refund rows and its last event (pure). */
export function reconcile(request: PaymentRequest, refunds: readonly Refund[], lastEvent: StoredEvent | null): Mismatch[] {
  const found: Mismatch[] = [];
  const check = (total: VerifiedTotal, expected: number | null, source: string) => {
    if (request[total] !== expected) found.push({ paymentRequestId: request.id, merchantId: request.merchantId, livemode: request.livemode, total, recorded: request[total], expected, source });
  };
  check('amountRefunded', sumOf(refunds, ['succeeded']), 'refunds that succeeded');
  check('amountRefundReserved', sumOf(refunds, REFUND_RESERVING_STATUSES), `refunds ${REFUND_RESERVING_STATUSES.join(', ')}`);
  if (lastEvent) {
    const recorded = lastEvent.data as Partial<PaymentRequest>;
    const source = `event ${lastEvent.id} (${lastEvent.type})`;
    for (const total of ['amountReceived', 'amountAuthorized', 'amountCaptured'] as const) check(total, typeof recorded[total] === 'number' ? recorded[total] : null, source);
  }
  return found;
}

async function reconcileAll(tx: ReadTx, requests: readonly PaymentRequest[]): Promise<Mismatch[]> {
  const ids = requests.map((r) => r.id);
  const refunds = await tx.listRefundsOfRequests(ids);
  const events = new Map((await tx.lastRequestEvents(ids)).map((e) => [e.objectId, e]));
  return requests.flatMap((request) => reconcile(request, refunds.filter((r) => r.paymentRequestId === request.id), events.get(request.id) ?? null));
}

/**
 * Checks every request, a page at a time. A page is read without locks, so a request changing
 * meanwhile may look inconsistent: each suspect is read again with its row locked (its writers
 * lock it too), and only what still disagrees then is reported.
 */
export async function verifyTotals(db: Persistence, pageSize = PAGE): Promise<VerifyReport> {
  const mismatches: Mismatch[] = [];
  let checked = 0;
  let afterId: string | undefined;
  for (;;) {
    const page = await db.read.listAllPaymentRequests({ limit: pageSize, ...(afterId === undefined ? {} : { afterId }) });
    checked += page.items.length;
    const suspects = new Set((await reconcileAll(db.read, page.items)).map((m) => m.paymentRequestId));
    for (const id of suspects) {
      mismatches.push(...await db.transaction(async (tx) => {
        const request = await tx.lockPaymentRequest(id);
        return request ? reconcileAll(tx, [request]) : [];
      }));
    }
    if (!page.hasMore) break;
    afterId = page.items.at(-1)?.id;
  }
  return { checked, mismatches };
}

/** One line per mismatch: the request, the total, what it holds and what its rows say. */
export function describeMismatch(m: Mismatch): string {
  return `${m.paymentRequestId} (${m.merchantId}, ${m.livemode ? 'live' : 'test'}): ${m.total} is ${m.recorded}, but ${m.source} say ${m.expected ?? 'more than 10^12'}`;
}
