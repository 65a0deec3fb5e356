import type { Kysely } from 'kysely';
import { UNIQUE } from '../schema.js';

/**
 * What the provider dialects need: a request's non-unique external ref, minimum age, merchant
 * conditions, own authorization lifetime and the dialect's verbatim fields; a patron's
 * age, a terminal's dialect PoS id, and one credential set per merchant and dialect.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const s = db.schema;
  await s.alterTable('payment_requests').addColumn('external_ref', 'text').execute();
  await s.alterTable('payment_requests').addColumn('minimum_age', 'integer').execute();
  await s.alterTable('payment_requests').addColumn('conditions_enabled', 'integer').execute();
  await s.alterTable('payment_requests').addColumn('conditions', 'text', (c) => c.notNull().defaultTo('[]')).execute();
  await s.alterTable('payment_requests').addColumn('authorization_ttl_ms', 'bigint').execute();
  await s.alterTable('payment_requests').addColumn('dialect_data', 'text').execute();
  await s.createIndex('payment_requests_by_external_ref').on('payment_requests').columns(['merchant_id', 'livemode', 'external_ref']).execute();
  await s.alterTable('patrons').addColumn('age', 'integer').execute();
  await s.alterTable('terminals').addColumn('pos_id', 'text').execute();
  await s.createIndex(UNIQUE.terminalPosId).on('terminals').column('pos_id').unique().execute();
  await s.createTable('dialect_credentials')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id'))
    .addColumn('dialect', 'text', (c) => c.notNull())
    .addColumn('livemode', 'integer', (c) => c.notNull())
    .addColumn('lookup', 'text', (c) => c.notNull())
    .addColumn('secret_hash', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await s.createIndex(UNIQUE.dialectLookup).on('dialect_credentials').columns(['dialect', 'lookup']).unique().execute();
  await s.createIndex(UNIQUE.dialectPerMerchant).on('dialect_credentials').columns(['merchant_id', 'dialect']).unique().execute();
}
