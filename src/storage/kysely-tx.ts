// The Tx port over Kysely: one implementation of every repository operation for all drivers.
// Driver differences (error shapes, autoincrement) are passed in, never branched on here.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { ChannelCommand } from '../core/channel-command.js';
import type { DialectRecord } from '../app/ports/dialect-records.js';
import type { PaymentRequest } from '../core/payment-request.js';
import type { Refund } from '../core/refund.js';
import {
  ChannelBusy, ConcurrentUpdate, UniqueViolation,
  type ApiKey, type DialectCredential, type EventFilter, type EventPage, type IdempotencyClaim, type IdempotencyScope, type Merchant, type Page, type Patron, type PatronCode,
  type Lease, type PaymentRequestFilter, type Store, type StoredEvent, type StoredResponse, type Terminal, type Tx,
} from '../app/ports/persistence.js';
import { ACTIVE_STATUSES, EXPIRABLE_STATUSES } from '../core/payment-request.js';
import type { Delivery, DeliveryAttempt, WebhookEndpoint } from '../core/webhooks.js';
import * as rows from './rows.js';
import { affected, firstCompiled, insertHeldRow, runCompiled, runCompiledAtOnce, setColumns, type RunAtOnce } from './compiled.js';
import { DashboardStore } from './dashboard-store.js';
import { WriteWatch } from './write-watch.js';
import { isHeldWriteFailure } from './held-writes.js';
import type { AuditEntry, DisplayToken, Session, User } from '../app/ports/dashboard.js';
import type { SettlementQuery } from '../app/ports/reporting.js';
import type { Database, MerchantsTable, WebhookEndpointsTable } from './schema.js';

/** Returns the name of the unique constraint an error reports, or null if it is not a unique violation. */
export type UniqueClassifier = (error: unknown) => string | null;

/** How far the clock of the row's mode runs ahead of real time: the merchant's offset in test mode (the query joins merchants as m). */
const testClockOffset = (alias: 'pr' | 'rf' | 'd') => sql<number>`case when ${sql.ref(`${alias}.livemode`)} = 1 then 0 else m.test_clock_offset_ms end`;
/** A request's last event sequence (one seek in events' (object_id, sequence) index), as a column of a query of the request. */
const lastEventSequenceOf = (requestId: 'pr.id' | 'payment_requests.id') =>
  sql<number | null>`(select max(sequence) from events where events.object_id = ${sql.ref(requestId)})`.as('last_event_sequence');

/**
 * The latest a row can be due at `realNow`: no merchant's test clock is further ahead than the
 * furthest (live mode's is not ahead at all). A bound on the indexed column itself, where the
 * per-row offset is not: the claims below then read the index only up to it, rather than every
 * row of the status, however many wait for later (a dead endpoint's deliveries, due in minutes or
 * hours, made each claim read them all). One scan of merchants, which are few.
 */
const latestDue = (realNow: number) =>
  sql<number>`${realNow} + (select coalesce(max(case when test_clock_offset_ms > 0 then test_clock_offset_ms else 0 end), 0) from merchants)`;

/** The merchant's columns as `m_<column>`, for a query that reads one of its rows and joins merchants as m. */
const MERCHANT_AS_M = ['m.id as m_id', 'm.name as m_name', 'm.test_clock_offset_ms as m_test_clock_offset_ms',
  'm.underpayment_tolerance_bps as m_underpayment_tolerance_bps', 'm.time_zone as m_time_zone', 'm.created_at as m_created_at'] as const;
type MerchantColumnsAsM = { [C in keyof Selectable<MerchantsTable> & string as `m_${C}`]: Selectable<MerchantsTable>[C] };
const merchantOf = (row: MerchantColumnsAsM): Merchant => rows.toMerchant({
  id: row.m_id, name: row.m_name, test_clock_offset_ms: row.m_test_clock_offset_ms, underpayment_tolerance_bps: row.m_underpayment_tolerance_bps,
  time_zone: row.m_time_zone, created_at: row.m_created_at,
});

/** A webhook endpoint's columns as `e_<column>`, for a query that left-joins a merchant's endpoints as e. */
const ENDPOINT_AS_E = ['e.id as e_id', 'e.merchant_id as e_merchant_id', 'e.livemode as e_livemode', 'e.url as e_url', 'e.event_types as e_event_types',
  'e.format as e_format', 'e.status as e_status', 'e.disabled_reason as e_disabled_reason', 'e.secret_sealed as e_secret_sealed',
  'e.previous_secret_sealed as e_previous_secret_sealed', 'e.previous_secret_expires_at as e_previous_secret_expires_at',
  'e.created_at as e_created_at', 'e.updated_at as e_updated_at'] as const;
type EndpointColumnsAsE = { [C in keyof Selectable<WebhookEndpointsTable> & string as `e_${C}`]: Selectable<WebhookEndpointsTable>[C] | null };
/** The endpoint a row of such a query holds, or null where the merchant has none (the join's empty side). */
const endpointOf = (row: EndpointColumnsAsE): WebhookEndpoint | null => row.e_id === null ? null : rows.toWebhookEndpoint({
  id: row.e_id, merchant_id: row.e_merchant_id!, livemode: row.e_livemode!, url: row.e_url!, event_types: row.e_event_types, format: row.e_format!,
  status: row.e_status!, disabled_reason: row.e_disabled_reason, secret_sealed: row.e_secret_sealed!, previous_secret_sealed: row.e_previous_secret_sealed,
  previous_secret_expires_at: row.e_previous_secret_expires_at, created_at: row.e_created_at!, updated_at: row.e_updated_at!,
});

/** No live lease holds the row: never leased, or its lease has run out. */
const leaseFree = (alias: 'pr' | 'rf' | 'd', realNow: number) =>
  sql<boolean>`(${sql.ref(`${alias}.lease_until`)} is null or ${sql.ref(`${alias}.lease_until`)} < ${realNow})`;

/**
 * A batch's list grown to the next power of two by repeating its last item: a statement's text
 * depends on the list's length, and a few lengths keep SQLite's statement cache (and the
 * database's plans) to a few statements rather than one per batch size.
 */
function padded<T>(items: readonly T[]): T[] {
  const size = 2 ** Math.ceil(Math.log2(items.length));
  return [...items, ...Array<T>(size - items.length).fill(items[items.length - 1] as T)];
}

/**
 * The columns of payment_requests that an index holds (or a partial index's condition reads).
 * SQLite rewrites an index's entry whenever an UPDATE sets one of its columns, changed or not:
 * setting every column rewrote all seven (41–45 µs an update, against 4–18 µs for the columns a
 * payment or a refund changes). A column missing here is merely set every time: slower, not wrong.
 */
const INDEXED_REQUEST_COLUMNS = ['merchant_id', 'livemode', 'reference', 'short_code', 'terminal_id', 'status', 'expires_at', 'external_ref', 'allow_concurrent'] as const;

/**
 * `after` without the indexed columns whose value is the one `before` (the row as stored) holds: a
 * few statement shapes, one per set of indexed columns a change touches. A value read back in
 * another type (PostgreSQL's bigint as a string) just counts as changed.
 */
function withoutUnchangedIndexed(after: Record<string, unknown>, before: Record<string, unknown>): Record<string, unknown> {
  const changed = { ...after };
  for (const column of INDEXED_REQUEST_COLUMNS) if (after[column] === before[column]) delete changed[column];
  return changed;
}

function page<T>(items: T[], limit: number): Page<T> {
  return { items: items.slice(0, limit), hasMore: items.length > limit };
}

/** What a driver's database can do that the shared SQL adapts to. */
export interface DriverFeatures {
  /** `FOR UPDATE … SKIP LOCKED` (PostgreSQL). SQLite has one writer at a time and needs none. */
  skipLocked: boolean;
  /**
   * One transaction writes at a time (SQLite): what a transaction has read stays true until it
   * writes it itself. On PostgreSQL others commit meanwhile, and a row lock waited for returns the
   * row as the holder left it but the rest of its statement as it was when the statement began.
   */
  singleWriter: boolean;
}

