// The dashboard's and the reports' storage (app/ports/dashboard.ts, app/ports/reporting.ts) over
// Kysely, for every driver: KyselyTx delegates here so that file stays about the engine's tables.
import { sql, type Kysely, type RawBuilder, type Selectable } from 'kysely';
import type { AuditEntry, DisplayToken, LoggedAttempt, Session, SignInFailures, User } from '../app/ports/dashboard.js';
import type { Page } from '../app/ports/persistence.js';
import type { ActivityRow, ReportDay, SettlementQuery, SettlementRow } from '../app/ports/reporting.js';
import { insertHeldRow } from './compiled.js';
import * as rows from './rows.js';
import type { AuditLogTable, Database, DeliveryAttemptsTable, DisplayTokensTable, UsersTable } from './schema.js';

const num = (value: number | string | bigint | null) => Number(value ?? 0);

const toUser = (r: Selectable<UsersTable>): User => ({
  id: r.id, merchantId: r.merchant_id, email: r.email, role: r.role as User['role'], passwordHash: r.password_hash,
  createdAt: num(r.created_at), disabledAt: r.disabled_at === null ? null : num(r.disabled_at),
});

const toAudit = (r: Selectable<AuditLogTable>): AuditEntry => ({
  id: r.id, merchantId: r.merchant_id, livemode: r.livemode === 1, actorType: r.actor_type as AuditEntry['actorType'], actorId: r.actor_id,
  actorName: r.actor_name, action: r.action, objectType: r.object_type, objectId: r.object_id, detail: r.detail, createdAt: num(r.created_at),
});

const toDisplayToken = (r: Selectable<DisplayTokensTable>): DisplayToken => ({
  id: r.id, merchantId: r.merchant_id, terminalId: r.terminal_id, livemode: r.livemode === 1, hash: r.hash, last4: r.last4,
  createdAt: num(r.created_at), revokedAt: r.revoked_at === null ? null : num(r.revoked_at),
});

const toLogged = (r: Selectable<DeliveryAttemptsTable> & { event_type: string; payment_request_id: string }): LoggedAttempt => ({
  ...rows.toDeliveryAttempt(r), eventType: r.event_type, paymentRequestId: r.payment_request_id,
});

/**
 * The index of the day a time falls in: a CASE over the days' bounds (literal integers the use case
 * computed), so that days of 23 or 25 hours (daylight saving) are bucketed exactly on any database.
 */
function dayIndex(column: string, days: readonly ReportDay[]): RawBuilder<number> {
  for (const day of days) if (!Number.isSafeInteger(day.from) || !Number.isSafeInteger(day.to)) throw new RangeError('day bounds must be integers');
  const whens = days.map((day, index) => `when ${column} < ${day.to} then ${index}`).join(' ');
  return sql.raw<number>(`case ${whens} end`);
}

export class DashboardStore {
  constructor(private readonly db: Kysely<Database>) {}

  async getUser(id: string) {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toUser(row) : null;
  }
  async findUserByEmail(email: string) {
    const row = await this.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
    return row ? toUser(row) : null;
  }
  async listUsers(merchantId: string) {
    return (await this.db.selectFrom('users').selectAll().where('merchant_id', '=', merchantId).orderBy('id').execute()).map(toUser);
  }
  async listApiKeys(merchantId: string) {
    return (await this.db.selectFrom('api_keys').selectAll().where('merchant_id', '=', merchantId).orderBy('created_at').orderBy('id').execute()).map(rows.toApiKey);
  }
  async insertUser(u: User) {
    await this.db.insertInto('users').values({
      id: u.id, merchant_id: u.merchantId, email: u.email, role: u.role, password_hash: u.passwordHash, created_at: u.createdAt, disabled_at: u.disabledAt,
    }).execute();
  }
  async setUserDisabled(id: string, at: number | null) {
    await this.db.updateTable('users').set({ disabled_at: at }).where('id', '=', id).execute();
  }
  async setUserPassword(id: string, passwordHash: string) {
    await this.db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', id).execute();
  }

