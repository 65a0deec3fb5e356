// Payment request use cases: load → core transition → persist state + events (one transaction).
import { DomainError } from '../../core/errors.js';
import * as pr from '../../core/payment-request.js';
import type { LineItem, PaymentRequest, Transition } from '../../core/payment-request.js';
import { canSeeRequest, loadPaymentRequestWithMerchant, loadTerminal, lockPaymentRequest, lockTerminal, notFound, sameTenant } from '../access.js';
import { NATIVE_SOURCE, type App, type Caller } from '../context.js';
import type { Page, PaymentRequestFilter, Terminal, Tx } from '../ports/persistence.js';
import { merchantNow, nowFor } from '../time.js';
import { CommitFirst, inTransaction, type Work } from '../unit-of-work.js';
import { auditOperation } from './audit.js';
import { formatMoney } from '../../core/money.js';
import { returnOwedFunds } from './refund-writes.js';
import { waitUntil } from '../wait.js';
import { parseShortCode } from '../../core/short-code.js';
import { takePatronCode } from './patrons.js';

export interface CreatePaymentRequestInput {
  amount?: number;
  currency: string;
  terminalId?: string;
  reference?: string;
  captureMode?: pr.CaptureMode;
  expiresInSeconds?: number;
  description?: string;
  lineItems?: LineItem[];
  metadata?: Record<string, string>;
  webhookUrl?: string;
  redirectUrl?: string;
  partialAllowed?: boolean;
  basketAmount?: number;
  patronCode?: string;
  patronNotPresent?: boolean;
  allowedMethods?: string[];
  allowConcurrent?: boolean;
  /** The POS's own, non-unique order id (an order number, a basket id). */
  externalRef?: string;
  minimumAge?: number;
  conditionsEnabled?: boolean;
  authorizationTtlMs?: number;
}

export const DEFAULT_EXPIRY_SECONDS = 120;
/** A check-in counts for the next request on that terminal for this long. */
export const CHECK_IN_VALIDITY_MS = 10 * 60 * 1000;

export interface CreateResult {
  request: PaymentRequest;
  /** True when an earlier create with the same reference and body is returned again. */
  replayedByReference: boolean;
}

/**
 * Persists a transition: the new state (version-checked) and its events; a no-op writes nothing.
 * A request that ends unpaid (or voided) with money taken gives it back in the same transaction.
 */
export async function commit(unit: Work, before: PaymentRequest, transition: Transition): Promise<PaymentRequest> {
  if (transition.request === before) return before;
  // an authorization that ends without a full capture (cancel, expiry, a pre-auth's release) is released on the channel
  if (before.status === 'authorized' && releasesRest(transition.request)) await unit.moveMoneyAfterCommit(before.id, before.version, 'release', before.amountAuthorized - transition.request.amountCaptured);
  await unit.tx.updatePaymentRequest(transition.request);
  await unit.emitForRequest(transition.request, transition.events);
  // owed back: what is not refunded or on its way; a manual refund awaiting capture has sent
  // nothing, so one that holds the rest (reserved beyond refunded) is looked at too: the return
  // cancels it and gives back its amount
  const ended = transition.request;
  if (pr.owedBack(ended) <= 0 && !(pr.UNPAID_FINAL_STATUSES.includes(ended.status) && ended.amountRefundReserved > ended.amountRefunded)) return ended;
  const now = transition.request.updatedAt;
  // the return carries the ending with it: whoever applies the channel's answer makes both
  return returnOwedFunds(unit, transition.request, now, transition);
}

/** Whether leaving `authorized` for this state leaves part of the authorization to release. */
function releasesRest(after: PaymentRequest): boolean {
  if (after.status === 'authorized') return false; // a confirmation: the rest stays reserved
  if (after.status !== 'succeeded') return true;
  return after.statusReason === 'released' && after.amountCaptured < after.amountAuthorized;
}

/** Loads a request the caller may see, as of now: an overdue one is expired before any action applies. */
export async function loadCurrent(unit: Work, caller: Caller, id: string): Promise<{ request: PaymentRequest; now: number }> {
  return asOfNow(unit, await lockPaymentRequest(unit.tx, caller, id));
}

