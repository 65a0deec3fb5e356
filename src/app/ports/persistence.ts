// The storage port: what use cases need from persistence, in domain terms. Drivers implement it
// (storage/); one contract suite (storage/store.contract.ts) runs against every driver.
import type { PaymentRequest, PaymentRequestStatus } from '../../core/payment-request.js';
import type { ChannelCommandReads, ChannelCommandWrites } from './channel-commands.js';
import type { DashboardReads, DashboardWrites } from './dashboard.js';
import type { DialectRecordReads, DialectRecordWrites } from './dialect-records.js';
import type { ReportingReads } from './reporting.js';
import type { Refund } from '../../core/refund.js';
import type { Delivery, DeliveryAttempt, WebhookEndpoint } from '../../core/webhooks.js';

export type Mode = 'test' | 'live';

export interface Merchant {
  id: string;
  name: string;
  /** How far the merchant's test clock runs ahead of real time. */
  testClockOffsetMs: number;
  /** A payment this far short of the amount (basis points of it) still settles the request. */
  underpaymentToleranceBps: number;
  /** Its IANA time zone, for local dates and times; null: none set (each surface has its default). */
  timeZone: string | null;
  createdAt: number;
}

export interface Store {
  id: string;
  merchantId: string;
  name: string;
  createdAt: number;
}

export interface Terminal {
  id: string;
  merchantId: string;
  storeId: string;
  /** The merchant's own terminal id (what dialects call terminalId). */
  name: string;
  checkedInPatronId: string | null;
  checkedInAt: number | null;
  createdAt: number;
  /** The gateway-made id of the terminal's point of sale, for APIs that know one (null: none created). */
  posId: string | null;
}

/** A merchant's credential set for one provider dialect: a public lookup value and a hashed secret. */
export interface DialectCredential {
  id: string;
  merchantId: string;
  dialect: string;
  livemode: boolean;
  /** What the caller names itself by (a public code): unique per dialect. */
  lookup: string;
  /** SHA-256 hex of the secret (an access token); null until one is issued. */
  secretHash: string | null;
  /** The secret sealed by the SecretBox, for sets whose callers sign with it (the server must read it); else null. */
  secretSealed: string | null;
  /** The terminal key the set issued, revoked with the set; null when it issued none. */
  apiKeyId: string | null;
  createdAt: number;
  updatedAt: number;
}

export type KeyKind = 'secret' | 'terminal';

export interface ApiKey {
  id: string;
  merchantId: string;
  terminalId: string | null;
  kind: KeyKind;
  mode: Mode;
  /** SHA-256 hex of the key: the key itself is never stored. */
  hash: string;
  /** The last 4 characters, so people can tell keys apart. */
  last4: string;
  createdAt: number;
  revokedAt: number | null;
}

export interface StoredEvent {
  id: string;
  type: string;
  objectType: 'payment_request' | 'refund';
  objectId: string;
  paymentRequestId: string;
  merchantId: string;
  terminalId: string;
  livemode: boolean;
  sequence: number;
  /** The domain object as after the change. */
  data: PaymentRequest | Refund;
  createdAt: number;
  /** Insertion order across the deployment: what list cursors page by. */
  position?: number;
}

export interface StoredResponse {
  status: number;
  body: unknown;
}

export type IdempotencyClaim =
  | { kind: 'claimed'; recordId: string }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'mismatch' }
  /** `recordId`: the record that holds the key (absent if it was released a moment ago). */
  | { kind: 'in_progress'; recordId?: string };

export interface IdempotencyScope {
  credentialId: string;
  method: string;
  path: string;
  key: string;
}

export interface Patron {
  id: string;
  merchantId: string;
  livemode: boolean;
  name: string;
  /** In years; null: not stated, taken as of age. */
  age: number | null;
  createdAt: number;
}

export interface PatronCode {
  code: string;
  patronId: string;
  merchantId: string;
  livemode: boolean;
  issuedAt: number;
  expiresAt: number;
  usedAt: number | null;
}

