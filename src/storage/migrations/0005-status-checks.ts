import { sql, SqliteAdapter, type Kysely } from 'kysely';
import { ACTIVE_STATUSES, PAYMENT_REQUEST_STATUSES } from '../../core/payment-request.js';
import { REFUND_STATUSES } from '../../core/refund.js';
import { UNIQUE } from '../schema.js';

/**
 * The database refuses a status core does not know, and the one-active-request-per-terminal index
 * takes its list of active statuses from core instead of a copy.
 *
 * Both lists are read from core when this runs. Should core's lists change, a new migration must
 * rebuild these constraints and the index from the lists as they then are; until it exists the
 * storage contract suite (which writes every status of core's lists) fails.
 *
 * PostgreSQL gets real CHECK constraints (ADD CONSTRAINT validates the rows already there).
 * SQLite cannot add a constraint to an existing table: the alternative to triggers is rebuilding
 * `payment_requests` and `refunds` (create a copy with the CHECK, copy every row, drop, rename,
 * recreate every index), which must restate all ~45 columns added across four migrations, needs
 * foreign keys switched off (impossible inside the migration's transaction) and breaks if a
 * later migration forgets a column. BEFORE INSERT / BEFORE UPDATE OF status triggers that
 * RAISE(ABORT) give the same guarantee for every write without touching the table: they are
 * checked first here against the rows already there, as ADD CONSTRAINT does.
 */
const CHECKS = [
  { table: 'payment_requests', name: 'payment_requests_status_known', statuses: PAYMENT_REQUEST_STATUSES },
  { table: 'refunds', name: 'refunds_status_known', statuses: REFUND_STATUSES },
] as const;

/** `'a', 'b', …`: status names are fixed identifiers of core ([a-z_]), safe to inline. */
function list(statuses: readonly string[]): string {
  for (const status of statuses) if (!/^[a-z_]+$/.test(status)) throw new Error(`unexpected status name ${status}`);
  return statuses.map((status) => `'${status}'`).join(', ');
}

export async function up(db: Kysely<unknown>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  for (const { table, name, statuses } of CHECKS) {
    const known = sql.raw(list(statuses));
    if (!sqlite) {
      await sql`alter table ${sql.table(table)} add constraint ${sql.ref(name)} check (status in (${known}))`.execute(db);
      continue;
    }
    const { rows } = await sql<{ status: string }>`select distinct status from ${sql.table(table)} where status not in (${known})`.execute(db);
    if (rows.length > 0) throw new Error(`${table} holds statuses core does not know: ${rows.map((row) => row.status).join(', ')}`);
    const abort = sql.raw(`'CHECK constraint failed: ${name}'`);
    await sql`create trigger ${sql.ref(`${name}_insert`)} before insert on ${sql.table(table)}
      when new.status not in (${known}) begin select raise(abort, ${abort}); end`.execute(db);
    await sql`create trigger ${sql.ref(`${name}_update`)} before update of status on ${sql.table(table)}
      when new.status not in (${known}) begin select raise(abort, ${abort}); end`.execute(db);
  }

  // the partial unique index, rebuilt from core's list of active statuses
  await db.schema.dropIndex(UNIQUE.oneActivePerTerminal).execute();
  await db.schema.createIndex(UNIQUE.oneActivePerTerminal).on('payment_requests').columns(['terminal_id', 'livemode']).unique()
    .where(sql.raw<boolean>(`status in (${list(ACTIVE_STATUSES)}) and allow_concurrent = 0`)).execute();
}