/**
 * A loaded request as of its merchant's now. An overdue one is expired first, in a unit of work of
 * its own (CommitFirst): the expiry stands whatever this unit then does, so an action it refuses
 * (request_expired, invalid_state) changes nothing, rather than undo an expiry whose return of
 * what the patron paid the channel has already sent (the request then held by that return until
 * the sweep, every other action on it waiting). A unit applying the channel's answer on the
 * request is judged as of the time it decided: the money moved then, so a deadline or window that
 * closed while the channel answered (the request's expiry, a void's 24 h, a crypto quote's) does
 * not refuse the run that records it, leaving the money moved and the caller told it was not.
 */
export async function asOfNow(unit: Work, loaded: PaymentRequest): Promise<{ request: PaymentRequest; now: number }> {
  const now = await decisionTime(unit, loaded);
  if (unit.holds(loaded.id) || !pr.expireIfDue(loaded, now)) return { request: loaded, now };
  throw new CommitFirst((expiry) => expireIfOverdue(expiry, loaded.id));
}

/** Expires a request that is overdue (the sweep's work, and CommitFirst's); whether it did. */
export async function expireIfOverdue(unit: Work, id: string): Promise<boolean> {
  const request = await unit.tx.lockPaymentRequest(id);
  if (!request) return false;
  const transition = pr.expireIfDue(request, await decisionTime(unit, request));
  if (transition) await commit(unit, request, transition);
  return transition !== null;
}

/**
 * The merchant's now, as a unit decides on a request; a run applying the channel's answer on it
 * gets the time its decision was made at (Work.decidedAt), so it decides the same again.
 */
async function decisionTime(unit: Work, request: PaymentRequest): Promise<number> {
  const decided = unit.holds(request.id) ? unit.decidedAt.get(request.id) : undefined;
  if (decided !== undefined) return decided;
  const now = await merchantNow(unit.app, unit.tx, request.merchantId, request.livemode);
  if (!unit.holds(request.id)) unit.decidedAt.set(request.id, now);
  return now;
}

/**
 * Checks that need the network (resolving webhookUrl in live mode), made before the create's
 * transaction so that no transaction waits on DNS.
 */
export async function assertCreatable(app: App, caller: Caller, input: Pick<CreatePaymentRequestInput, 'webhookUrl'>): Promise<void> {
  if (input.webhookUrl) await app.outbound.assertAllowed(input.webhookUrl, caller.livemode, 'webhookUrl');
}

