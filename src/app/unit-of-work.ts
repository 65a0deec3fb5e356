// Runs a use case's work in one transaction with its events and idempotent response, retrying
// when a concurrent writer got there first, and telling this process's waiters after commit.
import { DomainError } from '../core/errors.js';
import { sameEnding, type PaymentRequest, type PaymentRequestEventType, type PaymentRequestNoticeType, type Transition } from '../core/payment-request.js';
import type { Refund, RefundEventType } from '../core/refund.js';
import type { WebhookEndpoint } from '../core/webhooks.js';
import { deliveryOf, enqueue } from './outbox.js';
import { askChannel, askRecorded, ChannelAnswerNeeded, runChannelCommand, standRefusals, type ChannelAnswer } from './channel-commands.js';
import { channelCommandId, isRefusal, type ChannelCommand, type ChannelCommandKind } from '../core/channel-command.js';
import { leaseFor, type App } from './context.js';
import { ChannelBusy, ConcurrentUpdate, StorageUnavailable, UniqueViolation, type IdempotencyScope, type StoredEvent, type StoredResponse, type Tx } from './ports/persistence.js';

const MAX_ATTEMPTS = 8;

/** One run of a unit of work: its transaction, the events it appends (published once it has committed) and its channel commands. */
export class Work {
  readonly events: StoredEvent[] = [];
  /** Refusals from the channel this unit consumed: they stand even if the unit then throws. */
  readonly refusedCommands: ChannelAnswer[] = [];
  /** Commands that hold nothing (a release), run once this unit has committed. */
  readonly afterCommit: ChannelCommand[] = [];
  /** The merchant's endpoints, read once per unit of work (one merchant and mode per unit). */
  private endpoints: WebhookEndpoint[] | null = null;
  constructor(
    readonly app: App,
    readonly tx: Tx,
    /** The channel's answers to the commands this unit asked for, in earlier runs of it. */
    readonly answers: readonly ChannelAnswer[] = [],
    /** A command this unit applies (the sweep's): its hold may pass to a command the unit asks for. */
    readonly applying: string | null = null,
    /** The Idempotency-Key record the unit runs under, if any: a retry finds what its first try moved. */
    readonly operationKey: string | null = null,
    /**
     * A command in flight that this unit may take as its own (a retry whose first try gave up on
     * the channel): it writes as if it held the request, and must ask that very command (see
     * `resumed`), or its transaction is undone.
     */
    readonly resuming: string | null = null,
    /**
     * The time (the merchant's clock) each request was read at by the run that decided on it, kept
     * across the unit's runs: a run applying the channel's answer judges by it (see asOfNow).
     */
    readonly decidedAt: Map<string, number> = new Map(),
  ) {
    for (const answer of answers) tx.actForChannelCommand(answer.id);
    if (applying) tx.actForChannelCommand(applying);
    if (resuming) tx.actForChannelCommand(resuming);
  }

  /** Whether the unit asked for the command it was `resuming` (it is then that command's operation). */
  resumed = false;

  /** Whether this unit is the one applying a channel answer on `requestId` (it reads it as it left it). */
  holds(requestId: string): boolean {
    return this.answers.some((answer) => answer.paymentRequestId === requestId);
  }