export class KyselyTx implements Tx {
  /** The channel commands whose answers this transaction applies (see actForChannelCommand). */
  private readonly channelCommands: string[] = [];
  /**
   * The last event sequence of each object this transaction created or appended to, and on SQLite
   * of each request it read (its last sequence comes with it): an object it made has none yet, and
   * its own appends are the only ones it could see since, so the next one needs no query (a
   * statement saved on every create, and on SQLite on every change of a request). Not on
   * PostgreSQL: a request read FOR UPDATE after waiting for another transaction's lock comes as
   * that one left it, but a subquery of the same statement reads the events as they were before
   * it committed, so every change that waited would collide on (object_id, sequence) and run again.
   * There the sequence comes with the request's update instead (updatePaymentRequest), a statement
   * that begins once the row is locked and so sees what the lock's last holder committed.
   */
  private readonly sequences = new Map<string, number>();
  /** The requests this transaction holds the row lock of (PostgreSQL: FOR UPDATE), for updatePaymentRequest. */
  private readonly locked = new Set<string>();
  /**
   * Merchants this transaction has read: several steps of one unit ask for the same merchant (its
   * clock, its settings), and within a transaction the row read first is as good as a second read.
   * None outside a transaction (`read` lives as long as the store), none after a write to merchants.
   */
  private readonly merchants: Map<string, Promise<Merchant | null>> | null;

  /**
   * The webhook endpoints of a merchant in one mode (key `merchantId livemode`), read along with
   * the row a unit begins with (its terminal, its request): the unit that appends an event reads
   * them next, and within a transaction the endpoints read first are as good as a second read.
   * None outside a transaction, none after a write to webhook endpoints.
   */
  private readonly endpoints: Map<string, WebhookEndpoint[]> | null;

  /**
   * Each payment request's row as this transaction last read or wrote it. Every write of a
   * request's columns takes it to a new version (updatePaymentRequest's check on the version it
   * read), so a row still at the version remembered holds exactly these values, and an update from
   * it leaves out the indexed columns it does not change (INDEXED_REQUEST_COLUMNS). None outside a
   * transaction (`read` lives as long as the store).
   */
  private readonly requestRows: Map<string, Record<string, unknown>> | null;

  private readonly db: Kysely<Database>;
  /** What this transaction has written (none outside a transaction: `read` never writes). */
  private readonly writes: WriteWatch | null;

  /** `atOnce`: a synchronous driver's way to run this transaction's (or reader's) compiled queries (compiled.ts). */
  constructor(
    db: Kysely<Database>,
    private readonly classify: UniqueClassifier,
    private readonly features: DriverFeatures,
    atOnce?: RunAtOnce,
  ) {
    const writes = db.isTransaction ? new WriteWatch() : null;
    this.writes = writes;
    this.db = writes ? db.withPlugin(writes) : db;
    if (atOnce) {
      runCompiledAtOnce(this.db, writes ? (query, parameters) => {
        writes.assertOpen();
        const result = atOnce(query, parameters);
        writes.ran(query.query, result);
        return result;
      } : atOnce);
    }
    this.dash = new DashboardStore(this.db);
    this.merchants = db.isTransaction ? new Map() : null;
    this.requestRows = db.isTransaction ? new Map() : null;
    this.endpoints = db.isTransaction ? new Map() : null;
  }

  hasWritten() {
    return this.writes?.written ?? false;
  }
  versionRead(paymentRequestId: string) {
    return this.versionsRead.get(paymentRequestId) ?? null;
  }
  /** The version of each request as first read from the database, before this transaction's own writes. */
  private readonly versionsRead = new Map<string, number>();
  private noteRead(id: string, row: Record<string, unknown>) {
    if (!this.versionsRead.has(id)) this.versionsRead.set(id, Number(row.version));
  }

  /** The unit this transaction served is over: any later query of it throws (see WriteWatch). */
  end(): void {
    this.writes?.end();
  }

  /** The dashboard's users, sessions and audit log, and the reports' aggregates (storage/dashboard-store.ts). */
  private readonly dash: DashboardStore;
  getUser(id: string) { return this.dash.getUser(id); }
  findUserByEmail(email: string) { return this.dash.findUserByEmail(email); }
  listUsers(merchantId: string) { return this.dash.listUsers(merchantId); }
  listApiKeys(merchantId: string) { return this.dash.listApiKeys(merchantId); }
  insertUser(user: User) { return this.write(() => this.dash.insertUser(user)); }
  setUserDisabled(id: string, at: number | null) { return this.dash.setUserDisabled(id, at); }
  setUserPassword(id: string, passwordHash: string) { return this.dash.setUserPassword(id, passwordHash); }
  getSession(idHash: string) { return this.dash.getSession(idHash); }
  findDisplayTokenByHash(hash: string) { return this.dash.findDisplayTokenByHash(hash); }
  getDisplayToken(id: string) { return this.dash.getDisplayToken(id); }
  listDisplayTokens(merchantId: string) { return this.dash.listDisplayTokens(merchantId); }
  insertDisplayToken(token: DisplayToken) { return this.write(() => this.dash.insertDisplayToken(token)); }
  revokeDisplayToken(id: string, at: number) { return this.dash.revokeDisplayToken(id, at); }
  insertSession(session: Session) { return this.write(() => this.dash.insertSession(session)); }
  touchSession(idHash: string, at: number) { return this.dash.touchSession(idHash, at); }
  deleteSession(idHash: string) { return this.dash.deleteSession(idHash); }
  deleteSessionsOfUser(userId: string) { return this.dash.deleteSessionsOfUser(userId); }
  deleteIdleSessions(before: number) { return this.dash.deleteIdleSessions(before); }
  getSignInFailures(key: string) { return this.dash.getSignInFailures(key); }
  countSignInAttempt(key: string, now: number, windowMs: number) { return this.dash.countSignInAttempt(key, now, windowMs); }
  uncountSignInAttempt(key: string, windowStart: number) { return this.dash.uncountSignInAttempt(key, windowStart); }
  clearSignInFailures(key: string) { return this.dash.clearSignInFailures(key); }
  insertAuditEntry(entry: AuditEntry) { return this.dash.insertAuditEntry(entry); }
  listAuditEntries(merchantId: string, livemode: boolean | null, page: { limit: number; beforeId?: string; objectId?: string }) { return this.dash.listAuditEntries(merchantId, livemode, page); }
  listRecentDeliveryAttempts(merchantId: string, livemode: boolean, page: { limit: number; endpointId?: string }) { return this.dash.listRecentDeliveryAttempts(merchantId, livemode, page); }
  listDeliveryAttemptsOfRequest(paymentRequestId: string) { return this.dash.listDeliveryAttemptsOfRequest(paymentRequestId); }
  settlementRows(query: SettlementQuery) { return this.dash.settlementRows(query); }
  activity(merchantId: string, livemode: boolean, from: number, to: number) { return this.dash.activity(merchantId, livemode, from, to); }

