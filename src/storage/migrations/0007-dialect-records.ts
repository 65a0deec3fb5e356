// Dialect records (app/ports/dialect-records.ts): what one API surface alone keeps moves out of the
// core's tables. The request's former `dialect_data` column (the creating dialect's own fields)
// becomes a record of kind 'payment_request' of the dialect that created it, then goes.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createTable('dialect_records')
    .addColumn('dialect', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('dialect_records_pkey', ['dialect', 'kind', 'key'])
    .execute();
  await sql`insert into dialect_records (dialect, kind, key, data, created_at, updated_at)
    select source, 'payment_request', id, dialect_data, created_at, updated_at from payment_requests where dialect_data is not null`.execute(db);
  await db.schema.alterTable('payment_requests').dropColumn('dialect_data').execute();
}