  /**
   * The channel's answer to an operation that moves money on `request`. The first time, the answer
   * is not known: the unit stops (ChannelAnswerNeeded), the command is recorded, the channel is
   * called outside any transaction, and the unit runs again, finding the answer here. The command
   * is applied in this unit's transaction, with the state change the unit makes of it.
   * `sameOperation` tells one operation from another of the same kind and amount (a refund's
   * reference): another operation in flight on the request is waited for (ChannelBusy). A command
   * in flight of the same operation is taken as this one's own (a retry whose first answer was lost
   * resumes it, so the money moves once), unless the operation is `repeatable`: one a request may
   * rightly take twice with the same kind and amount (partial payments, confirmations), where two
   * calls at once are two operations. Such a command is this one's only for the sweep applying it
   * or for a retry under the Idempotency-Key that asked it; any other call waits for it and then
   * runs as the new operation it is.
   */
  async moveMoney(request: PaymentRequest, kind: ChannelCommandKind, amount: number, intent: Record<string, unknown>, sameOperation: string, repeatable = false): Promise<ChannelCommand> {
    const requestId = request.id;
    const now = this.app.clock.now();
    const same = (c: { kind: string; amount: number; operation: string }) => c.kind === kind && c.amount === amount && c.operation === sameOperation;
    const mine = this.answers.find((answer) => answer.paymentRequestId === requestId && same(answer));
    if (mine) {
      if (mine.id === this.resuming) this.resumed = true;
      return this.apply(mine.id, mine.outcome, requestId);
    }
    const { commands: earlier, inFlight } = await this.tx.channelCommandsOf(requestId);
    // of a repeatable operation, only the sweep applying this very command, or a retry under the Idempotency-Key that asked it
    const asker = inFlight && (!repeatable || this.applying === inFlight.id || (this.operationKey !== null && inFlight.intent.key === this.operationKey));
    // a return of what a request owes is one of its ending (a void, a cancel, an expiry, a decline
    // return the same amount under one reference): another ending does not take it as its own
    if (inFlight && asker && same({ ...inFlight, operation: String(inFlight.intent.operation) }) && endingsMatch(intent.ending, inFlight.intent.ending)) {
      if (inFlight.id === this.resuming) this.resumed = true;
      if (inFlight.outcome === null) throw new ChannelAnswerNeeded(inFlight, request, null, this.tx.versionRead(requestId));
      return this.apply(inFlight.id, inFlight.outcome, requestId);
    }
    const own = (id: string) => this.answers.some((answer) => answer.id === id) || this.applying === id;
    if (inFlight && !own(inFlight.id)) throw new ChannelBusy(requestId);
    // the hold this unit has on the request (in the database, where this run's writes are not yet)
    // passes to the new command: a unit may need a second one (a declined payment's return)
    const handOver = inFlight?.id ?? this.answers.filter((answer) => answer.paymentRequestId === requestId).at(-1)?.id ?? this.applying;
    // a retry under the same Idempotency-Key whose operation was finished without it (by the sweep): never again
    if (this.operationKey && earlier.some((c) => c.intent.key === this.operationKey && c.kind === kind && c.status === 'applied'))
      throw new DomainError('conflict', 'This operation was already carried out after its first answer was lost; read the payment request for its outcome.', undefined, CARRIED_OUT);
    throw new ChannelAnswerNeeded({
      id: channelCommandId(requestId, earlier.length + 1, kind, amount, sameOperation), kind, paymentRequestId: requestId, amount,
      intent: { ...intent, operation: sameOperation, ...(this.operationKey ? { key: this.operationKey } : {}) }, status: 'pending', outcome: null, createdAt: now, updatedAt: now,
    }, request, handOver, this.tx.versionRead(requestId));
  }

  /** Applies an answer in this unit's transaction; an answer applied elsewhere meanwhile (the sweep) is not applied twice. */
  private async apply(id: string, outcome: string, requestId: string): Promise<ChannelCommand> {
    // applied in one statement that returns the command; the rare refusal reads it to say why (the
    // unit then fails, and its transaction, which freed the request, with it)
    const command = await this.tx.applyChannelCommand(id, this.app.clock.now(), outcome, requestId);
    if (!command) {
      if (!(await this.tx.getChannelCommand(id))) throw new Error(`channel command ${id} is gone`);
      throw new DomainError('conflict', 'This operation was carried out while the payment channel answered; read the payment request for its outcome.', undefined, CARRIED_OUT);
    }
    if (isRefusal(outcome)) this.refusedCommands.push({ id, outcome, paymentRequestId: requestId, kind: command.kind, amount: command.amount, operation: String(command.intent.operation) });
    return command;
  }

  /** A command whose outcome changes nothing here (a release): recorded now, run after commit. */
  async moveMoneyAfterCommit(requestId: string, version: number, kind: ChannelCommandKind, amount: number, intent: Record<string, unknown> = {}): Promise<void> {
    const now = this.app.clock.now();
    const command: ChannelCommand = { id: channelCommandId(requestId, version, kind, amount, kind), kind, paymentRequestId: requestId, amount, intent, status: 'pending', outcome: null, createdAt: now, updatedAt: now };
    await this.tx.insertChannelCommand(command, leaseFor(this.app));
    this.afterCommit.push(command);
  }

  async emitForRequest(request: PaymentRequest, types: readonly PaymentRequestEventType[]): Promise<void> {
    for (const type of types) await this.append('payment_request', request.id, request, type, request, request.updatedAt);
  }