  /**
   * Runs a write, turning the driver's unique-violation error into the port's UniqueViolation; a
   * held write's failure that this one reports is not its own, and leaves as it is (the driver
   * turns it into the port's error as the transaction fails).
   */
  private async write<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (isHeldWriteFailure(error)) throw error;
      const constraint = this.classify(error);
      if (constraint) throw new UniqueViolation(constraint);
      throw error;
    }
  }

  /**
   * Keeps the merchant a query read along with one of its rows (MERCHANT_AS_M), unless this
   * transaction knows it already: the step that wants the merchant next (its clock, its settings)
   * then costs no statement.
   */
  private keepMerchant(merchant: Merchant): void {
    if (this.merchants && !this.merchants.has(merchant.id)) this.merchants.set(merchant.id, Promise.resolve(merchant));
  }

  /** Keeps the endpoints a query read along with one of its rows (ENDPOINT_AS_E, every row of it), for each mode it read them in. */
  private keepEndpoints(merchantId: string, modes: readonly boolean[], found: readonly EndpointColumnsAsE[]): void {
    if (!this.endpoints) return;
    const endpoints = found.map(endpointOf).filter((endpoint) => endpoint !== null);
    for (const livemode of modes) {
      const key = `${merchantId} ${livemode}`;
      if (!this.endpoints.has(key)) this.endpoints.set(key, endpoints.filter((endpoint) => endpoint.livemode === livemode));
    }
  }

  getMerchant(id: string): Promise<Merchant | null> {
    if (!this.merchants) return this.readMerchant(id);
    let merchant = this.merchants.get(id);
    if (!merchant) this.merchants.set(id, (merchant = this.readMerchant(id)));
    return merchant;
  }
  private async readMerchant(id: string) {
    const row = await firstCompiled(this.db, 'getMerchant', [id], (id) => this.db.selectFrom('merchants').selectAll().where('id', '=', id));
    return row ? rows.toMerchant(row) : null;
  }
  async listMerchants({ limit, afterId }: { limit: number; afterId?: string }) {
    let q = this.db.selectFrom('merchants').selectAll().orderBy('id').limit(limit + 1);
    if (afterId) q = q.where('id', '>', afterId);
    return page((await q.execute()).map(rows.toMerchant), limit);
  }
  async insertMerchant(m: Merchant) {
    this.merchants?.delete(m.id);
    await this.write(() =>
      this.db.insertInto('merchants').values({ id: m.id, name: m.name, test_clock_offset_ms: m.testClockOffsetMs, underpayment_tolerance_bps: m.underpaymentToleranceBps, time_zone: m.timeZone, created_at: m.createdAt }).execute(),
    );
  }
  async updateMerchantSettings(merchantId: string, settings: Partial<Pick<Merchant, 'underpaymentToleranceBps' | 'timeZone'>>) {
    this.merchants?.delete(merchantId);
    const columns = {
      ...(settings.underpaymentToleranceBps !== undefined ? { underpayment_tolerance_bps: settings.underpaymentToleranceBps } : {}),
      ...(settings.timeZone !== undefined ? { time_zone: settings.timeZone } : {}),
    };
    if (Object.keys(columns).length > 0) await this.db.updateTable('merchants').set(columns).where('id', '=', merchantId).execute();
    this.merchants?.delete(merchantId); // again: a read begun while the update was on its way may have cached the row before it
  }
  async setTestClockOffset(merchantId: string, offsetMs: number) {
    this.merchants?.delete(merchantId);
    await this.db.updateTable('merchants').set({ test_clock_offset_ms: offsetMs }).where('id', '=', merchantId).execute();
    this.merchants?.delete(merchantId);
  }
  async advanceTestClock(merchantId: string, byMs: number) {
    // added in the statement, to the row as it stands once locked: a concurrent move is never overwritten
    const row = await this.db.updateTable('merchants').set((eb) => ({ test_clock_offset_ms: eb('test_clock_offset_ms', '+', byMs) }))
      .where('id', '=', merchantId).returning('test_clock_offset_ms').executeTakeFirst();
    this.merchants?.delete(merchantId);
    return row ? Number(row.test_clock_offset_ms) : null;
  }

  async getStore(id: string) {
    const row = await this.db.selectFrom('stores').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? rows.toStore(row) : null;
  }
  async listStores(merchantId: string) {
    return (await this.db.selectFrom('stores').selectAll().where('merchant_id', '=', merchantId).orderBy('id').execute()).map(rows.toStore);
  }
  async insertStore(s: Store) {
    await this.write(() => this.db.insertInto('stores').values({ id: s.id, merchant_id: s.merchantId, name: s.name, created_at: s.createdAt }).execute());
  }

  getTerminal(id: string) {
    return this.terminalWithMerchant(id, false);
  }
  lockTerminal(id: string) {
    return this.terminalWithMerchant(id, true);
  }
  /**
   * `lock` holds the terminal's row alone on the drivers that lock rows (SQLite's writer holds the
   * whole file): FOR NO KEY UPDATE OF t, as an update of the row would, which waits for another
   * holder but not for the key share a request's insert takes on its terminal (two creates that
   * had each inserted and then asked FOR UPDATE would deadlock on each other's key share).
   */
  private async terminalWithMerchant(id: string, lock: boolean) {
    // the merchant comes along, kept in a transaction (keepMerchant): a create asks for its clock
    // next; in a transaction its endpoints too, of both modes (keepEndpoints): one row for each
    if (this.endpoints) {
      const locking = lock && this.features.skipLocked;
      const { rows: found } = await runCompiled(this.db, `getTerminal endpoints ${locking}`, [id], (id) => {
        const q = this.db.selectFrom('terminals as t').innerJoin('merchants as m', 'm.id', 't.merchant_id').leftJoin('webhook_endpoints as e', 'e.merchant_id', 't.merchant_id')
          .selectAll('t').select(MERCHANT_AS_M).select(ENDPOINT_AS_E).where('t.id', '=', id).orderBy('e.id');
        return locking ? q.forNoKeyUpdate('t') : q;
      });
      const row = found[0];
      if (!row) return null;
      this.keepMerchant(merchantOf(row));
      this.keepEndpoints(row.merchant_id, [false, true], found);
      return rows.toTerminal(row);
    }
    const row = await firstCompiled(this.db, 'getTerminal', [id], (id) =>
      this.db.selectFrom('terminals as t').innerJoin('merchants as m', 'm.id', 't.merchant_id').selectAll('t').select(MERCHANT_AS_M).where('t.id', '=', id));
    if (!row) return null;
    this.keepMerchant(merchantOf(row));
    return rows.toTerminal(row);
  }
  async listTerminals(merchantId: string, { limit, afterId, terminalId }: { limit: number; afterId?: string; terminalId?: string }) {
    let q = this.db.selectFrom('terminals').selectAll().where('merchant_id', '=', merchantId).orderBy('id').limit(limit + 1);
    if (afterId) q = q.where('id', '>', afterId);
    if (terminalId) q = q.where('id', '=', terminalId);
    return page((await q.execute()).map(rows.toTerminal), limit);
  }
  async insertTerminal(t: Terminal) {
    await this.write(() =>
      this.db.insertInto('terminals').values({
        id: t.id, merchant_id: t.merchantId, store_id: t.storeId, name: t.name,
        checked_in_patron_id: t.checkedInPatronId, checked_in_at: t.checkedInAt, created_at: t.createdAt, pos_id: t.posId,
      }).execute(),
    );
  }
  async setTerminalCheckIn(terminalId: string, patronId: string | null, at: number | null) {
    await this.db.updateTable('terminals').set({ checked_in_patron_id: patronId, checked_in_at: at }).where('id', '=', terminalId).execute();
  }

  async findTerminalByName(merchantId: string, name: string) {
    const row = await this.db.selectFrom('terminals').selectAll().where('merchant_id', '=', merchantId).where('name', '=', name).executeTakeFirst();
    return row ? rows.toTerminal(row) : null;
  }
  async findTerminalByPosId(posId: string) {
    const row = await this.db.selectFrom('terminals').selectAll().where('pos_id', '=', posId).executeTakeFirst();
    return row ? rows.toTerminal(row) : null;
  }
  async setTerminalPosId(terminalId: string, expected: string | null, posId: string | null) {
    const result = await this.write(() => this.db.updateTable('terminals').set({ pos_id: posId }).where('id', '=', terminalId)
      .where('pos_id', expected === null ? 'is' : '=', expected).executeTakeFirst());
    return Number(result.numUpdatedRows) === 1;
  }

  async insertDialectCredential(c: DialectCredential) {
    await this.write(() => this.db.insertInto('dialect_credentials').values({
      id: c.id, merchant_id: c.merchantId, dialect: c.dialect, livemode: rows.bit(c.livemode), lookup: c.lookup, secret_hash: c.secretHash,
      secret_sealed: c.secretSealed, api_key_id: c.apiKeyId, created_at: c.createdAt, updated_at: c.updatedAt,
    }).execute());
  }
  async findDialectCredential(dialect: string, lookup: string) {
    const row = await this.db.selectFrom('dialect_credentials').selectAll().where('dialect', '=', dialect).where('lookup', '=', lookup).executeTakeFirst();
    return row ? rows.toDialectCredential(row) : null;
  }
  async findDialectCredentialOfMerchant(merchantId: string, dialect: string) {
    const row = await this.db.selectFrom('dialect_credentials').selectAll().where('merchant_id', '=', merchantId).where('dialect', '=', dialect).executeTakeFirst();
    return row ? rows.toDialectCredential(row) : null;
  }
  async replaceDialectSecret(id: string, expectedHash: string | null, secret: { hash: string; sealed: string | null }, now: number) {
    const result = await this.db.updateTable('dialect_credentials').set({ secret_hash: secret.hash, secret_sealed: secret.sealed, updated_at: now }).where('id', '=', id)
      .where('secret_hash', expectedHash === null ? 'is' : '=', expectedHash).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
  async deleteDialectCredential(id: string) {
    await this.write(() => this.db.deleteFrom('dialect_credentials').where('id', '=', id).execute());
  }

  async insertApiKey(k: ApiKey) {
    await this.write(() =>
      this.db.insertInto('api_keys').values({
        id: k.id, merchant_id: k.merchantId, terminal_id: k.terminalId, kind: k.kind, mode: k.mode,
        hash: k.hash, last4: k.last4, created_at: k.createdAt, revoked_at: k.revokedAt,
      }).execute(),
    );
  }
  async findApiKeyByHash(hash: string) {
    const row = await firstCompiled(this.db, 'findApiKeyByHash', [hash], (hash) => this.db.selectFrom('api_keys').selectAll().where('hash', '=', hash));
    return row ? rows.toApiKey(row) : null;
  }
  async getApiKey(id: string) {
    const row = await this.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? rows.toApiKey(row) : null;
  }
  async revokeApiKey(id: string, at: number) {
    await this.db.updateTable('api_keys').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).execute();
  }

  async insertPaymentRequest(request: PaymentRequest) {
    const row = rows.fromPaymentRequest(request);
    await this.write(() => insertHeldRow(this.db, 'payment_requests', row));
    this.sequences.set(request.id, 0);
    this.requestRows?.set(request.id, row);
  }
  async updatePaymentRequest(request: PaymentRequest, fromVersion = request.version - 1) {
    const row = rows.fromPaymentRequest(request);
    const { id: _id, ...values } = row;
    const known = this.requestRows?.get(request.id);
    const set = setColumns(known && Number(known.version) === fromVersion ? withoutUnchangedIndexed(values, known) : values);
    const acting = this.channelCommands;
    // the unit appends an event to the request next: on PostgreSQL, where its last sequence cannot
    // come with the row (see `sequences`), it comes with the update of a row this transaction has
    // locked, a statement begun after the lock was taken (an update that may wait for the lock
    // itself would read the events as they were before it waited)
    const withSequence = this.locked.has(request.id) && !this.sequences.has(request.id);
    const result = await this.write(() =>
      runCompiled(this.db, `updatePaymentRequest ${acting.length} ${withSequence} ${set.key}`, [...set.args, request.id, fromVersion, ...acting], (...slots) =>
        this.db.updateTable('payment_requests').set(set.set(slots)).where('id', '=', slots[set.columns.length]).where('version', '=', slots[set.columns.length + 1])
          // a request with a channel command in flight changes only in the unit that applies its answer
          .where((eb) => (acting.length === 0 ? eb('channel_command_id', 'is', null)
            : eb.or([eb('channel_command_id', 'is', null), eb('channel_command_id', 'in', slots.slice(set.columns.length + 2))])))
          .$if(withSequence, (q) => q.returning(lastEventSequenceOf('payment_requests.id'))),
      ),
    );
    if (affected(result) === 1) {
      this.requestRows?.set(request.id, row);
      if (withSequence) this.sequences.set(request.id, Number((result.rows[0] as { last_event_sequence?: unknown } | undefined)?.last_event_sequence ?? 0));
      return;
    }
    const held = await this.db.selectFrom('payment_requests').select('channel_command_id').where('id', '=', request.id).executeTakeFirst();
    throw held?.channel_command_id ? new ChannelBusy(request.id) : new ConcurrentUpdate(request.id);
  }
  async getPaymentRequest(id: string) {
    const row = await firstCompiled(this.db, 'getPaymentRequest', [id], (id) => this.db.selectFrom('payment_requests').selectAll().where('id', '=', id));
    if (!row) return null;
    this.requestRows?.set(id, row);
    this.noteRead(id, row);
    return rows.toPaymentRequest(row);
  }
  /**
   * A request's row with its merchant's columns, kept for the transaction (keepMerchant): the unit
   * asks for the merchant's clock next. `lock` holds the request's row alone (FOR UPDATE OF pr).
   */
  private async requestWithMerchant(id: string, lock: boolean) {
    const locking = lock && this.features.skipLocked; // the drivers that lock rows (SQLite's writer holds the whole file)
    const inTransaction = this.requestRows !== null;
    const withSequence = inTransaction && this.features.singleWriter; // see `sequences`
    const { rows: found } = await runCompiled(this.db, `requestWithMerchant ${locking} ${inTransaction}`, [id], (id) => {
      const q = this.db.selectFrom('payment_requests as pr').innerJoin('merchants as m', 'm.id', 'pr.merchant_id').selectAll('pr').select(MERCHANT_AS_M).where('pr.id', '=', id)
        // a unit that reads a request mostly appends an event to it next: the endpoints of its
        // merchant and mode come with the row (keepEndpoints; one row for each), and on SQLite its
        // last sequence (one index seek), not in statements of their own
        .$if(inTransaction, (q) => q.leftJoin('webhook_endpoints as e', (join) => join.onRef('e.merchant_id', '=', 'pr.merchant_id').onRef('e.livemode', '=', 'pr.livemode')).select(ENDPOINT_AS_E).orderBy('e.id'))
        .$if(withSequence, (q) => q.select(lastEventSequenceOf('pr.id')));
      return locking ? q.forUpdate('pr') : q;
    });
    const row = found[0];
    if (!row) return null;
    const merchant = merchantOf(row);
    this.keepMerchant(merchant);
    this.requestRows?.set(id, row);
    this.noteRead(id, row);
    if (locking && inTransaction) this.locked.add(id);
    if (inTransaction) {
      if (withSequence && !this.sequences.has(id)) this.sequences.set(id, Number(row.last_event_sequence ?? 0));
      this.keepEndpoints(row.merchant_id, [rows.bool(row.livemode)], found as EndpointColumnsAsE[]);
    }
    return { request: rows.toPaymentRequest(row), merchant };
  }
  getPaymentRequestWithMerchant(id: string) {
    return this.requestWithMerchant(id, false);
  }
  async lockPaymentRequest(id: string) {
    return (await this.requestWithMerchant(id, true))?.request ?? null;
  }
  async findPaymentRequestByReference(merchantId: string, livemode: boolean, reference: string) {
    const row = await this.db.selectFrom('payment_requests').selectAll()
      .where('merchant_id', '=', merchantId).where('livemode', '=', rows.bit(livemode)).where('reference', '=', reference).executeTakeFirst();
    return row ? rows.toPaymentRequest(row) : null;
  }
  async findPaymentRequestByShortCode(shortCode: string) {
    const row = await this.db.selectFrom('payment_requests').selectAll().where('short_code', '=', shortCode).executeTakeFirst();
    return row ? rows.toPaymentRequest(row) : null;
  }
  async findActivePaymentRequestForTerminal(terminalId: string, livemode: boolean, source?: string) {
    let q = this.db.selectFrom('payment_requests').selectAll()
      .where('terminal_id', '=', terminalId).where('livemode', '=', rows.bit(livemode)).where('status', 'in', [...ACTIVE_STATUSES]).where('allow_concurrent', '=', 0);
    if (source !== undefined) q = q.where('source', '=', source);
    const row = await q.executeTakeFirst();
    return row ? rows.toPaymentRequest(row) : null;
  }
  async listPaymentRequests(f: PaymentRequestFilter, { limit, beforeId }: { limit: number; beforeId?: string }) {
    let q = this.db.selectFrom('payment_requests').selectAll()
      .where('merchant_id', '=', f.merchantId).where('livemode', '=', rows.bit(f.livemode)).orderBy('id', 'desc').limit(limit + 1);
    if (beforeId) q = q.where('id', '<', beforeId);
    if (f.terminalId) q = q.where('terminal_id', '=', f.terminalId);
    if (f.patronId) q = q.where('patron_id', '=', f.patronId);
    if (f.status) q = q.where('status', '=', f.status);
    if (f.statuses) q = q.where('status', 'in', [...f.statuses]);
    if (f.externalRef !== undefined) q = q.where('external_ref', '=', f.externalRef);
    if (f.reference) q = q.where('reference', '=', f.reference);
    if (f.shortCode) q = q.where('short_code', '=', f.shortCode);
    if (f.createdFrom !== undefined) q = q.where('created_at', '>=', f.createdFrom);
    if (f.createdTo !== undefined) q = q.where('created_at', '<=', f.createdTo);
    if (f.active !== undefined) q = q.where('status', f.active ? 'in' : 'not in', [...ACTIVE_STATUSES]);
    if (f.currency) q = q.where('currency', '=', f.currency);
    if (f.paymentMethod) q = q.where('payment_method', '=', f.paymentMethod);
    if (f.source) q = q.where('source', '=', f.source);
    if (f.amountFrom !== undefined) q = q.where('amount', '>=', f.amountFrom);
    if (f.amountTo !== undefined) q = q.where('amount', '<=', f.amountTo);
    const search = f.search;
    if (search) {
      // one indexed lookup per field (an OR over three columns would scan the merchant's requests)
      const mode = rows.bit(f.livemode);
      const ofMerchant = () => this.db.selectFrom('payment_requests').select('id').where('merchant_id', '=', f.merchantId).where('livemode', '=', mode);
      q = q.where('id', 'in', ofMerchant().where('reference', '=', search)
        .unionAll(ofMerchant().where('external_ref', '=', search))
        .unionAll(this.db.selectFrom('payment_requests').select('id').where('short_code', '=', search.toUpperCase())));
    }
    return page((await q.execute()).map(rows.toPaymentRequest), limit);
  }
  async claimDuePaymentRequests(realNow: number, limit: number, lease: Lease, merchantId?: string) {
    let due = this.db.selectFrom('payment_requests as pr').innerJoin('merchants as m', 'm.id', 'pr.merchant_id').select('pr.id')
      .where((eb) => eb.or([
        eb.and([eb('pr.status', 'in', [...EXPIRABLE_STATUSES]), eb('pr.expires_at', '<=', latestDue(realNow)), eb('pr.expires_at', '<=', sql<number>`${realNow} + ${testClockOffset('pr')}`)]),
        // 'authorized' as a literal: the partial index of authorized requests matches it, not a parameter
        eb.and([eb('pr.status', '=', sql.lit('authorized')), eb('pr.authorization_expires_at', '<=', latestDue(realNow)), eb('pr.authorization_expires_at', '<=', sql<number>`${realNow} + ${testClockOffset('pr')}`)]),
      ]))
      .where(leaseFree('pr', realNow))
      // one with a channel command in flight expires once the command is applied (its unit, or the sweep after its lease)
      .where('pr.channel_command_id', 'is', null)
      .orderBy('pr.expires_at').limit(limit);
    if (merchantId) due = due.where('pr.merchant_id', '=', merchantId);
    if (this.features.skipLocked) due = due.forUpdate('pr').skipLocked();
    const leased = await this.db.updateTable('payment_requests').set({ lease_owner: lease.owner, lease_until: lease.until }).where('id', 'in', due).returningAll().execute();
    return leased.map(rows.toPaymentRequest);
  }
  async claimAutopayCandidates(realNow: number, delayMs: number, limit: number, lease: Lease) {
    let due = this.db.selectFrom('payment_requests as pr').innerJoin('merchants as m', 'm.id', 'pr.merchant_id').select('pr.id')
      .where('pr.livemode', '=', 0).where('pr.status', 'in', ['created', 'pending']).where('pr.amount', 'is not', null)
      .where(sql<number>`pr.amount % 100`, '<>', 4) // "04" means never paid: leaving it out keeps it from filling every batch
      .where('pr.created_at', '<=', sql<number>`${realNow - delayMs} + m.test_clock_offset_ms`)
      .where(leaseFree('pr', realNow))
      .orderBy('pr.created_at').limit(limit);
    if (this.features.skipLocked) due = due.forUpdate('pr').skipLocked();
    const leased = await this.db.updateTable('payment_requests').set({ lease_owner: lease.owner, lease_until: lease.until }).where('id', 'in', due).returningAll().execute();
    return leased.map(rows.toPaymentRequest);
  }
  async releaseLease(table: 'payment_requests' | 'refunds', id: string, owner: string) {
    await this.db.updateTable(table).set({ lease_owner: null, lease_until: null }).where('id', '=', id).where('lease_owner', '=', owner).execute();
  }

  async addReference(paymentRequestId: string, merchantId: string, livemode: boolean, kind: string, value: string) {
    await this.write(() => this.db.insertInto('payment_request_refs').values({ payment_request_id: paymentRequestId, merchant_id: merchantId, livemode: rows.bit(livemode), kind, value }).execute());
  }
  async resolveReference(merchantId: string, livemode: boolean, value: string) {
    const row = await this.db.selectFrom('payment_request_refs').select('payment_request_id')
      .where('merchant_id', '=', merchantId).where('livemode', '=', rows.bit(livemode)).where('value', '=', value).executeTakeFirst();
    return row?.payment_request_id ?? null;
  }

  async insertRefund(refund: Refund) {
    await this.write(() => insertHeldRow(this.db, 'refunds', rows.fromRefund(refund)));
    this.sequences.set(refund.id, 0);
  }
  async updateRefund(refund: Refund) {
    const { id: _id, ...values } = rows.fromRefund(refund);
    const set = setColumns(values);
    const result = await this.write(() =>
      runCompiled(this.db, `updateRefund ${set.key}`, [...set.args, refund.id, refund.version - 1], (...slots) =>
        this.db.updateTable('refunds').set(set.set(slots)).where('id', '=', slots[set.columns.length]).where('version', '=', slots[set.columns.length + 1])),
    );
    if (affected(result) !== 1) throw new ConcurrentUpdate(refund.id);
  }
  async getRefund(id: string) {
    const row = await this.db.selectFrom('refunds').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? rows.toRefund(row) : null;
  }
  async findRefundByReference(paymentRequestId: string, reference: string) {
    const row = await firstCompiled(this.db, 'findRefundByReference', [paymentRequestId, reference], (request, reference) =>
      this.db.selectFrom('refunds').selectAll().where('payment_request_id', '=', request).where('reference', '=', reference));
    return row ? rows.toRefund(row) : null;
  }
  async listRefunds(paymentRequestId: string) {
    return (await this.db.selectFrom('refunds').selectAll().where('payment_request_id', '=', paymentRequestId).orderBy('id').execute()).map(rows.toRefund);
  }
  async claimDueRefunds(realNow: number, limit: number, lease: Lease, merchantId?: string) {
    let due = this.db.selectFrom('refunds as rf').innerJoin('merchants as m', 'm.id', 'rf.merchant_id').select('rf.id')
      .where('rf.status', '=', 'requires_capture').where('rf.expires_at', '<=', latestDue(realNow)).where('rf.expires_at', '<=', sql<number>`${realNow} + ${testClockOffset('rf')}`)
      .where(leaseFree('rf', realNow))
      .orderBy('rf.expires_at').limit(limit);
    if (merchantId) due = due.where('rf.merchant_id', '=', merchantId);
    if (this.features.skipLocked) due = due.forUpdate('rf').skipLocked();
    const leased = await this.db.updateTable('refunds').set({ lease_owner: lease.owner, lease_until: lease.until }).where('id', 'in', due).returningAll().execute();
    return leased.map(rows.toRefund);
  }

  async listAllPaymentRequests({ limit, afterId }: { limit: number; afterId?: string }) {
    let q = this.db.selectFrom('payment_requests').selectAll().orderBy('id').limit(limit + 1);
    if (afterId !== undefined) q = q.where('id', '>', afterId);
    return page((await q.execute()).map(rows.toPaymentRequest), limit);
  }
  async listPayableRequestsOf(source: string, { limit, afterId }: { limit: number; afterId?: string }) {
    let q = this.db.selectFrom('payment_requests').selectAll().where('status', 'in', [...EXPIRABLE_STATUSES]).where('source', '=', source).orderBy('id').limit(limit + 1);
    if (afterId !== undefined) q = q.where('id', '>', afterId);
    return page((await q.execute()).map(rows.toPaymentRequest), limit);
  }
  async listRefundsOfRequests(paymentRequestIds: readonly string[]) {
    if (paymentRequestIds.length === 0) return [];
    return (await this.db.selectFrom('refunds').selectAll().where('payment_request_id', 'in', [...paymentRequestIds]).orderBy('id').execute()).map(rows.toRefund);
  }
  async lastRequestEvents(paymentRequestIds: readonly string[]) {
    if (paymentRequestIds.length === 0) return [];
    const last = this.db.selectFrom('events').select(['object_id', (eb) => eb.fn.max('sequence').as('last')])
      .where('object_type', '=', 'payment_request').where('object_id', 'in', [...paymentRequestIds]).groupBy('object_id');
    const found = await this.db.selectFrom('events as e')
      .innerJoin(last.as('l'), (join) => join.onRef('e.object_id', '=', 'l.object_id').onRef('e.sequence', '=', 'l.last'))
      .selectAll('e').where('e.object_type', '=', 'payment_request').orderBy('e.object_id').execute();
    return found.map(rows.toEvent);
  }

  async appendEvent(e: StoredEvent) {
    await this.write(() =>
      insertHeldRow(this.db, 'events', {
        id: e.id, type: e.type, object_type: e.objectType, object_id: e.objectId, payment_request_id: e.paymentRequestId,
        merchant_id: e.merchantId, terminal_id: e.terminalId, livemode: rows.bit(e.livemode), sequence: e.sequence,
        data: JSON.stringify(e.data), created_at: e.createdAt,
      }),
    );
    this.sequences.set(e.objectId, e.sequence);
  }
  async lastEventSequence(objectId: string) {
    const known = this.sequences.get(objectId);
    if (known !== undefined) return known;
    const row = await firstCompiled(this.db, 'lastEventSequence', [objectId], (id) => this.db.selectFrom('events').select((eb) => eb.fn.max('sequence').as('last')).where('object_id', '=', id));
    return Number(row?.last ?? 0);
  }
  async listEvents(f: EventFilter, pageOf: EventPage) {
    let q = this.db.selectFrom('events').selectAll().where('merchant_id', '=', f.merchantId).where('livemode', '=', rows.bit(f.livemode))
      .orderBy('position', pageOf.newestFirst ? 'desc' : 'asc').limit(pageOf.limit + 1);
    if (pageOf.newestFirst) {
      if (pageOf.beforePosition !== undefined) q = q.where('position', '<', pageOf.beforePosition);
    } else if (pageOf.afterPosition !== undefined) q = q.where('position', '>', pageOf.afterPosition);
    // each event's request by its primary key: the cost is per event listed, not per request of the merchant
    const source = f.source;
    if (source !== undefined) q = q.where((eb) => eb.exists(eb.selectFrom('payment_requests').select('payment_requests.id').whereRef('payment_requests.id', '=', 'events.payment_request_id').where('payment_requests.source', '=', source)));
    if (f.terminalId) q = q.where('terminal_id', '=', f.terminalId);
    if (f.objectId) q = q.where('object_id', '=', f.objectId);
    if (f.paymentRequestId) q = q.where('payment_request_id', '=', f.paymentRequestId);
    if (f.type) q = q.where('type', '=', f.type);
    return page((await q.execute()).map(rows.toEvent), pageOf.limit);
  }
  async lastEventPosition(merchantId: string, livemode: boolean) {
    const row = await this.db.selectFrom('events').select((eb) => eb.fn.max('position').as('last'))
      .where('merchant_id', '=', merchantId).where('livemode', '=', rows.bit(livemode)).executeTakeFirst();
    return Number(row?.last ?? 0);
  }
  async getEvents(ids: readonly string[]) {
    if (ids.length === 0) return [];
    return (await this.db.selectFrom('events').selectAll().where('id', 'in', padded(ids)).execute()).map(rows.toEvent);
  }
  async getEvent(id: string) {
    const row = await firstCompiled(this.db, 'getEvent', [id], (id) => this.db.selectFrom('events').selectAll().where('id', '=', id));
    return row ? rows.toEvent(row) : null;
  }

  async claimIdempotencyKey(scope: IdempotencyScope, fingerprint: string, now: number, expiresAt: number, staleBefore: number, recordId: string): Promise<IdempotencyClaim> {
    // ON CONFLICT DO NOTHING rather than catching the violation: on PostgreSQL a failed statement
    // aborts the transaction, and a concurrent first insert makes this one wait for its commit
    const inserted = await this.db.insertInto('idempotency_keys').values({
      id: recordId, credential_id: scope.credentialId, method: scope.method, path: scope.path, key: scope.key, fingerprint,
      status: 'in_progress', response_status: null, response_body: null, locked_at: now, created_at: now, expires_at: expiresAt,
    }).onConflict((oc) => oc.columns(['credential_id', 'method', 'path', 'key']).doNothing()).executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) return { kind: 'claimed', recordId };
    const existing = await this.db.selectFrom('idempotency_keys').selectAll()
      .where('credential_id', '=', scope.credentialId).where('method', '=', scope.method).where('path', '=', scope.path).where('key', '=', scope.key)
      .executeTakeFirst();
    if (!existing) return { kind: 'in_progress' }; // released a moment ago by a failed first attempt: the client retries
    const expired = Number(existing.expires_at) <= now;
    const abandoned = existing.status === 'in_progress' && Number(existing.locked_at) < staleBefore;
    if (expired || abandoned) {
      // take the key over, conditioned on nobody else having done so since we read it
      const taken = await this.db.updateTable('idempotency_keys')
        .set({ id: recordId, fingerprint, status: 'in_progress', response_status: null, response_body: null, locked_at: now, created_at: now, expires_at: expiresAt })
        .where('id', '=', existing.id).executeTakeFirst();
      return Number(taken.numUpdatedRows) === 1 ? { kind: 'claimed', recordId } : { kind: 'in_progress' };
    }
    if (existing.fingerprint !== fingerprint) return { kind: 'mismatch' };
    if (existing.status === 'in_progress') return { kind: 'in_progress', recordId: existing.id };
    return { kind: 'replay', response: { status: Number(existing.response_status), body: JSON.parse(existing.response_body ?? 'null') } };
  }
  async completeIdempotencyKey(recordId: string, response: StoredResponse) {
    const done = await this.db.updateTable('idempotency_keys')
      .set({ status: 'done', response_status: response.status, response_body: JSON.stringify(response.body) })
      .where('id', '=', recordId).where('status', '=', 'in_progress').executeTakeFirst();
    if (Number(done.numUpdatedRows) !== 1) throw new ConcurrentUpdate(recordId);
  }
  async releaseIdempotencyKey(recordId: string) {
    await this.db.deleteFrom('idempotency_keys').where('id', '=', recordId).where('status', '=', 'in_progress').execute();
  }
  async deleteExpiredIdempotencyKeys(now: number, limit: number) {
    const expired = this.db.selectFrom('idempotency_keys').select('id').where('expires_at', '<=', now).orderBy('expires_at').limit(limit);
    const result = await this.db.deleteFrom('idempotency_keys').where('id', 'in', expired).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async insertPatron(p: Patron) {
    await this.write(() => this.db.insertInto('patrons').values({ id: p.id, merchant_id: p.merchantId, livemode: rows.bit(p.livemode), name: p.name, age: p.age, created_at: p.createdAt }).execute());
  }
  async getPatron(id: string) {
    const row = await this.db.selectFrom('patrons').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? rows.toPatron(row) : null;
  }
  async insertPatronCode(c: PatronCode) {
    await this.write(() =>
      this.db.insertInto('patron_codes').values({
        code: c.code, patron_id: c.patronId, merchant_id: c.merchantId, livemode: rows.bit(c.livemode), issued_at: c.issuedAt, expires_at: c.expiresAt, used_at: c.usedAt,
      }).execute(),
    );
  }
  async latestPatronCode(patronId: string) {
    const row = await this.db.selectFrom('patron_codes').selectAll().where('patron_id', '=', patronId).orderBy('issued_at', 'desc').orderBy('code').executeTakeFirst();
    return row ? rows.toPatronCode(row) : null;
  }
  async getPatronCode(code: string) {
    const row = await this.db.selectFrom('patron_codes').selectAll().where('code', '=', code).executeTakeFirst();
    return row ? rows.toPatronCode(row) : null;
  }
  async usePatronCode(code: string, at: number) {
    const result = await this.db.updateTable('patron_codes').set({ used_at: at }).where('code', '=', code).where('used_at', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async insertWebhookEndpoint(endpoint: WebhookEndpoint) {
    this.endpoints?.clear();
    await this.write(() => this.db.insertInto('webhook_endpoints').values(rows.fromWebhookEndpoint(endpoint)).execute());
  }
  async getWebhookEndpoint(id: string) {
    const row = await firstCompiled(this.db, 'getWebhookEndpoint', [id], (id) => this.db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id));
    return row ? rows.toWebhookEndpoint(row) : null;
  }
  async listWebhookEndpoints(merchantId: string, livemode: boolean) {
    const known = this.endpoints?.get(`${merchantId} ${livemode}`);
    if (known) return [...known];
    const { rows: found } = await runCompiled(this.db, 'listWebhookEndpoints', [merchantId, rows.bit(livemode)], (merchant, mode) =>
      this.db.selectFrom('webhook_endpoints').selectAll().where('merchant_id', '=', merchant).where('livemode', '=', mode).orderBy('id'));
    return found.map(rows.toWebhookEndpoint);
  }
  async updateWebhookEndpoint(endpoint: WebhookEndpoint, read: WebhookEndpoint) {
    this.endpoints?.clear();
    const { id: _id, ...values } = rows.fromWebhookEndpoint(endpoint);
    const { id: _readId, ...was } = rows.fromWebhookEndpoint(read);
    // compare-and-set on every column as read: on PostgreSQL a concurrent writer's row is waited
    // for and compared as it committed, so the second of two changes finds it moved and runs again
    let q = this.db.updateTable('webhook_endpoints').set(values).where('id', '=', endpoint.id);
    for (const [column, value] of Object.entries(was) as [keyof typeof was, string | number | null][])
      q = value === null ? q.where(column, 'is', null) : q.where(column, '=', value);
    const result = await q.executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) throw new ConcurrentUpdate(endpoint.id);
  }
  async deleteWebhookEndpoint(id: string) {
    this.endpoints?.clear();
    await this.db.deleteFrom('webhook_endpoints').where('id', '=', id).execute();
  }

  async insertDelivery(delivery: Delivery) {
    await this.write(() => insertHeldRow(this.db, 'deliveries', rows.fromDelivery(delivery)));
  }
  async getDeliveries(ids: readonly string[]) {
    if (ids.length === 0) return [];
    return (await this.db.selectFrom('deliveries').selectAll().where('id', 'in', padded(ids)).execute()).map(rows.toDelivery);
  }
  async getDelivery(id: string) {
    const row = await firstCompiled(this.db, 'getDelivery', [id], (id) => this.db.selectFrom('deliveries').selectAll().where('id', '=', id));
    return row ? rows.toDelivery(row) : null;
  }
  async listDeliveriesForEvent(eventId: string) {
    return (await this.db.selectFrom('deliveries').selectAll().where('event_id', '=', eventId).orderBy('id').execute()).map(rows.toDelivery);
  }
  async webhookBacklog(realNow: number) {
    const due = sql<number>`case when d.next_attempt_at <= ${realNow} + ${testClockOffset('d')} then 1 else 0 end`;
    const row = await this.db.selectFrom('deliveries as d').innerJoin('merchants as m', 'm.id', 'd.merchant_id')
      .select([
        sql<number>`coalesce(sum(${due}), 0)`.as('due'),
        sql<number>`count(*)`.as('pending'),
        sql<number | null>`min(case when ${due} = 1 then d.created_at end)`.as('oldest'),
      ])
      .where('d.status', '=', 'pending')
      .executeTakeFirst();
    const dueCount = Number(row?.due ?? 0);
    return { due: dueCount, waiting: Number(row?.pending ?? 0) - dueCount, oldestDueCreatedAt: row?.oldest == null ? null : Number(row.oldest) };
  }
  async claimDueDeliveries(realNow: number, limit: number, lease: Lease, skipTargets: readonly string[] = []) {
    let due = this.db.selectFrom('deliveries as d').innerJoin('merchants as m', 'm.id', 'd.merchant_id').select('d.id')
      .where('d.status', '=', 'pending')
      .where('d.next_attempt_at', '<=', latestDue(realNow))
      .where('d.next_attempt_at', '<=', sql<number>`${realNow} + ${testClockOffset('d')}`)
      // free, or leased to this same owner by a claim whose answer was lost
      .where((eb) => eb.or([leaseFree('d', realNow), eb('d.lease_owner', '=', lease.owner)]))
      // per-object order: an earlier event of the same object for the same target goes first
      .where((eb) => eb.not(eb.exists(
        eb.selectFrom('deliveries as earlier').select('earlier.id')
          .whereRef('earlier.target', '=', 'd.target').whereRef('earlier.object_id', '=', 'd.object_id')
          .whereRef('earlier.sequence', '<', 'd.sequence').where('earlier.status', '=', 'pending'),
      )))
      .orderBy('d.next_attempt_at').limit(limit);
    if (skipTargets.length > 0) due = due.where('d.target', 'not in', [...skipTargets]);
    if (this.features.skipLocked) due = due.forUpdate('d').skipLocked();
    const leased = await this.db.updateTable('deliveries').set({ lease_owner: lease.owner, lease_until: lease.until }).where('id', 'in', due).returningAll().execute();
    return leased.map(rows.toDelivery);
  }
  async updateDelivery(delivery: Delivery) {
    const { id: _id, ...values } = rows.fromDelivery(delivery);
    const set = setColumns({ ...values, lease_owner: null, lease_until: null });
    await runCompiled(this.db, `updateDelivery ${set.key}`, [...set.args, delivery.id], (...slots) =>
      this.db.updateTable('deliveries').set(set.set(slots)).where('id', '=', slots[set.columns.length]));
  }
  async updateDeliveries(deliveries: readonly Delivery[]) {
    if (deliveries.length === 0) return;
    const all = padded(deliveries); // a repeated row changes nothing: its first WHEN matches
    // one CASE per column, typed (PostgreSQL would take untyped parameters for text)
    const each = (value: (d: Delivery) => string | number, type: 'text' | 'bigint') =>
      sql<never>`case id ${sql.join(all.map((d) => sql`when ${d.id} then cast(${value(d)} as ${sql.raw(type)})`), sql` `)} end`;
    await this.db.updateTable('deliveries').set({
      status: each((d) => d.status, 'text'), attempts: each((d) => d.attempts, 'bigint'), next_attempt_at: each((d) => d.nextAttemptAt, 'bigint'),
      updated_at: each((d) => d.updatedAt, 'bigint'), lease_owner: null, lease_until: null,
    }).where('id', 'in', all.map((d) => d.id)).execute();
  }
  async cancelPendingDeliveries(endpointId: string, now: number) {
    const result = await this.db.updateTable('deliveries').set({ status: 'cancelled', updated_at: now }).where('endpoint_id', '=', endpointId).where('status', '=', 'pending').executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
  async insertDeliveryAttempts(attempts: readonly DeliveryAttempt[]) {
    // in runs of a power of two, so that a batch of any size is one of a few statements (see padded)
    for (let start = 0; start < attempts.length; ) {
      const size = 2 ** Math.floor(Math.log2(attempts.length - start));
      const run = attempts.slice(start, start + size);
      await this.write(() => this.db.insertInto('delivery_attempts').values(run.map(rows.fromDeliveryAttempt)).execute());
      start += size;
    }
  }
  async listDeliveryAttempts(eventId: string) {
    return (await this.db.selectFrom('delivery_attempts').selectAll().where('event_id', '=', eventId).orderBy('attempted_at').orderBy('id').execute()).map(rows.toDeliveryAttempt);
  }

  async getSetting(key: string) {
    const row = await this.db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
    return row?.value ?? null;
  }
  async insertSetting(key: string, value: string) {
    await this.write(() => this.db.insertInto('settings').values({ key, value }).execute());
  }
  async setSetting(key: string, value: string) {
    await this.db.insertInto('settings').values({ key, value }).onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
  }

  actForChannelCommand(commandId: string) {
    this.channelCommands.push(commandId);
  }
  async beginChannelCommand(command: ChannelCommand, lease: Lease, handOverFrom: string | null = null, basedOn: number | null = null) {
    await this.insertChannelCommand(command, lease);
    const free = [command.id, ...(handOverFrom ? [handOverFrom] : [])];
    const versioned = basedOn !== null;
    const held = await runCompiled(this.db, `beginChannelCommand ${free.length} ${versioned}`, [command.id, command.paymentRequestId, ...(versioned ? [basedOn] : []), ...free], (id, request, ...rest) =>
      this.db.updateTable('payment_requests').set({ channel_command_id: id }).where('id', '=', request)
        // the request as the unit decided on it: changed since (between a unit's rollback and this), it decides again
        .$if(versioned, (q) => q.where('version', '=', rest[0]!))
        .where((eb) => eb.or([eb('channel_command_id', 'is', null), eb('channel_command_id', 'in', versioned ? rest.slice(1) : rest)])));
    if (affected(held) !== 1) {
      if (!versioned) throw new ChannelBusy(command.paymentRequestId);
      const now = await this.db.selectFrom('payment_requests').select('channel_command_id').where('id', '=', command.paymentRequestId).executeTakeFirst();
      throw now?.channel_command_id && !free.includes(now.channel_command_id) ? new ChannelBusy(command.paymentRequestId) : new ConcurrentUpdate(command.paymentRequestId);
    }
    // the command may have been applied meanwhile by another asker of the same operation (a retry's
    // first try, the sweep, a second caller that made the same id from the same commands): the
    // request it no longer holds is not held again (read after the hold was taken, so on PostgreSQL
    // after that apply committed), or it would stay held for good by a command nobody applies; the
    // caller runs again and finds the request as it is now
    const status = await firstCompiled(this.db, 'channelCommandStatus', [command.id], (id) => this.db.selectFrom('channel_commands').select('status').where('id', '=', id));
    if (status?.status === 'applied') throw new ConcurrentUpdate(command.paymentRequestId);
  }
  async insertChannelCommand(command: ChannelCommand, lease: Lease | null) {
    const row = { ...rows.fromChannelCommand(command), attempts: 0, lease_owner: lease?.owner ?? null, lease_until: lease?.until ?? null };
    // held: nothing reads its answer (the command may be there already: a unit run again records it again)
    await insertHeldRow(this.db, 'channel_commands', row, ' on conflict id', (q) => q.onConflict((oc) => oc.column('id').doNothing()));
  }
  async getChannelCommand(id: string) {
    const row = await firstCompiled(this.db, 'getChannelCommand', [id], (id) => this.db.selectFrom('channel_commands').selectAll().where('id', '=', id));
    return row ? rows.toChannelCommand(row) : null;
  }
  async channelCommandsOf(paymentRequestId: string) {
    const { rows: found } = await runCompiled(this.db, 'channelCommandsOf', [paymentRequestId], (request) =>
      this.db.selectFrom('channel_commands as c').innerJoin('payment_requests as pr', 'pr.id', 'c.payment_request_id').selectAll('c')
        .select(sql<number>`case when pr.channel_command_id = c.id then 1 else 0 end`.as('in_flight'))
        .where('c.payment_request_id', '=', request).orderBy('c.created_at').orderBy('c.id'));
    const commands = found.map(rows.toChannelCommand);
    const held = found.findIndex((row) => Number(row.in_flight) === 1);
    return { commands, inFlight: held === -1 ? null : commands[held]! };
  }
  async recordChannelOutcome(id: string, outcome: string, now: number) {
    await this.db.updateTable('channel_commands').set({ status: 'executed', outcome, updated_at: now, attempts: sql`attempts + 1` })
      .where('id', '=', id).where('status', '=', 'pending').execute();
  }
  async applyChannelCommand(id: string, now: number, outcome: string | undefined, paymentRequestId: string) {
    // the request first: every writer locks it before the command (one lock order on PostgreSQL);
    // held (it goes with the command's update): whether the request still named it matters to no one
    await runCompiled(this.db, 'releaseChannelCommand', [paymentRequestId, id], (request, id) =>
      this.db.updateTable('payment_requests').set({ channel_command_id: null }).where('id', '=', request).where('channel_command_id', '=', id), true);
    const withOutcome = outcome !== undefined;
    const applied = await firstCompiled(this.db, `applyChannelCommand ${withOutcome}`, [now, id, ...(withOutcome ? [outcome] : [])], (now, id, outcome) =>
      this.db.updateTable('channel_commands')
        .set({ status: 'applied', updated_at: now, lease_owner: null, lease_until: null, ...(withOutcome ? { outcome } : {}) })
        .where('id', '=', id).where('status', '!=', 'applied').returningAll());
    return applied ? rows.toChannelCommand(applied) : null;
  }
  async claimChannelCommands(realNow: number, limit: number, lease: Lease) {
    let due = this.db.selectFrom('channel_commands').select('id').where('status', 'in', ['pending', 'executed'])
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', realNow)])).orderBy('created_at').limit(limit);
    if (this.features.skipLocked) due = due.forUpdate().skipLocked();
    const leased = await this.db.updateTable('channel_commands').set({ lease_owner: lease.owner, lease_until: lease.until }).where('id', 'in', due).returningAll().execute();
    return leased.map(rows.toChannelCommand);
  }
  async recordChannelEvent(id: string, commandId: string, now: number) {
    const inserted = await this.db.insertInto('channel_events').values({ id, command_id: commandId, received_at: now })
      .onConflict((oc) => oc.column('id').doNothing()).executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async getDialectRecord(dialect: string, kind: string, key: string) {
    const row = await this.db.selectFrom('dialect_records').selectAll().where('dialect', '=', dialect).where('kind', '=', kind).where('key', '=', key).executeTakeFirst();
    return row ? rows.toDialectRecord(row) : null;
  }
  async listDialectRecords(dialect: string, kind: string, keys: readonly string[]) {
    if (keys.length === 0) return [];
    const found = await this.db.selectFrom('dialect_records').selectAll().where('dialect', '=', dialect).where('kind', '=', kind).where('key', 'in', [...keys]).execute();
    return found.map(rows.toDialectRecord);
  }
  async putDialectRecord(record: DialectRecord) {
    const row = rows.fromDialectRecord(record);
    await this.db.insertInto('dialect_records').values(row)
      .onConflict((oc) => oc.columns(['dialect', 'kind', 'key']).doUpdateSet({ data: row.data, updated_at: row.updated_at })).execute();
  }
  async addDialectRecord(record: DialectRecord) {
    const added = await this.db.insertInto('dialect_records').values(rows.fromDialectRecord(record))
      .onConflict((oc) => oc.columns(['dialect', 'kind', 'key']).doNothing()).returning('key').executeTakeFirst();
    return added !== undefined;
  }
}
