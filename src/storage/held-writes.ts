// Writes whose answer nobody needs before the transaction's next statement: an INSERT of a row the
// transaction makes (a payment request, a refund, an event, a delivery, an audit entry; a channel
// command, whose ON CONFLICT DO NOTHING may insert none when a unit run again records it again),
// or an UPDATE whose count nobody reads (a request's channel command released). It either does
// what it says or fails, and the unit of work does not handle its failure: it ends with it (the
// transaction fails, and a unique violation runs the unit again). A driver whose every statement
// is a round trip may hold such a write back and send it with the transaction's next statement, in
// one write (drivers/held-writes.ts, on PostgreSQL): that statement, or the COMMIT, then reports
// the failure. Its answer there is a stand-in (one row changed), so a held write counts as a
// write for WriteWatch (write-watch.ts) even where it changed nothing: that errs the safe way (a
// unit taken to have written rolls back rather than commit its reads alone). The mark travels in
// the statement's text, a comment the database ignores, because the text is all of a statement
// that reaches a driver through Kysely.

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