export interface PaymentRequestFilter {
  merchantId: string;
  livemode: boolean;
  patronId?: string;
  terminalId?: string;
  status?: PaymentRequestStatus;
  statuses?: readonly PaymentRequestStatus[];
  reference?: string;
  externalRef?: string;
  shortCode?: string;
  createdFrom?: number;
  createdTo?: number;
  active?: boolean;
  currency?: string;
  /** The channel the patron paid through. */
  paymentMethod?: string;
  /** The API the request came through (native or a dialect's name). */
  source?: string;
  amountFrom?: number;
  amountTo?: number;
  /** Exactly a reference, an external reference or a short code. */
  search?: string;
}

export interface EventFilter {
  merchantId: string;
  livemode: boolean;
  terminalId?: string;
  objectId?: string;
  paymentRequestId?: string;
  type?: string;
  /** Only the events of requests made through this API (a payment request's `source`). */
  source?: string;
}

/** A page of events: oldest first after `afterPosition`, or, `newestFirst`, newest first before `beforePosition`. */
export type EventPage = { limit: number; afterPosition?: number; newestFirst?: false } | { limit: number; beforePosition?: number; newestFirst: true };

export interface Page<T> {
  items: T[];
  hasMore: boolean;
}

/** A claim on background work: held by `owner` until `until` (real time, ms); then anyone may take it. */
export interface Lease {
  owner: string;
  until: number;
}

/** Thrown by a driver when a uniqueness rule of the schema refused a write. */
export class UniqueViolation extends Error {
  constructor(readonly constraint: string) {
    super(`unique constraint ${constraint} violated`);
    this.name = 'UniqueViolation';
  }
}

/** Thrown when a row changed under us (optimistic version check): the use case is retried. */
export class ConcurrentUpdate extends Error {
  constructor(readonly objectId: string) {
    super(`${objectId} was changed concurrently`);
    this.name = 'ConcurrentUpdate';
  }
}

/**
 * A payment request is held by a channel command in flight (another operation is waiting for the
 * channel's answer): the use case runs again once that command is applied, moments later.
 */
export class ChannelBusy extends ConcurrentUpdate {
  constructor(objectId: string) {
    super(objectId);
    this.name = 'ChannelBusy';
  }
}

/**
 * Thrown by a driver when the database could not be reached or dropped the connection (a restart,
 * a network cut): the caller's transaction did not complete here, and if it was committing, its
 * outcome is unknown until the database answers again. Retrying later is the remedy (503).
 */