  async getSession(idHash: string): Promise<Session | null> {
    const r = await this.db.selectFrom('sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
    return r ? { idHash: r.id_hash, userId: r.user_id, csrfToken: r.csrf_token, createdAt: num(r.created_at), lastSeenAt: num(r.last_seen_at) } : null;
  }
  async insertSession(s: Session) {
    await this.db.insertInto('sessions').values({ id_hash: s.idHash, user_id: s.userId, csrf_token: s.csrfToken, created_at: s.createdAt, last_seen_at: s.lastSeenAt }).execute();
  }
  async touchSession(idHash: string, at: number) {
    await this.db.updateTable('sessions').set({ last_seen_at: at }).where('id_hash', '=', idHash).execute();
  }
  async deleteSession(idHash: string) {
    await this.db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
  }
  async deleteSessionsOfUser(userId: string) {
    await this.db.deleteFrom('sessions').where('user_id', '=', userId).execute();
  }
  async deleteIdleSessions(before: number) {
    const result = await this.db.deleteFrom('sessions').where('last_seen_at', '<', before).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async findDisplayTokenByHash(hash: string) {
    const row = await this.db.selectFrom('display_tokens').selectAll().where('hash', '=', hash).executeTakeFirst();
    return row ? toDisplayToken(row) : null;
  }
  async getDisplayToken(id: string) {
    const row = await this.db.selectFrom('display_tokens').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toDisplayToken(row) : null;
  }
  async listDisplayTokens(merchantId: string) {
    return (await this.db.selectFrom('display_tokens').selectAll().where('merchant_id', '=', merchantId).orderBy('created_at').orderBy('id').execute()).map(toDisplayToken);
  }
  async insertDisplayToken(t: DisplayToken) {
    await this.db.insertInto('display_tokens').values({
      id: t.id, merchant_id: t.merchantId, terminal_id: t.terminalId, livemode: rows.bit(t.livemode), hash: t.hash, last4: t.last4, created_at: t.createdAt, revoked_at: t.revokedAt,
    }).execute();
  }
  async revokeDisplayToken(id: string, at: number) {
    await this.db.updateTable('display_tokens').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).execute();
  }

  async getSignInFailures(key: string): Promise<SignInFailures | null> {
    const r = await this.db.selectFrom('sign_in_attempts').selectAll().where('key', '=', key).executeTakeFirst();
    return r ? { key: r.key, windowStart: num(r.window_start), failures: num(r.failures) } : null;
  }
  async countSignInAttempt(key: string, now: number, windowMs: number): Promise<SignInFailures> {
    // one statement: the row is locked while it is incremented (PostgreSQL) or the writer is alone
    // (SQLite), so attempts made at once are all counted; both SETs read the row as it was
    const over = sql<boolean>`sign_in_attempts.window_start <= ${now - windowMs}`;
    const r = await this.db.insertInto('sign_in_attempts').values({ key, window_start: now, failures: 1 })
      .onConflict((oc) => oc.column('key').doUpdateSet({
        window_start: sql<number>`case when ${over} then ${now} else sign_in_attempts.window_start end`,
        failures: sql<number>`case when ${over} then 1 else sign_in_attempts.failures + 1 end`,
      }))
      .returning(['key', 'window_start', 'failures']).executeTakeFirstOrThrow();
    return { key: r.key, windowStart: num(r.window_start), failures: num(r.failures) };
  }
  async uncountSignInAttempt(key: string, windowStart: number) {
    await this.db.updateTable('sign_in_attempts').set({ failures: sql<number>`failures - 1` })
      .where('key', '=', key).where('window_start', '=', windowStart).where('failures', '>', 0).execute();
    // a key with nothing counted keeps no row
    await this.db.deleteFrom('sign_in_attempts').where('key', '=', key).where('failures', '<=', 0).execute();
  }
  async clearSignInFailures(key: string) {
    await this.db.deleteFrom('sign_in_attempts').where('key', '=', key).execute();
  }

  async insertAuditEntry(a: AuditEntry) {
    // held: a refund's entry goes with its COMMIT, one round trip fewer on PostgreSQL
    await insertHeldRow(this.db, 'audit_log', {
      id: a.id, merchant_id: a.merchantId, livemode: rows.bit(a.livemode), actor_type: a.actorType, actor_id: a.actorId, actor_name: a.actorName,
      action: a.action, object_type: a.objectType, object_id: a.objectId, detail: a.detail, created_at: a.createdAt,
    });
  }
  async listAuditEntries(merchantId: string, livemode: boolean | null, { limit, beforeId, objectId }: { limit: number; beforeId?: string; objectId?: string }): Promise<Page<AuditEntry>> {
    let q = this.db.selectFrom('audit_log').selectAll().where('merchant_id', '=', merchantId).orderBy('id', 'desc').limit(limit + 1);
    if (livemode !== null) q = q.where('livemode', '=', rows.bit(livemode));
    if (beforeId) q = q.where('id', '<', beforeId);
    if (objectId) q = q.where('object_id', '=', objectId);
    const found = (await q.execute()).map(toAudit);
    return { items: found.slice(0, limit), hasMore: found.length > limit };
  }

  async listRecentDeliveryAttempts(merchantId: string, livemode: boolean, { limit, endpointId }: { limit: number; endpointId?: string }) {
    let q = this.db.selectFrom('delivery_attempts as a').innerJoin('events as e', 'e.id', 'a.event_id')
      .selectAll('a').select(['e.type as event_type', 'e.payment_request_id'])
      .where('e.merchant_id', '=', merchantId).where('e.livemode', '=', rows.bit(livemode))
      .orderBy('a.attempted_at', 'desc').orderBy('a.id', 'desc').limit(limit);
    if (endpointId) q = q.where('a.endpoint_id', '=', endpointId);
    return (await q.execute()).map(toLogged);
  }
  async listDeliveryAttemptsOfRequest(paymentRequestId: string) {
    const found = await this.db.selectFrom('delivery_attempts as a').innerJoin('events as e', 'e.id', 'a.event_id')
      .selectAll('a').select(['e.type as event_type', 'e.payment_request_id'])
      .where('e.payment_request_id', '=', paymentRequestId).orderBy('a.attempted_at').orderBy('a.id').execute();
    return found.map(toLogged);
  }

  async settlementRows({ merchantId, livemode, days }: SettlementQuery): Promise<SettlementRow[]> {
    if (days.length === 0) return [];
    const from = days[0]!.from;
    const to = days.at(-1)!.to;
    const mode = rows.bit(livemode);
    const succeeded = await this.db.selectFrom('events as e').innerJoin('payment_requests as pr', 'pr.id', 'e.object_id')
      .select([dayIndex('e.created_at', days).as('day'), 'pr.currency', 'pr.payment_method', 'pr.terminal_id'])
      .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.sum<number>('pr.amount_captured').as('gross')])
      .where('e.merchant_id', '=', merchantId).where('e.livemode', '=', mode).where('e.type', '=', 'payment_request.succeeded')
      .where('e.created_at', '>=', from).where('e.created_at', '<', to)
      .groupBy([sql`1`, 'pr.currency', 'pr.payment_method', 'pr.terminal_id']).execute();
    // refunds (a void's and money owed back included) of requests that had succeeded: what came off their gross
    const refunded = await this.db.selectFrom('refunds as rf').innerJoin('payment_requests as pr', 'pr.id', 'rf.payment_request_id')
      .select([dayIndex('rf.updated_at', days).as('day'), 'rf.currency', 'pr.payment_method', 'rf.terminal_id'])
      .select((eb) => [eb.fn.sum<number>('rf.amount').as('refunded')])
      .where('rf.merchant_id', '=', merchantId).where('rf.livemode', '=', mode).where('rf.status', '=', 'succeeded')
      .where('rf.updated_at', '>=', from).where('rf.updated_at', '<', to)
      // a request that had succeeded is succeeded still, or voided (the only way out of succeeded); an
      // authorized one refunds what its confirmations captured, on the refund's day, as it happens
      // (counted only at the release, a refund would rewrite a day already closed)
      .where((eb) => eb.or([eb('pr.status', 'in', ['succeeded', 'authorized']), eb.and([eb('pr.status', '=', 'cancelled'), eb('pr.status_reason', '=', 'voided')])]))
      .groupBy([sql`1`, 'rf.currency', 'pr.payment_method', 'rf.terminal_id']).execute();
    const byKey = new Map<string, SettlementRow>();
    const rowOf = (day: number, currency: string, channel: string | null, terminalId: string) => {
      const key = JSON.stringify([day, currency, channel, terminalId]);
      let row = byKey.get(key);
      if (!row) byKey.set(key, (row = { date: days[Number(day)]!.date, currency, channel, terminalId, count: 0, gross: 0, refunded: 0 }));
      return row;
    };
    for (const r of succeeded) Object.assign(rowOf(num(r.day), r.currency, r.payment_method, r.terminal_id), { count: num(r.count), gross: num(r.gross) });
    for (const r of refunded) rowOf(num(r.day), r.currency, r.payment_method, r.terminal_id).refunded = num(r.refunded);
    const order = (r: SettlementRow) => [r.date, r.currency, r.channel ?? '', r.terminalId].join('\u0000');
    return [...byKey.values()].sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
  }

  async activity(merchantId: string, livemode: boolean, from: number, to: number): Promise<ActivityRow[]> {
    const found = await this.db.selectFrom('payment_requests').select(['currency', 'status'])
      .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.sum<number>('amount_captured').as('captured')])
      .where('merchant_id', '=', merchantId).where('livemode', '=', rows.bit(livemode)).where('created_at', '>=', from).where('created_at', '<', to)
      .groupBy(['currency', 'status']).orderBy('currency').orderBy('status').execute();
    return found.map((r) => ({ currency: r.currency, status: r.status, count: num(r.count), captured: num(r.captured) }));
  }
}
