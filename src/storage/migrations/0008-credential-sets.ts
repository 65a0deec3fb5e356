// A dialect's credential set may keep its secret sealed (readable again, for APIs whose caller signs
// with it) and may be bound to the terminal key it issued, so that revoking the set revokes the key.
// A merchant may name its time zone, for APIs and pages that print a local date and time.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('dialect_credentials').addColumn('secret_sealed', 'text').execute();
  await db.schema.alterTable('dialect_credentials').addColumn('api_key_id', 'text').execute();
  await db.schema.alterTable('merchants').addColumn('time_zone', 'text').execute();
}