export class StorageUnavailable extends Error {
  constructor(cause: unknown) {
    super(`the database is unavailable: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'StorageUnavailable';
  }
}

/**
 * What a use case may read: inside a transaction, or outside one through `db.read` (autocommit).
 * Nothing here writes, takes a lease or holds a row lock.
 */
export interface ReadTx extends ChannelCommandReads, DialectRecordReads, DashboardReads, ReportingReads {
  getMerchant(id: string): Promise<Merchant | null>;
  listMerchants(page: { limit: number; afterId?: string }): Promise<Page<Merchant>>;
  getStore(id: string): Promise<Store | null>;
  listStores(merchantId: string): Promise<Store[]>;
  getTerminal(id: string): Promise<Terminal | null>;
  listTerminals(merchantId: string, page: { limit: number; afterId?: string; terminalId?: string }): Promise<Page<Terminal>>;
  findTerminalByName(merchantId: string, name: string): Promise<Terminal | null>;
  findTerminalByPosId(posId: string): Promise<Terminal | null>;
  findDialectCredential(dialect: string, lookup: string): Promise<DialectCredential | null>;
  findDialectCredentialOfMerchant(merchantId: string, dialect: string): Promise<DialectCredential | null>;
  findApiKeyByHash(hash: string): Promise<ApiKey | null>;
  getApiKey(id: string): Promise<ApiKey | null>;
  getPaymentRequest(id: string): Promise<PaymentRequest | null>;
  /** A request and its merchant in one read: for a reader that needs the merchant's clock too. */
  getPaymentRequestWithMerchant(id: string): Promise<{ request: PaymentRequest; merchant: Merchant } | null>;
  findPaymentRequestByReference(merchantId: string, livemode: boolean, reference: string): Promise<PaymentRequest | null>;
  findPaymentRequestByShortCode(shortCode: string): Promise<PaymentRequest | null>;
  /** The terminal's active request (without allowConcurrent) in one mode; with `source`, only among the requests made through that API. */
  findActivePaymentRequestForTerminal(terminalId: string, livemode: boolean, source?: string): Promise<PaymentRequest | null>;
  listPaymentRequests(filter: PaymentRequestFilter, page: { limit: number; beforeId?: string }): Promise<Page<PaymentRequest>>;
  resolveReference(merchantId: string, livemode: boolean, value: string): Promise<string | null>;
  getRefund(id: string): Promise<Refund | null>;
  findRefundByReference(paymentRequestId: string, reference: string): Promise<Refund | null>;
  listRefunds(paymentRequestId: string): Promise<Refund[]>;
  /** Every merchant's requests in both modes, in id order: what reconciliation (`posgate verify`) reads, a page at a time. */
  listAllPaymentRequests(page: { limit: number; afterId?: string }): Promise<Page<PaymentRequest>>;
  /**
   * Every merchant's requests in both modes still open to payment (prepared, created or pending)
   * that came through one API, in id order, a page at a time: what an API's own background work
   * (Dialect.periodic) reads.
   */
  listPayableRequestsOf(source: string, page: { limit: number; afterId?: string }): Promise<Page<PaymentRequest>>;
  /** The refunds of these requests (any status), in id order. */
  listRefundsOfRequests(paymentRequestIds: readonly string[]): Promise<Refund[]>;
  /** The last `payment_request` event of each of these requests (none for a request without events). */
  lastRequestEvents(paymentRequestIds: readonly string[]): Promise<StoredEvent[]>;
  lastEventSequence(objectId: string): Promise<number>;
  listEvents(filter: EventFilter, page: EventPage): Promise<Page<StoredEvent>>;
  /** The highest position among a merchant's events in one mode (0 when it has none). */
  lastEventPosition(merchantId: string, livemode: boolean): Promise<number>;
  getEvent(id: string): Promise<StoredEvent | null>;
  /** The events of these ids that exist, in no given order (one statement for a batch). */
  getEvents(ids: readonly string[]): Promise<StoredEvent[]>;
  getPatron(id: string): Promise<Patron | null>;
  latestPatronCode(patronId: string): Promise<PatronCode | null>;
  getPatronCode(code: string): Promise<PatronCode | null>;
  getWebhookEndpoint(id: string): Promise<WebhookEndpoint | null>;
  /** All of a merchant's endpoints in one mode, oldest first (enabled and disabled). */
  listWebhookEndpoints(merchantId: string, livemode: boolean): Promise<WebhookEndpoint[]>;
  getDelivery(id: string): Promise<Delivery | null>;
  /** The deliveries of these ids that exist, in no given order (one statement for a batch). */
  getDeliveries(ids: readonly string[]): Promise<Delivery[]>;
  listDeliveriesForEvent(eventId: string): Promise<Delivery[]>;
  listDeliveryAttempts(eventId: string): Promise<DeliveryAttempt[]>;
  /** Pending deliveries: how many are due at `realNow` (on each mode's clock), how many wait for a retry, and when the oldest due one was queued. */
  webhookBacklog(realNow: number): Promise<{ due: number; waiting: number; oldestDueCreatedAt: number | null }>;
  getSetting(key: string): Promise<string | null>;
}

/** Merchants, their stores, terminals, dialect credential sets and API keys. */
export interface MerchantWrites {
  insertMerchant(merchant: Merchant): Promise<void>;
  setTestClockOffset(merchantId: string, offsetMs: number): Promise<void>;
  /**
   * Moves the merchant's test clock by `byMs` in one statement, from the offset as it stands (not
   * as read before): moves made at once add up, each getting its own new offset. Null for no such merchant.
   */
  advanceTestClock(merchantId: string, byMs: number): Promise<number | null>;
  updateMerchantSettings(merchantId: string, settings: Partial<Pick<Merchant, 'underpaymentToleranceBps' | 'timeZone'>>): Promise<void>;
  insertStore(store: Store): Promise<void>;
  insertTerminal(terminal: Terminal): Promise<void>;
  setTerminalCheckIn(terminalId: string, patronId: string | null, at: number | null): Promise<void>;
  /**
   * The terminal (as getTerminal), its row held for the rest of the transaction: a check-in and a
   * request created on the terminal take it first, so each sees what the other committed.
   */
  lockTerminal(id: string): Promise<Terminal | null>;
  /** Sets the terminal's PoS id only if it is still `expected`; false when another change came first. */
  setTerminalPosId(terminalId: string, expected: string | null, posId: string | null): Promise<boolean>;
  insertDialectCredential(credential: DialectCredential): Promise<void>;
  /** Replaces the secret only if its hash is still `expectedHash`, so two resets cannot both win. */
  replaceDialectSecret(id: string, expectedHash: string | null, secret: { hash: string; sealed: string | null }, now: number): Promise<boolean>;
  deleteDialectCredential(id: string): Promise<void>;
  insertApiKey(key: ApiKey): Promise<void>;
  revokeApiKey(id: string, at: number): Promise<void>;
}

/** Payment requests: their state, row lock, background leases, aliases, and the events (history and outbox) of requests and their refunds. */
export interface PaymentRequestWrites {
  insertPaymentRequest(request: PaymentRequest): Promise<void>;
  /**
   * Writes the new state if the stored version is `fromVersion` (by default `request.version - 1`:
   * one change since it was read), else throws ConcurrentUpdate.
   */
  updatePaymentRequest(request: PaymentRequest, fromVersion?: number): Promise<void>;
  /**
   * Reads a request to change it, holding its row until the transaction ends (SELECT … FOR UPDATE
   * where the database has it): concurrent changes to one request queue instead of conflicting.
   */
  lockPaymentRequest(id: string): Promise<PaymentRequest | null>;
  /**
   * Leases up to `limit` active requests whose expiry or authorization expiry has passed at each
   * merchant's clock and that no live lease holds. Rows another transaction is leasing are skipped
   * (SKIP LOCKED where the database has it), so any number of processes share the work.
   */
  claimDuePaymentRequests(realNow: number, limit: number, lease: Lease, merchantId?: string): Promise<PaymentRequest[]>;
  /** Leases test-mode requests auto-pay should act on: created at or before each merchant's `now - delayMs`, not "never paid" (…04). */
  claimAutopayCandidates(realNow: number, delayMs: number, limit: number, lease: Lease): Promise<PaymentRequest[]>;
  /** Ends a lease the owner holds (after its work committed or was found unnecessary). */
  releaseLease(table: 'payment_requests' | 'refunds', id: string, owner: string): Promise<void>;
  addReference(paymentRequestId: string, merchantId: string, livemode: boolean, kind: string, value: string): Promise<void>;
  appendEvent(event: StoredEvent): Promise<void>;
}

/** Refunds. */
export interface RefundWrites {
  insertRefund(refund: Refund): Promise<void>;
  updateRefund(refund: Refund): Promise<void>;
  /** Leases manual refunds whose capture window has passed (as claimDuePaymentRequests). */
  claimDueRefunds(realNow: number, limit: number, lease: Lease, merchantId?: string): Promise<Refund[]>;
}

/** Webhook endpoints, their deliveries and delivery attempts. */
export interface WebhookWrites {
  insertWebhookEndpoint(endpoint: WebhookEndpoint): Promise<void>;
  /**
   * Writes `endpoint` only if its row is still as `read` (what the caller read and changed), else
   * throws ConcurrentUpdate: a change made meanwhile (a rotation, a 410's disable, a delete) is never undone.
   */
  updateWebhookEndpoint(endpoint: WebhookEndpoint, read: WebhookEndpoint): Promise<void>;
  deleteWebhookEndpoint(id: string): Promise<void>;
  insertDelivery(delivery: Delivery): Promise<void>;
  /**
   * Leases pending deliveries that are due on their mode's clock and whose target has no earlier
   * pending delivery of the same object (per-object order), skipping rows another claim holds.
   * Rows already leased to `lease.owner` are taken again: a claim whose answer was lost (the
   * connection died around its COMMIT) is repeated with the same owner to learn what it got.
   * Deliveries to `skipTargets` are left for later (targets the worker has no slot free for).
   */
  claimDueDeliveries(realNow: number, limit: number, lease: Lease, skipTargets?: readonly string[]): Promise<Delivery[]>;
  /** Writes the delivery's new state and ends any lease on it. */
  updateDelivery(delivery: Delivery): Promise<void>;
  /** Writes the state of each (status, attempts, next attempt, updated) and ends their leases, in one statement. */
  updateDeliveries(deliveries: readonly Delivery[]): Promise<void>;
  /** Cancels an endpoint's pending deliveries (deleted or disabled endpoint); returns how many. */
  cancelPendingDeliveries(endpointId: string, now: number): Promise<number>;
  /** Logs attempts (one statement for a batch). */
  insertDeliveryAttempts(attempts: readonly DeliveryAttempt[]): Promise<void>;
}

/** Idempotency keys and their stored responses. */
export interface IdempotencyWrites {
  claimIdempotencyKey(scope: IdempotencyScope, fingerprint: string, now: number, expiresAt: number, staleBefore: number, recordId: string): Promise<IdempotencyClaim>;
  completeIdempotencyKey(recordId: string, response: StoredResponse): Promise<void>;
  releaseIdempotencyKey(recordId: string): Promise<void>;
  /** Deletes up to `limit` keys with expiresAt ≤ now, the earliest first; how many it deleted. */
  deleteExpiredIdempotencyKeys(now: number, limit: number): Promise<number>;
}

/** Sandbox patrons and their one-use codes. */
export interface PatronWrites {
  insertPatron(patron: Patron): Promise<void>;
  insertPatronCode(code: PatronCode): Promise<void>;
  /** Marks the code used if it was unused; false when someone used it first. */
  usePatronCode(code: string, at: number): Promise<boolean>;
}

/** Deployment-wide settings (key → value). */
export interface SettingWrites {
  setSetting(key: string, value: string): Promise<void>;
  /** Adds a setting that must not exist yet (a claim): throws UniqueViolation if it does. */
  insertSetting(key: string, value: string): Promise<void>;
}

/** What a transaction knows of itself. */
export interface TransactionState {
  /** Whether it has written anything yet: one that has only read may still record what it decided, and commit just that. */
  hasWritten(): boolean;
  /** The version of a payment request as this transaction first read it from the database (null: not read). */
  versionRead(paymentRequestId: string): number | null;
}

/** Everything a use case may read or write, inside one transaction: the reads and each aggregate's writes. */
export interface Tx extends ReadTx, MerchantWrites, PaymentRequestWrites, RefundWrites, WebhookWrites, IdempotencyWrites, PatronWrites, SettingWrites, ChannelCommandWrites, DialectRecordWrites, DashboardWrites, TransactionState {}

export interface Persistence {
  readonly driver: 'sqlite' | 'postgres';
  /** Runs `work` in one transaction: all of it commits, or none. */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  /** Reads outside a transaction (autocommit): read-only by type, so a write must be a transaction. */
  readonly read: ReadTx;
  /** Durable COMMITs made and the transactions they carried (more than one each under group commit). */
  readonly groupCommit?: { readonly commits: number; readonly transactions: number };
  /**
   * The same database through connections of its own, for background work (webhook delivery,
   * sweeps), so that a load of API requests cannot starve it; absent where there is one connection.
   */
  readonly background?: Persistence;
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** Each connection pool now (serving requests, background work), where there are pools (PostgreSQL). */
  poolUse?(): { name: string; max: number; total: number; idle: number; waiting: number }[];
}
