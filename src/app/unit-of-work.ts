// Runs a use case's work in one transaction with its events and idempotent response, retrying
// when a concurrent writer got there first, and telling this process's waiters after commit.
import { DomainError } from '../core/errors.js';
import type { PaymentRequest } from '../core/payment-request.js';
import type { Refund } from '../core/refund.js';
import type { WebhookEndpoint } from '../core/webhooks.js';
import { enqueue } from './outbox.js';
import type { App } from './context.js';
import { ConcurrentUpdate, StorageUnavailable, UniqueViolation, type IdempotencyScope, type StoredEvent, type StoredResponse, type Tx } from './ports/store.js';

const MAX_ATTEMPTS = 8;

/** Collects the events a unit of work appends, to publish once it has committed. */
export class Work {
  readonly events: StoredEvent[] = [];
  /** The merchant's endpoints, read once per unit of work (one merchant and mode per unit). */
  private endpoints: WebhookEndpoint[] | null = null;
  constructor(
    readonly app: App,
    readonly tx: Tx,
  ) {}

  async emitForRequest(request: PaymentRequest, types: readonly string[]): Promise<void> {
    for (const type of types) await this.append('payment_request', request.id, request, type, request, request.updatedAt);
  }

  async emitForRefund(refund: Refund, request: PaymentRequest, types: readonly string[]): Promise<void> {
    for (const type of types) await this.append('refund', refund.id, request, type, refund, refund.updatedAt);
  }

  private async append(objectType: StoredEvent['objectType'], objectId: string, request: PaymentRequest, type: string, data: PaymentRequest | Refund, at: number) {
    const event: StoredEvent = {
      id: this.app.ids.id('evt'),
      type,
      objectType,
      objectId,
      paymentRequestId: request.id,
      merchantId: request.merchantId,
      terminalId: request.terminalId,
      livemode: request.livemode,
      sequence: (await this.tx.lastEventSequence(objectId)) + 1,
      data,
      createdAt: at,
    };
    await this.tx.appendEvent(event);
    this.endpoints ??= await this.tx.listWebhookEndpoints(event.merchantId, event.livemode);
    await enqueue(this.tx, this.app.ids, event, this.endpoints, request);
    this.events.push(event);
  }
}

/** Unique rules that a retry cannot satisfy: they become the caller's error at once. */
const FINAL_VIOLATIONS: Record<string, () => DomainError> = {
  terminals_name_unique: () => new DomainError('terminal_name_taken', 'The merchant already has a terminal with this name.', 'name'),
};

function isRetryable(error: unknown): boolean {
  return error instanceof UniqueViolation || error instanceof ConcurrentUpdate;
}

/** One transaction, retried from scratch when a concurrent writer invalidated what it read. */
export async function inTransaction<T>(app: App, work: (unit: Work) => Promise<T>, afterWork?: (unit: Work, result: T) => Promise<void>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      let unit!: Work;
      const result = await app.store.transaction(async (tx) => {
        unit = new Work(app, tx);
        const value = await work(unit);
        if (afterWork) await afterWork(unit, value);
        return value;
      });
      if (unit.events.length > 0) app.feed.publish(unit.events);
      return result;
    } catch (error) {
      const final = error instanceof UniqueViolation ? FINAL_VIOLATIONS[error.constraint] : undefined;
      if (final) throw final();
      if (!isRetryable(error)) throw error;
      if (attempt >= MAX_ATTEMPTS) {
        throw new DomainError('conflict', 'The object was changed by concurrent requests too many times; retry the request.', undefined, { cause: (error as Error).message });
      }
    }
  }
}

export interface Idempotency {
  scope: IdempotencyScope;
  /** Hash of what the request asked for: the same key with another fingerprint is refused. */
  fingerprint: string;
}

/**
 * A stored response may hold a secret shown once (a new API key) or personal data: it is kept
 * sealed, so the database alone never yields it.
 */
export function sealResponse(app: App, response: StoredResponse): StoredResponse {
  return { status: response.status, body: app.box.seal(JSON.stringify(response.body)) };
}

export function openResponse(app: App, stored: StoredResponse): StoredResponse {
  return { status: stored.status, body: JSON.parse(app.box.open(stored.body as string)) };
}

export interface ExecutedResponse extends StoredResponse {
  replayed: boolean;
}