  async emitForRefund(refund: Refund, request: PaymentRequest, types: readonly RefundEventType[]): Promise<void> {
    for (const type of types) await this.append('refund', refund.id, request, type, refund, refund.updatedAt);
  }

  /**
   * A notice about a request for one URL alone (an API's own second callback URL, such as a crypto
   * quote's price update): an event of its own type, queued in `format` for `url` only (not for the
   * merchant's endpoints), sent by the same outbox and worker as every event.
   */
  async notify(request: PaymentRequest, type: PaymentRequestNoticeType, target: { url: string; format: string }, at: number): Promise<void> {
    const event = await this.record('payment_request', request.id, request, type, request, at);
    await this.tx.insertDelivery(deliveryOf(this.app.ids, event, { endpointId: null, target: `url:${target.url}`, url: target.url, format: target.format }, at));
    this.events.push(event);
  }

  private async append(objectType: StoredEvent['objectType'], objectId: string, request: PaymentRequest, type: string, data: PaymentRequest | Refund, at: number) {
    const event = await this.record(objectType, objectId, request, type, data, at);
    this.endpoints ??= await this.tx.listWebhookEndpoints(event.merchantId, event.livemode);
    await enqueue(this.app, this.tx, event, this.endpoints, request);
    this.events.push(event);
  }

  private async record(objectType: StoredEvent['objectType'], objectId: string, request: PaymentRequest, type: string, data: PaymentRequest | Refund, at: number): Promise<StoredEvent> {
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
    return event;
  }
}

/**
 * Thrown inside a unit of work that needs another unit committed before it (an overdue request's
 * expiry, which must stand whatever the unit then decides): the unit is undone, `work` runs and
 * commits as a unit of its own, and the unit runs again from scratch.
 */
export class CommitFirst extends Error {
  constructor(readonly work: (unit: Work) => Promise<unknown>) {
    super('another unit of work must commit first');
    this.name = 'CommitFirst';
  }
}

/** How often one unit of work may have another committed first (each is a change the next run sees). */
const MAX_COMMITS_FIRST = 4;

/** Whether two commands' endings (the transition a return belongs to, see commit) are one; two commands of no ending are. */
function endingsMatch(a: unknown, b: unknown): boolean {
  if (a === undefined || b === undefined) return a === b;
  return sameEnding(a as Transition, b as Transition);
}

/** Unique rules that a retry cannot satisfy: they become the caller's error at once. */
const FINAL_VIOLATIONS: Record<string, () => DomainError> = {
  terminals_name_unique: () => new DomainError('terminal_name_taken', 'The merchant already has a terminal with this name.', 'name'),
};

function isRetryable(error: unknown): boolean {
  return error instanceof UniqueViolation || error instanceof ConcurrentUpdate;
}

/** How often one unit of work may stop for a channel's answer (each stop is one operation). */
const MAX_CHANNEL_ROUNDS = 4;
/** How long a unit waits, in all, for another operation's channel answer on the same request. */
const MAX_CHANNEL_WAIT_MS = 10_000;
const CHANNEL_WAIT_STEP_MS = 50;

/**
 * One transaction, retried from scratch when a concurrent writer invalidated what it read. A unit
 * that needs a channel's answer (Work.moveMoney) is run again once the channel has answered: the
 * channel is never called inside a transaction that may be retried (app/channel-commands.ts).
 */
/**
 * The facts of a conflict that is final: the operation was carried out (its answer lost, or applied
 * by another), so a retry will not do it; a conflict without them says retry the request.
 */
export const CARRIED_OUT = { carriedOut: true } as const;

