// Sandbox (test mode only): act as the patron, check in at a terminal, move the test clock, resolve ids.
import { DomainError } from '../../core/errors.js';
import * as pr from '../../core/payment-request.js';
import type { PaymentRequest } from '../../core/payment-request.js';
import { parseShortCode } from '../../core/short-code.js';
import { idOfUuid, isUuid } from '../../core/uuid-ids.js';
import type { Refund } from '../../core/refund.js';
import { TEST_CLOCK_LIMIT_MS } from '../../core/test-clock.js';
import { canSeeRefund, canSeeRequest, loadRefund, lockTerminal, requireSecretKey, requireTestMode } from '../access.js';
import type { App, Caller } from '../context.js';
import { merchantNow } from '../time.js';
import { inTransaction, type Work } from '../unit-of-work.js';
import type { Channel } from '../ports/connector.js';
import { choose, sandboxChoice } from './channels.js';
import { asOfNow, commit, listPaymentRequests as listPaymentRequestsOf, loadCurrent } from './payment-requests.js';
import { patronAct, type PatronAction } from './patron-payments.js';
import { createPatron, requirePatron } from './patrons.js';
import { receiveChannelEvent } from './channel-events.js';
import { sweepDue } from './sweeps.js';

/** The sandbox patron pays: through the connector (the channel is chosen first when `method` is new). */
export async function sandboxPay(unit: Work, caller: Caller, id: string, input: PatronAction): Promise<PaymentRequest> {
  requireTestMode(caller);
  const current = await loadCurrent(unit, caller, id);
  const now = current.now;
  let request = current.request;
  if (input.outcome === 'approve' && input.method && input.method !== request.paymentMethod && pr.canApply(request.status, 'engage') && request.amount !== null) {
    request = await choose(unit, request, sandboxChoice(input.method as Channel), now, 'method');
  }
  return patronAct(unit, request, input, now);
}

export interface CheckInResult {
  terminalId: string;
  patronId: string;
  checkedInAt: number;
  paymentRequest: PaymentRequest | null;
}

/** A patron checks in at a terminal: its active request engages them now, or the next one will. */
export async function checkIn(unit: Work, caller: Caller, terminalId: string, input: { patronId?: string }): Promise<CheckInResult> {
  requireTestMode(caller);
  // the terminal's row is held first, as a create on it holds it before it looks for a check-in: a
  // request created at the same time either committed first and is found active here, or waits
  // for this check-in and takes it (never neither: the request unengaged, the check-in kept)
  const terminal = await lockTerminal(unit.tx, caller, terminalId);
  const patronId = input.patronId ? (await requirePatron(unit.tx, caller, input.patronId)).id : (await createPatron(unit, caller, {})).patron.id;
  const active = await unit.tx.findActivePaymentRequestForTerminal(terminal.id, caller.livemode);
  if (active) {
    const { request, now } = await asOfNow(unit, active);
    // a request already with another patron stays theirs: this check-in waits for the next one
    if (pr.canApply(request.status, 'engage') && (!request.patronId || request.patronId === patronId)) {
      return { terminalId: terminal.id, patronId, checkedInAt: now, paymentRequest: await commit(unit, request, pr.engage(request, patronId, now)) };
    }
  }
  const now = await merchantNow(unit.app, unit.tx, caller.merchantId, caller.livemode);
  await unit.tx.setTerminalCheckIn(terminal.id, patronId, now);
  return { terminalId: terminal.id, patronId, checkedInAt: now, paymentRequest: null };
}

export interface ClockState {
  now: number;
  offsetMs: number;
  expired: number;
}

/**
 * Moves the merchant's test clock forward and runs what fell due, so tests of time never sleep. The
 * clock is the merchant's (every terminal's requests expire by it): a terminal key may read it, not move it.
 */
