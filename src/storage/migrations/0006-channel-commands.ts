// Channel commands (core/channel-command.ts): every instruction that moves money is recorded before
// the channel is called, and the request it concerns names it while it is in flight, so that no
// other write to the request lands between the channel's answer and its application.
import { sql, type Kysely } from 'kysely';
import { CHANNEL_COMMAND_KINDS, CHANNEL_COMMAND_STATUSES } from '../../core/channel-command.js';

const list = (names: readonly string[]) => sql.raw(names.map((name) => `'${name}'`).join(', '));

export async function up(db: Kysely<unknown>): Promise<void> {
  const s = db.schema;
  await s.createTable('channel_commands')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in (${list(CHANNEL_COMMAND_KINDS)})`))
    .addColumn('payment_request_id', 'text', (c) => c.notNull().references('payment_requests.id'))
    .addColumn('amount', 'bigint', (c) => c.notNull().check(sql`amount >= 0`))
    .addColumn('intent', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in (${list(CHANNEL_COMMAND_STATUSES)})`))
    .addColumn('outcome', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await s.createIndex('channel_commands_open').on('channel_commands').columns(['status', 'lease_until']).execute();
  await s.createIndex('channel_commands_by_request').on('channel_commands').columns(['payment_request_id']).execute();
  await s.alterTable('payment_requests').addColumn('channel_command_id', 'text').execute();
  await s.createTable('channel_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('command_id', 'text', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .execute();
}