/** Claims an Idempotency-Key (a short transaction of its own, so a concurrent retry sees it in progress). */
async function claimKey(app: App, idempotency: Idempotency): Promise<{ replay: ExecutedResponse } | { recordId: string }> {
  const now = app.clock.now();
  const recordId = app.ids.id('idem');
  let claim: Awaited<ReturnType<Tx['claimIdempotencyKey']>>;
  try {
    claim = await app.store.transaction((tx) =>
      tx.claimIdempotencyKey(idempotency.scope, idempotency.fingerprint, now, now + app.config.idempotencyRetentionMs, now - app.config.idempotencyLockMs, recordId),
    );
  } catch (error) {
    // the connection died around the claim's COMMIT: the key may be ours, in progress, with nothing
    // done under it. Release it (our record only), or every retry would wait out the lock; in the
    // background, so that the answer (503) does not wait for a database that is away.
    if (error instanceof StorageUnavailable) void releaseKey(app, recordId);
    throw error;
  }
  switch (claim.kind) {
    case 'replay':
      return { replay: { ...openResponse(app, claim.response), replayed: true } };
    case 'mismatch':
      throw new DomainError('idempotency_key_reused', 'This Idempotency-Key was already used with a different request; use a new key for a new request.', 'Idempotency-Key');
    case 'in_progress':
      throw new DomainError('idempotency_in_progress', 'A request with this Idempotency-Key is still being processed; retry shortly.', 'Idempotency-Key');
    case 'claimed':
      return { recordId: claim.recordId };
  }
}

const RELEASE_RETRY_MS = 1000;

/**
 * Frees a claimed key after a failed attempt, so that the client may retry at once. Release only
 * removes a key still in progress: if the attempt in fact committed (the connection died during
 * COMMIT), its key is done and stays a replay. While the database is away the release is tried
 * again each second, up to the lock's lifetime (after which a retry may take the key anyway).
 */
async function releaseKey(app: App, recordId: string, until = app.clock.now() + app.config.idempotencyLockMs): Promise<void> {
  try {
    await app.store.transaction((tx) => tx.releaseIdempotencyKey(recordId));
  } catch (error) {
    if (!(error instanceof StorageUnavailable) || app.clock.now() + RELEASE_RETRY_MS > until) return;
    setTimeout(() => void releaseKey(app, recordId, until), RELEASE_RETRY_MS).unref();
  }
}

/** Runs the claimed attempt; any failure releases the key so that the client may retry. */
async function attempt(app: App, recordId: string, run: () => Promise<StoredResponse>): Promise<ExecutedResponse> {
  try {
    return { ...(await run()), replayed: false };
  } catch (error) {
    await releaseKey(app, recordId);
    throw error;
  }
}

/**
 * Runs a mutating use case. With an Idempotency-Key the key is claimed first, then the effect, its
 * events and the stored response commit together.
 */
export async function execute<T>(app: App, idempotency: Idempotency | null, work: (unit: Work) => Promise<T>, render: (result: T) => StoredResponse): Promise<ExecutedResponse> {
  if (!idempotency) return { ...render(await inTransaction(app, work)), replayed: false };
  const claimed = await claimKey(app, idempotency);
  if ('replay' in claimed) return claimed.replay;
  return attempt(app, claimed.recordId, async () => {
    let response!: StoredResponse;
    await inTransaction(app, work, async (unit, result) => {
      response = render(result);
      await unit.tx.completeIdempotencyKey(claimed.recordId, sealResponse(app, response));
    });
    return response;
  });
}

/**
 * Like `execute`, for a use case that runs its own transactions or only reads (advanceClock,
 * resolveReference): it cannot run inside a transaction of ours (on SQLite the one connection is
 * held, so a nested transaction would deadlock). The response is stored in a transaction of its
 * own after `run()`; if the process dies in between, the key stays in progress until
 * idempotencyLockMs has passed and a retry runs the use case again.
 */
export async function executeOutside<T>(app: App, idempotency: Idempotency | null, run: () => Promise<T>, render: (result: T) => StoredResponse): Promise<ExecutedResponse> {
  if (!idempotency) return { ...render(await run()), replayed: false };
  const claimed = await claimKey(app, idempotency);
  if ('replay' in claimed) return claimed.replay;
  return attempt(app, claimed.recordId, async () => {
    const response = render(await run());
    await app.store.transaction((tx) => tx.completeIdempotencyKey(claimed.recordId, sealResponse(app, response)));
    return response;
  });
}
