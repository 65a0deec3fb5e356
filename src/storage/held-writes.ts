// Writes whose answer nobody needs before the transaction's next statement. A plain INSERT of a row
// the transaction makes (a payment request, a refund, an event, a delivery, a channel command)
// either inserts its one row or fails, and the unit of work does not handle its failure: it ends
// with it (the transaction fails, and a unique violation runs the unit again). The same holds for
// an UPDATE whose count nobody reads (a request's channel command released). A driver whose every statement is a round
// trip may hold such a write back and send it with the transaction's next statement, in one write
// (drivers/held-writes.ts, on PostgreSQL): that statement, or the COMMIT, then reports the failure.
// The mark travels in the statement's text, a comment the database ignores, because the text is
// all of a statement that reaches a driver through Kysely.

/** What a write that may be held back begins with. */
export const HELD_WRITE_MARK = '/* held */ ';

/** Failures of held writes, reported by a later statement (whose own failure, if any, they replace). */
const reportedLater = new WeakSet<object>();

export function reportLater(error: unknown): void {
  if (typeof error === 'object' && error !== null) reportedLater.add(error);
}

/** Whether `error` is a held write's, reported by another statement: it is not that statement's failure. */
export function isHeldWriteFailure(error: unknown): boolean {
  return typeof error === 'object' && error !== null && reportedLater.has(error);
}
