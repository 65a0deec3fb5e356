// The invariants the database did not hold yet, though the code keeps them all: a write that
// bypasses the code's checks (a bug, a script, a process racing another) is refused by the
// database itself, on both drivers. Until now:
//
// - Σ refunds ≤ captured held for the request's running totals (0001's CHECKs), not for its refund
//   rows: a refund inserted without its reservation, a failed one made pending again, or a
//   captured amount lowered under the refunds, was accepted. Now the refunds that hold money
//   (core's REFUND_RESERVING_STATUSES) add up to at most what their request captured, whichever
//   row is written. (Their sum equals amountRefundReserved, which `posgate verify` reports; the
//   database cannot ask for equality at each statement, since a unit writes the request and the
//   refund one after the other.)
// - A refund belonged to an existing request (the foreign key), but not necessarily of the same
//   merchant, mode and currency. Now it must be, and a request that has refunds keeps them.
// - Each object's events were unique by sequence (0001's index); now they are numbered without
//   gaps too: an event's sequence is 1 or follows one already there, and a sequence never changes.
// - SQLite kept money columns typed by affinity alone: 12.5 or 'abc' was stored as it came, where
//   PostgreSQL's BIGINT refuses it. Now SQLite refuses it as well.
// - basket_amount had no bound at all, and a refund's capture mode no list (the request's has).
//
// PostgreSQL gets CHECK constraints where a row alone decides (ADD CONSTRAINT validates the rows
// already there) and triggers where other rows do. A trigger on refunds takes the request's row
// lock (FOR NO KEY UPDATE, what an UPDATE of it takes; the units that write refunds hold FOR
// UPDATE already), so two writers cannot each count the refunds without the other's. SQLite, which
// cannot add a constraint to a table (see 0005), gets BEFORE triggers that RAISE(ABORT), and has
// one writer. Every trigger is checked first against the rows already there, as ADD CONSTRAINT
// does; none of them adds a statement to what a unit sends.
//
// Like 0005, the lists are read from core when this runs: should REFUND_RESERVING_STATUSES change,
// a new migration must rebuild these triggers. Unlike 0005, it may run again over itself (each
// constraint, function and trigger is replaced): a database put back to the release before it, as
// the operator's tests do by forgetting the last migration, migrates again.
import { sql, SqliteAdapter, type Kysely, type RawBuilder } from 'kysely';
import { MAX_AMOUNT } from '../../core/money.js';
import { REFUND_RESERVING_STATUSES } from '../../core/refund.js';

/** `'a', 'b', …`: status names are fixed identifiers of core ([a-z_]), safe to inline. */
function list(names: readonly string[]): RawBuilder<unknown> {
  for (const name of names) if (!/^[a-z_]+$/.test(name)) throw new Error(`unexpected name ${name}`);
  return sql.raw(names.map((name) => `'${name}'`).join(', '));
}

const RESERVING = list(REFUND_RESERVING_STATUSES);
const MAX = sql.raw(String(MAX_AMOUNT));
const CAPTURE_MODES = list(['automatic', 'manual']);

const REQUEST_MONEY = ['amount', 'amount_received', 'amount_authorized', 'amount_captured', 'amount_refunded', 'amount_refund_reserved', 'basket_amount'];

/** Refunds that name another merchant, mode or currency than their request. */
const MISMATCHED_REFUNDS = sql`select r.id from refunds r join payment_requests p on p.id = r.payment_request_id
  where r.merchant_id <> p.merchant_id or r.livemode <> p.livemode or r.currency <> p.currency`;
/** Requests whose refunds that hold money add up to more than they captured. */
const OVER_REFUNDED = sql`select p.id from payment_requests p
  where p.amount_captured < (select coalesce(sum(r.amount), 0) from refunds r where r.payment_request_id = p.id and r.status in (${RESERVING}))`;
/** Events whose sequence follows no event of their object. */
const GAPS = sql`select e.id from events e where e.sequence <> 1
  and not exists (select 1 from events p where p.object_id = e.object_id and p.sequence = e.sequence - 1)`;

