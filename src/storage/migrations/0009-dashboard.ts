// The merchant's dashboard: its users (one merchant each, with a role), their server-side sessions,
// the sign-in attempts that rate-limit guessing, the audit log of who changed what, customer
// displays' tokens (instead of an API key in the display's URL), and the indexes of the list and
// report reads.
import { sql, type Kysely } from 'kysely';
import { UNIQUE } from '../schema.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const s = db.schema;
  await s.createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('owner', 'staff', 'viewer')`))
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('disabled_at', 'bigint')
    .execute();
  // one account per address, across merchants: the sign-in form asks only for the email
  await s.createIndex(UNIQUE.userEmail).on('users').column('email').unique().execute();
  await s.createTable('sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .execute();
  await s.createIndex('sessions_by_user').on('sessions').column('user_id').execute();
  await s.createTable('sign_in_attempts')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('window_start', 'bigint', (c) => c.notNull())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .execute();
  await s.createTable('audit_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id'))
    .addColumn('livemode', 'integer', (c) => c.notNull())
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('object_type', 'text', (c) => c.notNull())
    .addColumn('object_id', 'text', (c) => c.notNull())
    .addColumn('detail', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await s.createIndex('audit_log_by_merchant').on('audit_log').columns(['merchant_id', 'livemode', 'id']).execute();
  // a customer display's credential: shows one terminal's display and nothing else
  await s.createTable('display_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id'))
    .addColumn('terminal_id', 'text', (c) => c.notNull().references('terminals.id'))
    .addColumn('livemode', 'integer', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('last4', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .execute();
  await s.createIndex('display_tokens_hash_unique').on('display_tokens').column('hash').unique().execute();
  await s.createIndex('display_tokens_by_merchant').on('display_tokens').columns(['merchant_id', 'terminal_id']).execute();
  // the report reads succeeded events of one merchant and mode by time, and the request each is of
  // (object_id in the index: the event rows, which hold whole objects, are never read)
  await s.createIndex('events_by_type_and_time').on('events').columns(['merchant_id', 'livemode', 'type', 'created_at', 'object_id']).execute();
  await s.createIndex('refunds_by_merchant_and_time').on('refunds').columns(['merchant_id', 'livemode', 'status', 'updated_at']).execute();
}
