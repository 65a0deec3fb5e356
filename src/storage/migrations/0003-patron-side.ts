import type { Kysely } from 'kysely';

/** The chosen channel's details on a request (a quote, an account to pay into), and a merchant's underpayment tolerance. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('payment_requests').addColumn('method_details', 'text').execute();
  await db.schema.alterTable('merchants').addColumn('underpayment_tolerance_bps', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}
