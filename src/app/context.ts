// What every use case is given: the ports, chosen once in the composition root.
import type { WebhookFormatRules } from './outbox.js';
import type { ChangeFeed } from './ports/change-feed.js';
import type { Clock } from './ports/clock.js';
import type { Connector } from './ports/connector.js';
import type { Ids } from './ports/ids.js';
import type { OutboundGuard } from './ports/outbound.js';
import type { SecretBox } from './ports/secret-box.js';
import type { KeyKind, Lease, Persistence } from './ports/persistence.js';

export interface AppConfig {
  /** How long a manual-capture authorization lasts (native: authorizationTtl, 7 days). */
  authorizationTtlMs: number;
  /** How long an idempotency key's response is kept (24 h). */
  idempotencyRetentionMs: number;
  /** An in-progress idempotency key older than this is taken to be abandoned by a crashed process. */
  idempotencyLockMs: number;
  /** SANDBOX_AUTOPAY_MS: pay test-mode requests this long after creation (null: off). */
  autopayMs: number | null;
  /** This process's name on the leases of background work it claims. */
  workerId: string;
  /** How long a lease on background work lasts before another process may take the item over. */
  leaseMs: number;
  /** How long a claimed webhook delivery is ours: longer than a send may take (15 s), short enough to recover fast. */
  deliveryLeaseMs: number;
}

export interface App {
  db: Persistence;
  clock: Clock;
  ids: Ids;
  connector: Connector;
  feed: ChangeFeed;
  /** Seals what must be readable again but not by whoever reads the database (stored responses, webhook secrets). */
  box: SecretBox;
  /** Whether posgate may call a webhook URL (SSRF rules of the mode). */
  outbound: OutboundGuard;
  config: AppConfig;
  /** Where each webhook format's events go (outbox.ts), by format: the dialects' rules, set by the composition root. */
  webhookFormats?: Readonly<Record<string, WebhookFormatRules>>;
  /** Told of each transaction run again after losing a race (metrics); set by the composition root. */
  onRetry?: (reason: 'conflict' | 'unique') => void;
}

/** Who the audit log names for a change: an API key and the API it came through, or a dashboard user. */
export interface CallerActor {
  type: 'user' | 'api_key';
  /** The key's, credential set's or user's id. */
  id: string;
  /** What the log shows: "secret key key_… via <dialect>", the user's email. */
  name: string;
}

/** Who is calling: resolved from an API key by the HTTP layer, used by every use case for scoping. */
export interface Caller {
  merchantId: string;
  livemode: boolean;
  /** Set for terminal keys: such a caller acts only for this terminal. */
  terminalId: string | null;
  credentialId: string;
  kind: KeyKind;
  /**
   * Who the audit log names for the operations this caller makes (cancel, capture, void, refund):
   * set where an API caller or a dashboard user is resolved, so every API surface is audited by the
   * use cases themselves. Absent for posgate's own callers (the patron side, a customer display,
   * setup), which make none of those operations.
   */
  actor?: CallerActor;
  /**
   * Set for a caller of a provider's API: that API's name, the `source` of the requests made through
   * it. Such a caller sees and acts on only those requests (and their refunds and events), and its
   * rules count only those (a provider's own rules about a till): a POS written against one
   * provider knows nothing of another's, and must not list, read or cancel it. Absent for the native
   * API, the dashboard and posgate's own callers, which see every request of their tenancy.
   */
  source?: string;
}

/** The `source` of the requests made through the native API, whose callers see every request. */
export const NATIVE_SOURCE = 'native';

export const DEFAULT_APP_CONFIG: AppConfig = {
  authorizationTtlMs: 7 * 24 * 3600 * 1000,
  idempotencyRetentionMs: 24 * 3600 * 1000,
  idempotencyLockMs: 60 * 1000,
  autopayMs: null,
  workerId: 'worker',
  leaseMs: 30_000,
  deliveryLeaseMs: 60_000,
};

/** A lease on background work (a due expiry, a channel command) held by this process from now. */
export function leaseFor(app: App): Lease {
  return { owner: app.config.workerId, until: app.clock.now() + app.config.leaseMs };
}