export async function inTransaction<T>(app: App, work: (unit: Work) => Promise<T>, afterWork?: (unit: Work, result: T) => Promise<void>, options: { applying?: string; operationKey?: string } = {}): Promise<T> {
  const answers: ChannelAnswer[] = []; // the channel's answers to the commands this unit asked for
  let waited = 0;
  let waits = 0;
  // a command in flight that this unit tries to take as its own, and those it tried
  let resuming: string | null = null;
  let resumingRequest = '';
  const triedResuming = new Set<string>();
  const decidedAt = new Map<string, number>();
  let committedFirst = 0;
  for (let attempt = 1, rounds = 0; ; attempt++) {
    let unit: Work | undefined;
    let recorded: ChannelAnswerNeeded | null = null; // the command this run's own transaction recorded: only the channel is left to ask
    try {
      const ran = await app.db.transaction<{ value: T } | { recorded: ChannelAnswerNeeded }>(async (tx) => {
        unit = new Work(app, tx, answers, options.applying ?? null, options.operationKey ?? null, resuming, decidedAt);
        try {
          const value = await work(unit);
          if (afterWork) await afterWork(unit, value);
          // it wrote on a request held by a command it did not ask for: undone, it waits as any other
          if (resuming && !unit.resumed) throw new ChannelBusy(resumingRequest);
          return { value };
        } catch (error) {
          // a resuming unit that stops for another command without having asked the one it resumes
          // (its run after the answer went another way): it must not hand that command's hold over
          // to its own, leaving the answer (money moved) unapplied; undone, it waits as any other
          if (error instanceof ChannelAnswerNeeded && resuming && !unit.resumed) throw new ChannelBusy(resumingRequest);
          // the unit has only read: its transaction records the command it decided on and commits
          // just that, rather than roll back for another transaction to record it
          if (error instanceof ChannelAnswerNeeded && rounds < MAX_CHANNEL_ROUNDS && !tx.hasWritten()) {
            await tx.beginChannelCommand(error.command, leaseFor(app), error.handOverFrom, error.basedOn);
            return { recorded: error };
          }
          throw error;
        }
      });
      if ('recorded' in ran) throw (recorded = ran.recorded);
      if (unit!.events.length > 0) app.feed.publish(unit!.events);
      for (const command of unit!.afterCommit) await runChannelCommand(app, command).catch(() => undefined); // the sweep retries it
      return ran.value;
    } catch (thrown) {
      let error = thrown;
      if (error instanceof CommitFirst) {
        if (committedFirst++ >= MAX_COMMITS_FIRST) throw new DomainError('conflict', 'The payment request changed too many times while this operation ran; retry the request.');
        await inTransaction(app, error.work);
        attempt--;
        continue;
      }
      if (error instanceof ChannelAnswerNeeded) {
        if (rounds >= MAX_CHANNEL_ROUNDS) throw new DomainError('conflict', 'The request changed while the payment channel answered, too many times; retry the request.');
        try {
          const { command } = error;
          const outcome = error === recorded ? await askRecorded(app, command, error.request) : await askChannel(app, command, error.request, error.handOverFrom, error.basedOn);
          answers.push({ id: command.id, outcome, paymentRequestId: command.paymentRequestId, kind: command.kind, amount: command.amount, operation: String(command.intent.operation) });
          rounds++;
          attempt--;
          continue;
        } catch (asking) {
          // the command this unit resumed was applied meanwhile (its first asker, the sweep): the
          // next run is an ordinary one, against the request as it is now (a cancel asked again
          // answers the cancelled request, not "another operation is waiting")
          if (asking instanceof ConcurrentUpdate && resuming === error.command.id) resuming = null;
          error = asking; // another operation in flight on the request (ChannelBusy): waited for below
        }
      }
      if (error instanceof ChannelBusy) {
        if (waited >= MAX_CHANNEL_WAIT_MS && resuming === null) {
          // the operation in flight has not been applied in all this time: its asker has most likely
          // given up (its client was told 503). A retry of that operation takes it as its own, as
          // Work.moveMoney does for one that writes nothing first: run once more acting for it, which
          // holds only if the unit asks that very command.
          const { inFlight } = await app.db.read.channelCommandsOf(error.objectId);
          if (inFlight && inFlight.status !== 'applied' && !triedResuming.has(inFlight.id)) {
            triedResuming.add(inFlight.id);
            resuming = inFlight.id;
            resumingRequest = error.objectId;
            attempt--;
            continue;
          }
        }
        resuming = null;
        if (waited >= MAX_CHANNEL_WAIT_MS)
          throw new DomainError('conflict', 'Another operation on this payment request is still waiting for the payment channel; retry the request.');
        // another operation on the request waits for the channel: wait for it rather than give up
        const pause = Math.min(2 ** ++waits, CHANNEL_WAIT_STEP_MS);
        await new Promise((done) => setTimeout(done, pause));
        waited += pause;
        attempt--;
        continue;
      }
      const final = error instanceof UniqueViolation ? FINAL_VIOLATIONS[error.constraint] : undefined;
      if (final) throw final();
      if (!isRetryable(error)) {
        // a refusal the unit answered with (a capture the channel refused) stands: the next try is a new operation
        if (unit && unit.refusedCommands.length > 0) await standRefusals(app, unit.refusedCommands);
        throw error;
      }
      app.onRetry?.(error instanceof UniqueViolation ? 'unique' : 'conflict');
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

/** The same for every try under one Idempotency-Key (the key's record is made anew after a failed try). */
const operationKeyOf = ({ scope }: Idempotency) => `${scope.credentialId} ${scope.method} ${scope.path} ${scope.key}`;

/** Claims an Idempotency-Key (a short transaction of its own, so a concurrent retry sees it in progress). */
async function claimKey(app: App, idempotency: Idempotency): Promise<{ replay: ExecutedResponse } | { recordId: string }> {
  const now = app.clock.now();
  const recordId = app.ids.id('idem');
  let claim: Awaited<ReturnType<Tx['claimIdempotencyKey']>>;
  try {
    claim = await app.db.transaction((tx) =>
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
      // an attempt of this process failed and the database refused to free its key: nothing is in
      // progress (no 409), the key is freed first, now (failing as the database still does: 503)
      if (claim.recordId !== undefined && awaitingRelease(app).has(claim.recordId)) {
        await app.db.transaction((tx) => tx.releaseIdempotencyKey(claim.recordId!));
        awaitingRelease(app).delete(claim.recordId);
        return claimKey(app, idempotency);
      }
      throw new DomainError('idempotency_in_progress', 'A request with this Idempotency-Key is still being processed; retry shortly.', 'Idempotency-Key');
    case 'claimed':
      return { recordId: claim.recordId };
  }
}

const RELEASE_RETRY_MS = 1000;

/** Per app: the records of failed attempts whose key the database has not freed yet (releaseKey tries again). */
const releasing = new WeakMap<App, Set<string>>();
function awaitingRelease(app: App): Set<string> {
  let records = releasing.get(app);
  if (!records) releasing.set(app, (records = new Set()));
  return records;
}

/**
 * Frees a claimed key after a failed attempt, so that the client may retry at once. Release only
 * removes a key still in progress: if the attempt in fact committed (the connection died during
 * COMMIT), its key is done and stays a replay. While the database is away the release is tried
 * again each second, up to the lock's lifetime (after which a retry may take the key anyway).
 */
async function releaseKey(app: App, recordId: string, until = app.clock.now() + app.config.idempotencyLockMs): Promise<void> {
  try {
    await app.db.transaction((tx) => tx.releaseIdempotencyKey(recordId));
    awaitingRelease(app).delete(recordId);
  } catch (error) {
    if (!(error instanceof StorageUnavailable) || app.clock.now() + RELEASE_RETRY_MS > until) {
      awaitingRelease(app).delete(recordId); // past the lock's lifetime a retry takes the key over anyway
      return;
    }
    awaitingRelease(app).add(recordId);
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

export interface ExecuteOptions {
  /**
   * Checks that need the network (resolving a URL), run before the transaction so that none waits
   * on DNS, and after the key is claimed: a replay answers what was stored, whatever the check would
   * say now (a host that has stopped resolving does not turn a create that succeeded into a 400).
   */
  before?: () => Promise<void>;
}

/**
 * Runs a mutating use case. With an Idempotency-Key the key is claimed first, then the effect, its
 * events and the stored response commit together.
 */
export async function execute<T>(app: App, idempotency: Idempotency | null, work: (unit: Work) => Promise<T>, render: (result: T) => StoredResponse, options: ExecuteOptions = {}): Promise<ExecutedResponse> {
  if (!idempotency) {
    await options.before?.();
    return { ...render(await inTransaction(app, work)), replayed: false };
  }
  const claimed = await claimKey(app, idempotency);
  if ('replay' in claimed) return claimed.replay;
  return attempt(app, claimed.recordId, async () => {
    await options.before?.();
    let response!: StoredResponse;
    await inTransaction(app, work, async (unit, result) => {
      response = render(result);
      await unit.tx.completeIdempotencyKey(claimed.recordId, sealResponse(app, response));
    }, { operationKey: operationKeyOf(idempotency) });
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
    await app.db.transaction((tx) => tx.completeIdempotencyKey(claimed.recordId, sealResponse(app, response)));
    return response;
  });
}