async function refuseExisting(db: Kysely<unknown>, what: string, query: RawBuilder<unknown>): Promise<void> {
  const { rows } = await sql<{ id: string }>`select id from (${query}) found limit 5`.execute(db);
  if (rows.length > 0) throw new Error(`${what}: ${rows.map((row) => row.id).join(', ')}. Repair them before upgrading.`);
}

export async function up(db: Kysely<unknown>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  await refuseExisting(db, 'refunds of another merchant, mode or currency than their payment request', MISMATCHED_REFUNDS);
  await refuseExisting(db, 'payment requests whose pending, awaiting-capture and succeeded refunds exceed what they captured', OVER_REFUNDED);
  await refuseExisting(db, 'events whose sequence follows no event of their object', GAPS);
  if (sqlite) await sqliteRules(db);
  else await postgresRules(db);
}

async function postgresRules(db: Kysely<unknown>): Promise<void> {
  await sql`alter table payment_requests drop constraint if exists payment_requests_basket_amount_positive`.execute(db);
  await sql`alter table payment_requests add constraint payment_requests_basket_amount_positive
    check (basket_amount is null or (basket_amount > 0 and basket_amount <= ${MAX}))`.execute(db);
  await sql`alter table refunds drop constraint if exists refunds_capture_mode_known`.execute(db);
  await sql`alter table refunds add constraint refunds_capture_mode_known check (capture_mode in (${CAPTURE_MODES}))`.execute(db);

  // a refund is of its request's merchant, mode and currency, and with the others that hold money
  // stays within what the request captured
  await sql`create or replace function refunds_within_request() returns trigger language plpgsql as $$
    declare
      request record;
      reserved bigint;
    begin
      select merchant_id, livemode, currency, amount_captured into request from payment_requests where id = new.payment_request_id for no key update;
      if not found then return new; end if; -- the foreign key refuses it
      if new.merchant_id <> request.merchant_id or new.livemode <> request.livemode or new.currency <> request.currency then
        raise exception 'refund % is not of the merchant, mode and currency of payment request %', new.id, new.payment_request_id
          using errcode = 'check_violation', constraint = 'refunds_match_request';
      end if;
      if new.status in (${RESERVING}) then
        select coalesce(sum(amount), 0) into reserved from refunds
          where payment_request_id = new.payment_request_id and status in (${RESERVING}) and id <> new.id;
        if reserved + new.amount > request.amount_captured then
          raise exception 'refund % of % takes the refunds of payment request % past the % captured', new.id, new.amount, new.payment_request_id, request.amount_captured
            using errcode = 'check_violation', constraint = 'refunds_within_captured';
        end if;
      end if;
      return new;
    end $$`.execute(db);
  await sql`drop trigger if exists refunds_within_request_insert on refunds`.execute(db);
  await sql`create trigger refunds_within_request_insert before insert on refunds
    for each row execute function refunds_within_request()`.execute(db);
  // only where the refund moves or holds more than it did: a refund's usual updates (settled,
  // failed, cancelled, expired) take no lock and count nothing
  await sql`drop trigger if exists refunds_within_request_update on refunds`.execute(db);
  await sql`create trigger refunds_within_request_update before update of payment_request_id, merchant_id, livemode, currency, status, amount on refunds
    for each row when (new.payment_request_id <> old.payment_request_id or new.merchant_id <> old.merchant_id or new.livemode <> old.livemode
      or new.currency <> old.currency or new.amount > old.amount or (new.status in (${RESERVING}) and old.status not in (${RESERVING})))
    execute function refunds_within_request()`.execute(db);

  // a request keeps its refunds: its merchant, mode and currency stay theirs, and it never captures less than they hold
  await sql`create or replace function payment_requests_keep_refunds() returns trigger language plpgsql as $$
    begin
      if exists (select 1 from refunds where payment_request_id = new.id
          and (merchant_id <> new.merchant_id or livemode <> new.livemode or currency <> new.currency)) then
        raise exception 'payment request % has refunds of another merchant, mode or currency', new.id
          using errcode = 'check_violation', constraint = 'refunds_match_request';
      end if;
      if new.amount_captured < (select coalesce(sum(amount), 0) from refunds where payment_request_id = new.id and status in (${RESERVING})) then
        raise exception 'payment request % would capture %, less than its refunds hold', new.id, new.amount_captured
          using errcode = 'check_violation', constraint = 'refunds_within_captured';
      end if;
      return new;
    end $$`.execute(db);
  await sql`drop trigger if exists payment_requests_keep_refunds on payment_requests`.execute(db);
  await sql`create trigger payment_requests_keep_refunds before update of merchant_id, livemode, currency, amount_captured on payment_requests
    for each row when (new.merchant_id <> old.merchant_id or new.livemode <> old.livemode or new.currency <> old.currency or new.amount_captured < old.amount_captured)
    execute function payment_requests_keep_refunds()`.execute(db);

  // events: each follows the one before it on its object, and keeps its place
  await sql`create or replace function events_sequence_follows_on() returns trigger language plpgsql as $$
    begin
      if not exists (select 1 from events where object_id = new.object_id and sequence = new.sequence - 1) then
        raise exception 'event % is number % of %, which has no event %', new.id, new.sequence, new.object_id, new.sequence - 1
          using errcode = 'check_violation', constraint = 'events_sequence_follows_on';
      end if;
      return new;
    end $$`.execute(db);
  await sql`drop trigger if exists events_sequence_follows_on on events`.execute(db);
  await sql`create trigger events_sequence_follows_on before insert on events
    for each row when (new.sequence <> 1) execute function events_sequence_follows_on()`.execute(db);
  await sql`create or replace function events_sequence_fixed() returns trigger language plpgsql as $$
    begin
      raise exception 'event % cannot change its object or sequence', old.id using errcode = 'check_violation', constraint = 'events_sequence_fixed';
    end $$`.execute(db);
  await sql`drop trigger if exists events_sequence_fixed on events`.execute(db);
  await sql`create trigger events_sequence_fixed before update of object_id, sequence on events
    for each row when (new.object_id <> old.object_id or new.sequence <> old.sequence) execute function events_sequence_fixed()`.execute(db);
}

