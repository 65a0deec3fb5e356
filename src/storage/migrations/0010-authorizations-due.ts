// The requests whose authorization window closes: an index of the authorized ones alone, by when
// it closes, so that the expiry claim reads only those that are due rather than every authorized
// request (a merchant who authorizes now and captures at the end of the day may hold thousands).
// Partial, so that creates and the other transitions never write it: a row enters it when it is
// authorized and leaves it when it is captured, voided or expired. A query uses it only where it
// says `status = 'authorized'` as a literal (kysely-tx.ts, claimDuePaymentRequests).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // status leads although it is the same in every row: without statistics SQLite weighs an index
  // by its columns, and would rather take payment_requests_due's (status=?) than a range here
  await db.schema.createIndex('payment_requests_authorization_due').on('payment_requests').columns(['status', 'authorization_expires_at'])
    .where(sql.ref('status'), '=', sql.lit('authorized')).execute();
}