export async function advanceClock(app: App, caller: Caller, seconds: number): Promise<ClockState> {
  requireTestMode(caller);
  requireSecretKey(caller, 'Moving the test clock');
  const offsetMs = await inTransaction(app, async ({ tx }) => {
    // added in one statement to the offset as it stands: advances made at once add up, and each
    // answers an offset of its own (a read-then-write would lose one, and could set the clock back)
    const next = await tx.advanceTestClock(caller.merchantId, seconds * 1000);
    if (next === null) throw new DomainError('not_found', `No merchant ${caller.merchantId}.`);
    // checked on the sum as committed, inside its transaction: a refused advance rolls back
    const now = app.clock.now();
    if (now + next > TEST_CLOCK_LIMIT_MS) {
      const left = Math.max(0, Math.floor((TEST_CLOCK_LIMIT_MS - (now + next - seconds * 1000)) / 1000));
      throw new DomainError('parameter_invalid', `The test clock goes no further than ${new Date(TEST_CLOCK_LIMIT_MS).toISOString()}: it can move ${left} seconds more.`, 'seconds');
    }
    return next;
  });
  const expired = await sweepDue(app, caller.merchantId);
  return { now: app.clock.now() + offsetMs, offsetMs, expired };
}

export async function readClock(app: App, caller: Caller): Promise<ClockState> {
  requireTestMode(caller);
  const merchant = await app.db.read.getMerchant(caller.merchantId);
  const offsetMs = merchant?.testClockOffsetMs ?? 0;
  return { now: app.clock.now() + offsetMs, offsetMs, expired: 0 };
}

/** Finds the request behind any id a dialect or the native API handed out. */
export async function resolveReference(app: App, caller: Caller, ref: string): Promise<string> {
  requireTestMode(caller);
  const tx = app.db.read;
  const visible = (request: PaymentRequest | null) => (request && canSeeRequest(caller, request) ? request.id : null);
  // a GUID (a dialect's spelling of a request or refund id) is a posgate id in another spelling
  const requestId = isUuid(ref) ? idOfUuid('pr', ref) : ref;
  const refundId = isUuid(ref) ? idOfUuid('rf', ref) : ref;
  const byId = requestId?.startsWith('pr_') ? visible(await tx.getPaymentRequest(requestId)) : null;
  if (byId) return byId;
  if (refundId?.startsWith('rf_')) {
    const refund = await tx.getRefund(refundId);
    if (refund && (await canSeeRefund(tx, caller, refund))) return refund.paymentRequestId;
  }
  const byReference = visible(await tx.findPaymentRequestByReference(caller.merchantId, caller.livemode, ref));
  if (byReference) return byReference;
  const shortCode = parseShortCode(ref);
  const byShortCode = shortCode ? visible(await tx.findPaymentRequestByShortCode(shortCode)) : null;
  if (byShortCode) return byShortCode;
  const [byExternalRef] = (await listPaymentRequestsOf(app, caller, { externalRef: ref }, { limit: 1 })).items;
  if (byExternalRef) return byExternalRef.id;
  const byAlias = await tx.resolveReference(caller.merchantId, caller.livemode, ref);
  if (byAlias && visible(await tx.getPaymentRequest(byAlias))) return byAlias;
  throw new DomainError('not_found', `Nothing matches ${ref}.`, 'ref');
}

/**
 * The sandbox channel answers a refund it had answered `pending` (a crypto refund, once the patron
 * said where to send it): an inbound channel event, taken once.
 */
export async function sandboxRefundOutcome(app: App, caller: Caller, refundId: string, outcome: 'succeeded' | 'failed'): Promise<Refund> {
  requireTestMode(caller);
  const refund = await loadRefund(app.db.read, caller, refundId);
  const command = (await app.db.read.channelCommandsOf(refund.paymentRequestId)).commands.find((c) => c.kind === 'refund' && (c.intent.refund as Refund | undefined)?.id === refund.id);
  if (refund.status !== 'pending' || !command)
    throw new DomainError('invalid_state', `Refund ${refund.id} is ${refund.status}; only a refund the channel has not answered yet can be settled.`, undefined, { status: refund.status });
  await receiveChannelEvent(app, { id: `sandbox_refund_${refund.id}`, commandId: command.id, outcome });
  return loadRefund(app.db.read, caller, refundId);
}