/** A BEFORE trigger that aborts the write when `when` holds, with the message SQLite gives a failed CHECK. */
async function sqliteTrigger(db: Kysely<unknown>, name: string, on: RawBuilder<unknown>, when: RawBuilder<unknown>, constraint = name): Promise<void> {
  const abort = sql.raw(`'CHECK constraint failed: ${constraint}'`);
  await sql`create trigger if not exists ${sql.ref(name)} ${on} when ${when} begin select raise(abort, ${abort}); end`.execute(db);
}

async function sqliteRules(db: Kysely<unknown>): Promise<void> {
  const notInteger = (column: string) => sql`typeof(new.${sql.ref(column)}) not in ('integer', 'null')`;
  const anyNotInteger = (columns: string[]) => sql.join(columns.map(notInteger), sql` or `);
  const money = sql.join(REQUEST_MONEY.map((column) => sql.ref(column)));

  // what PostgreSQL's BIGINT and the CHECKs above refuse, checked against the rows already there
  const existing = await sql<{ id: string }>`select id from payment_requests
    where ${sql.join(REQUEST_MONEY.map((column) => sql`typeof(${sql.ref(column)}) not in ('integer', 'null')`), sql` or `)}
      or basket_amount <= 0 or basket_amount > ${MAX}
    union all select id from refunds where typeof(amount) <> 'integer' or capture_mode not in (${CAPTURE_MODES})
    union all select id from channel_commands where typeof(amount) <> 'integer' limit 5`.execute(db);
  if (existing.rows.length > 0) throw new Error(`rows with money that is not a whole number, or an unknown capture mode: ${existing.rows.map((row) => row.id).join(', ')}`);

  await sqliteTrigger(db, 'payment_requests_money_integer_insert', sql`before insert on payment_requests`, anyNotInteger(REQUEST_MONEY), 'payment_requests_money_integer');
  await sqliteTrigger(db, 'payment_requests_money_integer_update', sql`before update of ${money} on payment_requests`, anyNotInteger(REQUEST_MONEY), 'payment_requests_money_integer');
  const basket = sql`new.basket_amount <= 0 or new.basket_amount > ${MAX}`;
  await sqliteTrigger(db, 'payment_requests_basket_amount_positive_insert', sql`before insert on payment_requests`, basket, 'payment_requests_basket_amount_positive');
  await sqliteTrigger(db, 'payment_requests_basket_amount_positive_update', sql`before update of basket_amount on payment_requests`, basket, 'payment_requests_basket_amount_positive');
  await sqliteTrigger(db, 'refunds_money_integer_insert', sql`before insert on refunds`, notInteger('amount'), 'refunds_money_integer');
  await sqliteTrigger(db, 'refunds_money_integer_update', sql`before update of amount on refunds`, notInteger('amount'), 'refunds_money_integer');
  await sqliteTrigger(db, 'channel_commands_money_integer_insert', sql`before insert on channel_commands`, notInteger('amount'), 'channel_commands_money_integer');
  await sqliteTrigger(db, 'channel_commands_money_integer_update', sql`before update of amount on channel_commands`, notInteger('amount'), 'channel_commands_money_integer');
  const captureMode = sql`new.capture_mode not in (${CAPTURE_MODES})`;
  await sqliteTrigger(db, 'refunds_capture_mode_known_insert', sql`before insert on refunds`, captureMode, 'refunds_capture_mode_known');
  await sqliteTrigger(db, 'refunds_capture_mode_known_update', sql`before update of capture_mode on refunds`, captureMode, 'refunds_capture_mode_known');

  // a refund is of its request's merchant, mode and currency (the foreign key refuses a request that is not there)
  const mismatched = sql`exists (select 1 from payment_requests p where p.id = new.payment_request_id
    and (p.merchant_id <> new.merchant_id or p.livemode <> new.livemode or p.currency <> new.currency))`;
  await sqliteTrigger(db, 'refunds_match_request_insert', sql`before insert on refunds`, mismatched, 'refunds_match_request');
  await sqliteTrigger(db, 'refunds_match_request_update', sql`before update of payment_request_id, merchant_id, livemode, currency on refunds`, sql`(
    new.payment_request_id <> old.payment_request_id or new.merchant_id <> old.merchant_id or new.livemode <> old.livemode or new.currency <> old.currency) and ${mismatched}`,
    'refunds_match_request');
  // the refunds that hold money stay within what their request captured
  const overCaptured = sql`new.status in (${RESERVING}) and new.amount + (select coalesce(sum(r.amount), 0) from refunds r
      where r.payment_request_id = new.payment_request_id and r.status in (${RESERVING}) and r.id <> new.id)
    > (select p.amount_captured from payment_requests p where p.id = new.payment_request_id)`;
  await sqliteTrigger(db, 'refunds_within_captured_insert', sql`before insert on refunds`, overCaptured, 'refunds_within_captured');
  await sqliteTrigger(db, 'refunds_within_captured_update', sql`before update of payment_request_id, status, amount on refunds`, sql`(
    new.payment_request_id <> old.payment_request_id or new.amount > old.amount or old.status not in (${RESERVING})) and ${overCaptured}`,
    'refunds_within_captured');
  // a request keeps its refunds
  await sqliteTrigger(db, 'payment_requests_keep_refunds_match', sql`before update of merchant_id, livemode, currency on payment_requests`, sql`(
    new.merchant_id <> old.merchant_id or new.livemode <> old.livemode or new.currency <> old.currency)
    and exists (select 1 from refunds r where r.payment_request_id = new.id
      and (r.merchant_id <> new.merchant_id or r.livemode <> new.livemode or r.currency <> new.currency))`, 'refunds_match_request');
  await sqliteTrigger(db, 'payment_requests_keep_refunds_captured', sql`before update of amount_captured on payment_requests`, sql`new.amount_captured < old.amount_captured
    and new.amount_captured < (select coalesce(sum(r.amount), 0) from refunds r where r.payment_request_id = new.id and r.status in (${RESERVING}))`,
    'refunds_within_captured');

  // events: each follows the one before it on its object, and keeps its place
  await sqliteTrigger(db, 'events_sequence_follows_on', sql`before insert on events`, sql`new.sequence <> 1
    and not exists (select 1 from events e where e.object_id = new.object_id and e.sequence = new.sequence - 1)`);
  await sqliteTrigger(db, 'events_sequence_fixed', sql`before update of object_id, sequence on events`,
    sql`new.object_id <> old.object_id or new.sequence <> old.sequence`);
}
