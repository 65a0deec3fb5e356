// Table shapes as Kysely sees them. Portable on purpose: money and times are BIGINT (epoch ms),
// booleans are 0/1 integers, JSON is text; the same schema serves SQLite and PostgreSQL.
import type { Generated } from 'kysely';

type Bool = number;

export interface MerchantsTable { id: string; name: string; test_clock_offset_ms: number; created_at: number; underpayment_tolerance_bps: Generated<number>; time_zone: string | null }
export interface StoresTable { id: string; merchant_id: string; name: string; created_at: number }
export interface TerminalsTable {
  id: string; merchant_id: string; store_id: string; name: string;
  checked_in_patron_id: string | null; checked_in_at: number | null; created_at: number; pos_id: Generated<string | null>;
}
export interface ApiKeysTable {
  id: string; merchant_id: string; terminal_id: string | null; kind: string; mode: string;
  hash: string; last4: string; created_at: number; revoked_at: number | null;
}
export interface PaymentRequestsTable {
  id: string; livemode: Bool; merchant_id: string; store_id: string; terminal_id: string;
  status: string; status_reason: string | null; cancellation_reason: string | null; amount: number | null; currency: string;
  amount_received: number; amount_authorized: number; amount_captured: number; amount_refunded: number; amount_refund_reserved: number;
  overpaid: Bool; capture_mode: string; reference: string | null; short_code: string; description: string | null;
  line_items: string | null; metadata: string; webhook_url: string | null; redirect_url: string | null;
  partial_allowed: Bool; basket_amount: number | null; patron_not_present: Bool; allow_concurrent: Bool;
  allowed_methods: string | null; payment_method: string | null; method_details: Generated<string | null>; patron_id: string | null; source: string; fingerprint: string | null;
  external_ref: Generated<string | null>; minimum_age: Generated<number | null>; conditions_enabled: Generated<Bool | null>;
  conditions: Generated<string>; authorization_ttl_ms: Generated<number | null>;
  expires_at: number; authorization_expires_at: number | null; created_at: number; updated_at: number; version: number;
  lease_owner: Generated<string | null>; lease_until: Generated<number | null>;
  /** The channel command in flight on the request (migration 0006): its other writes wait for it. */
  channel_command_id: Generated<string | null>;
}
export interface PaymentRequestRefsTable { payment_request_id: string; merchant_id: string; livemode: Bool; kind: string; value: string }
export interface RefundsTable {
  id: string; livemode: Bool; merchant_id: string; terminal_id: string; payment_request_id: string; amount: number; currency: string;
  status: string; reference: string; reason: string | null; capture_mode: string; expires_at: number | null;
  created_at: number; updated_at: number; version: number;
  lease_owner: Generated<string | null>; lease_until: Generated<number | null>;
}
export interface EventsTable {
  position: Generated<number>; id: string; type: string; object_type: string; object_id: string; payment_request_id: string;
  merchant_id: string; terminal_id: string; livemode: Bool; sequence: number; data: string; created_at: number;
}
export interface IdempotencyKeysTable {
  id: string; credential_id: string; method: string; path: string; key: string; fingerprint: string; status: string;
  response_status: number | null; response_body: string | null; locked_at: number; created_at: number; expires_at: number;
}
export interface PatronsTable { id: string; merchant_id: string; livemode: Bool; name: string; created_at: number; age: Generated<number | null> }
export interface PatronCodesTable { code: string; patron_id: string; merchant_id: string; livemode: Bool; issued_at: number; expires_at: number; used_at: number | null }
export interface SettingsTable { key: string; value: string }
export interface WebhookEndpointsTable {
  id: string; merchant_id: string; livemode: Bool; url: string; event_types: string | null; format: string; status: string;
  disabled_reason: string | null; secret_sealed: string; previous_secret_sealed: string | null; previous_secret_expires_at: number | null;
  created_at: number; updated_at: number;
}
export interface DeliveriesTable {
  id: string; event_id: string; endpoint_id: string | null; target: string; url: string; format: string; merchant_id: string; livemode: Bool;
  object_id: string; sequence: number; status: string; attempts: number; next_attempt_at: number;
  lease_owner: Generated<string | null>; lease_until: Generated<number | null>; created_at: number; updated_at: number;
}
export interface DeliveryAttemptsTable {
  id: string; delivery_id: string; event_id: string; endpoint_id: string | null; url: string; attempted_at: number;
  status_code: number | null; latency_ms: number; response_snippet: string | null; error: string | null;
}

export interface DialectCredentialsTable {
  id: string; merchant_id: string; dialect: string; livemode: Bool; lookup: string; secret_hash: string | null; secret_sealed: string | null;
  api_key_id: string | null; created_at: number; updated_at: number;
}

export interface ChannelCommandsTable {
  id: string; kind: string; payment_request_id: string; amount: number; intent: string; status: string; outcome: string | null;
  attempts: number; lease_owner: string | null; lease_until: number | null; created_at: number; updated_at: number;
}

export interface DialectRecordsTable {
  dialect: string; kind: string; key: string; data: string; created_at: number; updated_at: number;
}

export interface ChannelEventsTable {
  id: string; command_id: string; received_at: number;
}

export interface UsersTable {
  id: string; merchant_id: string; email: string; role: string; password_hash: string; created_at: number; disabled_at: number | null;
}
export interface SessionsTable { id_hash: string; user_id: string; csrf_token: string; created_at: number; last_seen_at: number }
export interface DisplayTokensTable {
  id: string; merchant_id: string; terminal_id: string; livemode: Bool; hash: string; last4: string; created_at: number; revoked_at: number | null;
}
export interface SignInAttemptsTable { key: string; window_start: number; failures: number }
export interface AuditLogTable {
  id: string; merchant_id: string; livemode: Bool; actor_type: string; actor_id: string; actor_name: string; action: string;
  object_type: string; object_id: string; detail: string | null; created_at: number;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  sign_in_attempts: SignInAttemptsTable;
  audit_log: AuditLogTable;
  display_tokens: DisplayTokensTable;
  merchants: MerchantsTable;
  stores: StoresTable;
  terminals: TerminalsTable;
  api_keys: ApiKeysTable;
  payment_requests: PaymentRequestsTable;
  payment_request_refs: PaymentRequestRefsTable;
  refunds: RefundsTable;
  events: EventsTable;
  idempotency_keys: IdempotencyKeysTable;
  patrons: PatronsTable;
  patron_codes: PatronCodesTable;
  settings: SettingsTable;
  webhook_endpoints: WebhookEndpointsTable;
  deliveries: DeliveriesTable;
  delivery_attempts: DeliveryAttemptsTable;
  dialect_credentials: DialectCredentialsTable;
  channel_commands: ChannelCommandsTable;
  channel_events: ChannelEventsTable;
  dialect_records: DialectRecordsTable;
}

/** Names of the uniqueness rules the use cases rely on (index names in both drivers). */
export const UNIQUE = {
  oneActivePerTerminal: 'payment_requests_one_active_per_terminal',
  reference: 'payment_requests_reference_unique',
  shortCode: 'payment_requests_short_code_unique',
  refundReference: 'refunds_reference_unique',
  idempotencyKey: 'idempotency_keys_scope_unique',
  eventSequence: 'events_object_sequence_unique',
  terminalName: 'terminals_name_unique',
  setting: 'settings_pkey',
  terminalPosId: 'terminals_pos_id_unique',
  dialectLookup: 'dialect_credentials_lookup_unique',
  dialectPerMerchant: 'dialect_credentials_merchant_unique',
  userEmail: 'users_email_unique',
} as const;