/** A new request, recorded as made through the caller's API (its `source`: a provider's, or the native API's). */
export async function createPaymentRequest(unit: Work, caller: Caller, input: CreatePaymentRequestInput, fingerprint: string): Promise<CreateResult> {
  const { app, tx } = unit;
  const terminalId = input.terminalId ?? caller.terminalId;
  if (!terminalId) throw new DomainError('parameter_missing', 'terminalId is required with a merchant secret key.', 'terminalId');
  // The terminal's row is held before its active request and its check-in are read (a request
  // without allowConcurrent is the one a check-in engages, and checkIn holds the row first too): a
  // check-in at the same time either committed first and is taken here, or waits and finds this
  // request active. Never neither (write skew): the request unengaged, the check-in kept for the next.
  const terminal = input.allowConcurrent ? await loadTerminal(tx, caller, terminalId, 'terminalId') : await lockTerminal(tx, caller, terminalId, 'terminalId');

  if (input.reference !== undefined) {
    const existing = await tx.findPaymentRequestByReference(caller.merchantId, caller.livemode, input.reference);
    if (existing) {
      // another terminal's request is neither replayed nor named to a terminal key
      const visible = canSeeRequest(caller, existing);
      if (visible && existing.fingerprint === fingerprint) return { request: existing, replayedByReference: true };
      const owner = visible ? ` by ${existing.id}` : '';
      throw new DomainError('duplicate_reference', `Reference ${input.reference} is already used${owner} with a different request.`, 'reference', visible ? { existingId: existing.id } : {});
    }
  }
  const amount = input.amount ?? null;
  const mismatch = pr.checkLineItems(amount, input.lineItems, input.currency);
  if (mismatch) throw mismatch;
  if (input.basketAmount !== undefined && amount !== null && input.basketAmount < amount)
    throw new DomainError('parameter_invalid', 'basketAmount must be at least amount: the request is a part of the basket.', 'basketAmount');

  const now = await merchantNow(app, tx, caller.merchantId, caller.livemode);
  if (!input.allowConcurrent) {
    // one active request per terminal, whichever API made it: a terminal engages one patron at a time
    const active = await tx.findActivePaymentRequestForTerminal(terminal.id, caller.livemode);
    // one overdue (the sweep not there yet) is not active: expired first, it frees the terminal;
    // unless the channel is answering for it (a payment under way may still take it): the expiry
    // would wait on that command, so the till is busy, at once, as it is
    if (active && pr.expireIfDue(active, now) && !(await tx.channelCommandsOf(active.id)).inFlight)
      throw new CommitFirst((expiry) => expireIfOverdue(expiry, active.id));
    if (active && !canSeeRequest(caller, active))
      throw new DomainError('terminal_busy', `Terminal ${terminal.id} already has an active payment request made through another API; it must end before this one is made.`, 'terminalId');
    if (active) throw new DomainError('terminal_busy', `Terminal ${terminal.id} already has an active payment request ${active.id}; cancel it or wait until it is final.`, 'terminalId', { activeId: active.id });
  }

  const patronId = input.patronCode !== undefined ? await takePatronCode(tx, caller, input.patronCode, now) : null;
  const request: PaymentRequest = {
    id: app.ids.id('pr'),
    livemode: caller.livemode,
    merchantId: caller.merchantId,
    storeId: terminal.storeId,
    terminalId: terminal.id,
    status: amount === null ? 'prepared' : 'created',
    statusReason: null,
    cancellationReason: null,
    amount,
    currency: input.currency,
    amountReceived: 0,
    amountAuthorized: 0,
    amountCaptured: 0,
    amountRefunded: 0,
    amountRefundReserved: 0,
    overpaid: false,
    captureMode: input.captureMode ?? 'automatic',
    reference: input.reference ?? null,
    shortCode: app.ids.shortCode(),
    description: input.description ?? null,
    lineItems: input.lineItems ?? null,
    metadata: input.metadata ?? {},
    webhookUrl: input.webhookUrl ?? null,
    redirectUrl: input.redirectUrl ?? null,
    partialAllowed: input.partialAllowed ?? false,
    basketAmount: input.basketAmount ?? null,
    patronNotPresent: input.patronNotPresent ?? false,
    allowConcurrent: input.allowConcurrent ?? false,
    allowedMethods: input.allowedMethods ?? null,
    paymentMethod: null,
    methodDetails: null,
    patronId: null,
    source: caller.source ?? NATIVE_SOURCE,
    fingerprint,
    externalRef: input.externalRef ?? null,
    minimumAge: input.minimumAge ?? null,
    conditionsEnabled: input.conditionsEnabled ?? null,
    conditions: pr.initialConditions(input.lineItems, input.conditionsEnabled ?? null),
    authorizationTtlMs: input.authorizationTtlMs ?? null,
    expiresAt: now + (input.expiresInSeconds ?? DEFAULT_EXPIRY_SECONDS) * 1000,
    authorizationExpiresAt: null,
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  await tx.insertPaymentRequest(request);
  await unit.emitForRequest(request, ['payment_request.created']);

  // A patron code, or a fresh check-in at the terminal by a patron of this mode, engages the patron at once.
  let checkedIn = await freshCheckIn(tx, caller, terminal, now);
  // a concurrent request read its terminal unheld: the check-in it saw is taken from the row held
  // (another request may have taken it meanwhile), so that one check-in engages one request
  if (checkedIn && !patronId && input.allowConcurrent) checkedIn = await freshCheckIn(tx, caller, await lockTerminal(tx, caller, terminal.id, 'terminalId'), now);
  const engagedPatron = patronId ?? checkedIn;
  if (!engagedPatron) return { request, replayedByReference: false };
  if (checkedIn && !patronId) await tx.setTerminalCheckIn(terminal.id, null, null);
  return { request: await commit(unit, request, pr.engage(request, engagedPatron, now)), replayedByReference: false };
}

async function freshCheckIn(tx: Tx, caller: Caller, terminal: Terminal, now: number): Promise<string | null> {
  if (!terminal.checkedInPatronId || terminal.checkedInAt === null || now - terminal.checkedInAt > CHECK_IN_VALIDITY_MS) return null;
  const patron = await tx.getPatron(terminal.checkedInPatronId);
  return patron && sameTenant(caller, patron) ? patron.id : null;
}

/** What the POS that makes a request ready says it is: a request on another terminal is not found, one for another order is refused. */
export interface ReadyExpectation {
  terminalId?: string;
  externalRef?: string | null;
  /** The parameter that named the order, for the refusal. */
  externalRefParam?: string;
}

export async function readyPaymentRequest(unit: Work, caller: Caller, id: string, input: pr.ReadyInput, expected: ReadyExpectation = {}): Promise<PaymentRequest> {
  const { request, now } = await loadCurrent(unit, caller, id);
  if (expected.terminalId !== undefined && expected.terminalId !== request.terminalId) throw notFound('payment request', id);
  if (expected.externalRef !== undefined && expected.externalRef !== request.externalRef)
    throw new DomainError('parameter_invalid', `${expected.externalRefParam ?? 'externalRef'} ${expected.externalRef} is not the one of payment request ${id}.`, expected.externalRefParam ?? 'externalRef');
  return commit(unit, request, pr.ready(request, input, now));
}

// Cancel, capture, confirm and release are audited here, in their own unit of work, for whichever
// API (or the dashboard) called them: see auditOperation.

export async function cancelPaymentRequest(unit: Work, caller: Caller, id: string, reason?: string): Promise<PaymentRequest> {
  const { request, now } = await loadCurrent(unit, caller, id);
  const cancelled = await commit(unit, request, pr.cancel(request, now, reason ?? null));
  await auditOperation(unit, caller, 'payment_request.cancel', id, reason ?? null);
  return cancelled;
}

export async function capturePaymentRequest(unit: Work, caller: Caller, id: string, amount?: number): Promise<PaymentRequest> {
  const { request, now } = await loadCurrent(unit, caller, id);
  const transition = pr.capture(request, amount, now); // validates before the channel is asked
  const taken = transition.request.amountCaptured - request.amountCaptured;
  if ((await unit.moveMoney(request, 'capture', taken, { final: true }, 'capture')).outcome === 'failed')
    throw new DomainError('invalid_state', `The payment channel refused to capture ${formatMoney(taken, request.currency)}; the authorization is unchanged.`, undefined, { status: request.status });
  const captured = await commit(unit, request, transition);
  await auditOperation(unit, caller, 'payment_request.capture', id, formatMoney(captured.amountCaptured, captured.currency));
  return captured;
}

/** A pre-authorization's confirmation: part of the authorization is captured, the rest stays reserved. */
export async function confirmPaymentRequest(unit: Work, caller: Caller, id: string, amount: number): Promise<PaymentRequest> {
  const { request, now } = await loadCurrent(unit, caller, id);
  const transition = pr.confirm(request, amount, now);
  // confirmations repeat: two of one amount at once are two
  if ((await unit.moveMoney(request, 'capture', amount, { final: false }, 'confirm', true)).outcome === 'failed')
    throw new DomainError('invalid_state', `The payment channel refused to capture ${formatMoney(amount, request.currency)}; the authorization is unchanged.`, undefined, { status: request.status });
  const confirmed = await commit(unit, request, transition);
  await auditOperation(unit, caller, 'payment_request.confirm', id, formatMoney(amount, request.currency));
  return confirmed;
}

/** Ends a pre-authorization: what was confirmed is kept, the rest is released (all, if nothing was). */
export async function releasePaymentRequest(unit: Work, caller: Caller, id: string): Promise<PaymentRequest> {
  const { request, now } = await loadCurrent(unit, caller, id);
  const released = await commit(unit, request, pr.release(request, now));
  await auditOperation(unit, caller, 'payment_request.release', id);
  return released;
}

/** Reads as of now: an overdue request is reported (and recorded) as expired. */
export async function getPaymentRequest(app: App, caller: Caller, id: string): Promise<PaymentRequest> {
  const { request: current, merchant } = await loadPaymentRequestWithMerchant(app.db.read, caller, id);
  if (!pr.expireIfDue(current, nowFor(app, merchant, current.livemode))) return current;
  return inTransaction(app, async (unit) => (await loadCurrent(unit, caller, id)).request);
}

/**
 * Long-poll: answers as soon as the status differs from `unlessStatus` (default: the status now),
 * or after `waitSeconds`. Commits in this process wake it at once; other processes' commits are
 * seen by re-reading every second.
 */
/** `signal`: ends the wait early (the server closing), answering the request as it is then. */
export async function waitForPaymentRequest(app: App, caller: Caller, id: string, waitSeconds: number, unlessStatus?: pr.PaymentRequestStatus, signal?: AbortSignal): Promise<PaymentRequest> {
  const first = await getPaymentRequest(app, caller, id);
  const awaited = unlessStatus ?? first.status;
  return waitUntil({
    first,
    read: () => getPaymentRequest(app, caller, id),
    done: (request) => request.status !== awaited,
    waitMs: waitSeconds * 1000,
    subscribe: (wake) => app.feed.subscribe(id, wake),
    signal,
  });
}

export async function listPaymentRequests(app: App, caller: Caller, filter: Omit<PaymentRequestFilter, 'merchantId' | 'livemode'>, page: { limit: number; beforeId?: string }): Promise<Page<PaymentRequest>> {
  // as the lookup reads it: any case, with or without dashes; not a short code at all is refused alike
  const shortCode = filter.shortCode === undefined ? undefined : parseShortCode(filter.shortCode);
  if (shortCode === null) throw new DomainError('short_code_invalid', `${filter.shortCode} is not a valid short code (XXX-XXX-XXC, any case, dashes optional, ending in its check character).`, 'shortCode');
  if (caller.terminalId && filter.terminalId && filter.terminalId !== caller.terminalId) return { items: [], hasMore: false };
  return app.db.read.listPaymentRequests({ ...filter, shortCode, merchantId: caller.merchantId, livemode: caller.livemode, terminalId: caller.terminalId ?? filter.terminalId, source: caller.source ?? filter.source }, page);
}

/**
 * A page of requests as they are now: one overdue is shown as it will be once the sweep expires it
 * (as a read by id shows it); a list records nothing.
 */
export async function listCurrentPaymentRequests(app: App, caller: Caller, filter: Omit<PaymentRequestFilter, 'merchantId' | 'livemode'>, page: { limit: number; beforeId?: string }): Promise<Page<PaymentRequest>> {
  const found = await listPaymentRequests(app, caller, filter, page);
  if (!found.items.some(pr.mayExpire)) return found;
  const now = await merchantNow(app, app.db.read, caller.merchantId, caller.livemode);
  return { ...found, items: found.items.map((request) => pr.expireIfDue(request, now)?.request ?? request) };
}

export async function findByShortCode(app: App, caller: Caller, code: string): Promise<PaymentRequest> {
  const normalized = parseShortCode(code);
  if (!normalized) throw new DomainError('short_code_invalid', `${code} is not a valid short code: its check character does not match.`, 'code');
  const request = await app.db.read.findPaymentRequestByShortCode(normalized);
  if (!request || !canSeeRequest(caller, request))
    throw new DomainError('not_found', `No payment request with short code ${normalized}.`);
  return request;
}
