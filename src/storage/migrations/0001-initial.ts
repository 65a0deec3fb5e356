import { sql, type Kysely } from 'kysely';
import { UNIQUE } from '../schema.js';
import type { MigrationDialect } from './index.js';

const ACTIVE = sql.raw<boolean>(`status in ('prepared', 'created', 'pending', 'authorized') and allow_concurrent = 0`);

export async function up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  const s = db.schema;
  await s.createTable('merchants')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('test_clock_offset_ms', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await s.createTable('stores')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await s.createTable('terminals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id'))
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('checked_in_patron_id', 'text')
    .addColumn('checked_in_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await s.createIndex(UNIQUE.terminalName).on('terminals').columns(['merchant_id', 'name']).unique().execute();
  await s.createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id'))
    .addColumn('terminal_id', 'text', (c) => c.references('terminals.id'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('secret', 'terminal')`))
    .addColumn('mode', 'text', (c) => c.notNull().check(sql`mode in ('test', 'live')`))
    .addColumn('hash', 'text', (c) => c.notNull().unique())
    .addColumn('last4', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .execute();

  await s.createTable('payment_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('livemode', 'integer', (c) => c.notNull())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id'))
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('terminal_id', 'text', (c) => c.notNull().references('terminals.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_reason', 'text')
    .addColumn('cancellation_reason', 'text')
    .addColumn('amount', 'bigint', (c) => c.check(sql`amount > 0 and amount <= 1000000000000`))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('amount_received', 'bigint', (c) => c.notNull().defaultTo(0).check(sql`amount_received >= 0`))
    .addColumn('amount_authorized', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('amount_captured', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('amount_refunded', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('amount_refund_reserved', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('overpaid', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('capture_mode', 'text', (c) => c.notNull().check(sql`capture_mode in ('automatic', 'manual')`))
    .addColumn('reference', 'text')
    .addColumn('short_code', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('line_items', 'text')
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('webhook_url', 'text')
    .addColumn('redirect_url', 'text')
    .addColumn('partial_allowed', 'integer', (c) => c.notNull())
    .addColumn('basket_amount', 'bigint')
    .addColumn('patron_not_present', 'integer', (c) => c.notNull())
    .addColumn('allow_concurrent', 'integer', (c) => c.notNull())
    .addColumn('allowed_methods', 'text')
    .addColumn('payment_method', 'text')
    .addColumn('patron_id', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text')
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('authorization_expires_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    // background work (expiry, auto-pay) is leased per row so that many processes share it
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'bigint')
    // The money invariants hold in the database too: Σ captures ≤ authorized, Σ refunds ≤ captured.
    .addCheckConstraint('payment_requests_captured_within_authorized', sql`amount_captured >= 0 and amount_captured <= amount_authorized`)
    .addCheckConstraint('payment_requests_refunds_within_captured', sql`amount_refunded >= 0 and amount_refunded <= amount_refund_reserved and amount_refund_reserved <= amount_captured`)
    .execute();
  // per mode: a test-mode request in progress never blocks a live sale on the same till
  await s.createIndex(UNIQUE.oneActivePerTerminal).on('payment_requests').columns(['terminal_id', 'livemode']).unique().where(ACTIVE).execute();
  await s.createIndex(UNIQUE.reference).on('payment_requests').columns(['merchant_id', 'livemode', 'reference']).unique().execute();
  await s.createIndex(UNIQUE.shortCode).on('payment_requests').column('short_code').unique().execute();
  await s.createIndex('payment_requests_by_merchant').on('payment_requests').columns(['merchant_id', 'livemode', 'id']).execute();
  await s.createIndex('payment_requests_by_terminal').on('payment_requests').columns(['terminal_id', 'status']).execute();
  await s.createIndex('payment_requests_due').on('payment_requests').columns(['status', 'expires_at']).execute();

  await s.createTable('payment_request_refs')
    .addColumn('payment_request_id', 'text', (c) => c.notNull().references('payment_requests.id'))
    .addColumn('merchant_id', 'text', (c) => c.notNull())
    .addColumn('livemode', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('payment_request_refs_unique').on('payment_request_refs').columns(['merchant_id', 'livemode', 'kind', 'value']).unique().execute();
  await s.createIndex('payment_request_refs_by_value').on('payment_request_refs').columns(['merchant_id', 'livemode', 'value']).execute();

  await s.createTable('refunds')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('livemode', 'integer', (c) => c.notNull())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id'))
    .addColumn('terminal_id', 'text', (c) => c.notNull())
    .addColumn('payment_request_id', 'text', (c) => c.notNull().references('payment_requests.id'))
    .addColumn('amount', 'bigint', (c) => c.notNull().check(sql`amount > 0`))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reference', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('capture_mode', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'bigint')
    .execute();
  await s.createIndex(UNIQUE.refundReference).on('refunds').columns(['payment_request_id', 'reference']).unique().execute();
  await s.createIndex('refunds_due').on('refunds').columns(['status', 'expires_at']).execute();

  await s.createTable('events')
    .addColumn('position', dialect.autoIncrementType, (c) => dialect.autoIncrement(c.primaryKey()))
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('object_type', 'text', (c) => c.notNull())
    .addColumn('object_id', 'text', (c) => c.notNull())
    .addColumn('payment_request_id', 'text', (c) => c.notNull())
    .addColumn('merchant_id', 'text', (c) => c.notNull())
    .addColumn('terminal_id', 'text', (c) => c.notNull())
    .addColumn('livemode', 'integer', (c) => c.notNull())
    .addColumn('sequence', 'integer', (c) => c.notNull().check(sql`sequence >= 1`))
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await s.createIndex(UNIQUE.eventSequence).on('events').columns(['object_id', 'sequence']).unique().execute();
  await s.createIndex('events_by_merchant').on('events').columns(['merchant_id', 'livemode', 'position']).execute();
  await s.createIndex('events_by_request').on('events').columns(['payment_request_id', 'position']).execute();

  await s.createTable('idempotency_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('credential_id', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('in_progress', 'done')`))
    .addColumn('response_status', 'integer')
    .addColumn('response_body', 'text')
    .addColumn('locked_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await s.createIndex(UNIQUE.idempotencyKey).on('idempotency_keys').columns(['credential_id', 'method', 'path', 'key']).unique().execute();
  await s.createIndex('idempotency_keys_expiry').on('idempotency_keys').column('expires_at').execute();

  await s.createTable('patrons')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id'))
    .addColumn('livemode', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await s.createTable('patron_codes')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('patron_id', 'text', (c) => c.notNull().references('patrons.id'))
    .addColumn('merchant_id', 'text', (c) => c.notNull())
    .addColumn('livemode', 'integer', (c) => c.notNull())
    .addColumn('issued_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .execute();
  await s.createIndex('patron_codes_by_patron').on('patron_codes').columns(['patron_id', 'issued_at']).execute();

  await s.createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
}
