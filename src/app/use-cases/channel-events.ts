// A channel's answer applied on its own, in a transaction of its own: how a channel command ends
// when the unit of work that asked for it is gone (its process died, its client gave up, the channel
// answered late), and how an inbound channel event lands. Idempotent: a command is applied once,
// an inbound event (by the channel's own id) is taken once.
import { isRefusal, type ChannelCommand } from '../../core/channel-command.js';
import { DomainError, isDomainError } from '../../core/errors.js';
import * as pr from '../../core/payment-request.js';
import type { PaymentRequest } from '../../core/payment-request.js';
import { createRefund, type Refund } from '../../core/refund.js';
import { callChannel } from '../channel-commands.js';
import { notFound } from '../access.js';
import { leaseFor, type App } from '../context.js';
import { merchantNow } from '../time.js';
import { inTransaction, type Work } from '../unit-of-work.js';
import { paymentSettings } from './patron-payments.js';
import { commit } from './payment-requests.js';
import { applyRefund, writeNewRefund } from './refund-writes.js';

const BATCH = 50;

/**
 * Makes the state change an answered command stands for, as the unit that asked would have made it
 * (the unit runs with the command's hold, so it may write the request). False when the request can
 * no longer take it: the command then stays answered and unapplied, holding its request, for the
 * operator to see (docs/architecture.md), rather than be marked applied with its money unrecorded.
 */
async function applyOutcome(unit: Work, command: ChannelCommand, request: PaymentRequest): Promise<boolean> {
  const now = await merchantNow(unit.app, unit.tx, request.merchantId, request.livemode);
  const refused = isRefusal(command.outcome);
  const ending = command.intent.ending as pr.Transition | undefined;
  if (ending) {
    // a return of money owed by a request that ended (void, cancel, expiry, decline): the ending
    // first, exactly as its unit made it, then the return, which applies this command (Work.moveMoney)
    if (request.version !== ending.request.version - 1) return false;
    await commit(unit, request, ending);
    return true;
  }
  try {
    switch (command.kind) {
      case 'authorize':
        if (refused) await commit(unit, request, pr.decline(request, now));
        else await commit(unit, request, pr.pay(request, { amount: command.amount, method: String(command.intent.method ?? 'card'), ...(await paymentSettings(unit, request.merchantId)) }, now));
        return true;
      case 'capture':
        if (!refused) await commit(unit, request, command.intent.final === false ? pr.confirm(request, command.amount, now) : pr.capture(request, command.amount, now));
        return true;
      case 'refund': {
        const asked = command.intent.refund as Refund;
        if (command.intent.captured === true) {
          // a manual refund's capture (refunds.ts, sendCaptured): the refund exists, awaiting the answer
          const refund = await unit.tx.getRefund(asked.id);
          if (!refund || refund.status !== 'requires_capture') return refused;
          await applyRefund(unit, refund, request, command.outcome === 'pending' ? 'send' : refused ? 'fail' : 'capture', now);
          return true;
        }
        const reserved = createRefund(request, { id: asked.id, amount: asked.amount, reference: asked.reference, reason: asked.reason, captureMode: 'automatic' }, now);
        await writeNewRefund(unit, reserved, command.outcome === 'pending' ? null : refused ? 'fail' : 'settle', now);
        return true;
      }
      case 'release':
        return true;
    }
  } catch (error) {
    if (!isDomainError(error)) throw error;
    // an authorization the request can no longer use is given back; a refusal moved nothing
    if (command.kind === 'authorize' && !refused) {
      await unit.moveMoneyAfterCommit(request.id, request.version, 'release', command.amount, { unused: command.id });
      return true;
    }
    return refused;
  }
}

/** Applies an answered command that nobody applied; false if it was applied already, is unanswered, or cannot be applied. */
export async function applyChannelAnswer(app: App, commandId: string): Promise<boolean> {
  return inTransaction(app, async (unit) => {
    const command = await unit.tx.getChannelCommand(commandId);
    if (!command || command.status !== 'executed') return false;
    const request = await unit.tx.lockPaymentRequest(command.paymentRequestId);
    return request !== null && applyAnswer(unit, command, request);
  }, undefined, { applying: commandId });
}

/** The state change of an answered command, then the command marked applied (unless the change did it: a return, through Work.moveMoney). */
async function applyAnswer(unit: Work, command: ChannelCommand, request: PaymentRequest): Promise<boolean> {
  if (!(await applyOutcome(unit, command, request))) return false;
  await unit.tx.applyChannelCommand(command.id, unit.app.clock.now(), undefined, command.paymentRequestId);
  return true;
}

/**
 * Takes over the commands whose lease ran out unapplied (their process died, or the channel did
 * not answer): asks the channel again, with the same id, and applies the answer. Run by the sweep.
 */
export async function resumeChannelCommands(app: App): Promise<number> {
  const claimed = await app.db.transaction((tx) => tx.claimChannelCommands(app.clock.now(), BATCH, leaseFor(app)));
  let done = 0;
  for (const command of claimed) {
    try {
      if (command.status === 'pending') await callChannel(app, command);
      await applyChannelAnswer(app, command.id);
      done++;
    } catch {
      // the channel is still away: the lease runs out again and the next sweep retries, same id
    }
  }
  return done;
}

/** An answer the channel sends on its own (a refund that settled later, a transfer that arrived). */
export interface ChannelEvent {
  /** The channel's own id of the event: the same event delivered twice is taken once. */
  id: string;
  commandId: string;
  outcome: 'approved' | 'declined' | 'succeeded' | 'failed';
}

/**
 * Money that arrived on the channel for a request without a command of ours (a bank transfer to
 * its account, a mobile-money prompt approved, a crypto payment confirmed): counted as the
 * patron's payment, once per channel event id. Less than is owed leaves the request pending with
 * the rest due (whether or not the request takes part payments: the money is there); more
 * settles it, overpaid, with the excess taken too (the channel holds it: it is refundable).
 */
export interface ChannelPayment {
  /** The channel's own id of the event. */
  id: string;
  paymentRequestId: string;
  amount: number;
  /** The channel it came by ('bank_transfer', 'mobile_money', 'crypto', …). */
  method: string;
}

/**
 * An inbound event about a request without a command of ours, taken once by the channel's event id:
 * the locked request as of now, or null when the event was taken before. An overdue request
 * refuses it (nothing is taken, so a redelivery is refused the same way).
 */
async function takeInbound(unit: Work, eventId: string, requestId: string, what: string): Promise<{ request: PaymentRequest; now: number } | null> {
  const request = await unit.tx.lockPaymentRequest(requestId);
  if (!request) throw notFound('payment request', requestId);
  if (!(await unit.tx.recordChannelEvent(eventId, request.id, unit.app.clock.now()))) return null;
  const now = await merchantNow(unit.app, unit.tx, request.merchantId, request.livemode);
  if (pr.expireIfDue(request, now)) throw new DomainError('request_expired', `Payment request ${request.id} expired before ${what}.`, undefined, { status: 'expired' });
  return { request, now };
}

/**
 * Takes money that arrived for a request. False when the event was taken before; a request that
 * can no longer be paid (it ended) refuses it with its domain error, taking nothing.
 */
export async function receiveChannelPayment(app: App, payment: ChannelPayment): Promise<boolean> {
  return inTransaction(app, (unit) => takeChannelPayment(unit, payment));
}

/** receiveChannelPayment's work, in a unit that may do more in the same transaction. */
export async function takeChannelPayment(unit: Work, payment: ChannelPayment): Promise<boolean> {
  const taken = await takeInbound(unit, payment.id, payment.paymentRequestId, 'the payment arrived');
  if (!taken) return false;
  const { request, now } = taken;
  const settings = await paymentSettings(unit, request.merchantId);
  // money the channel already holds is counted even where the request takes no part payments:
  // that rule is for what a patron may offer, not for what a bank has delivered
  // and it holds all that arrived: an overpayment's excess is taken too, so it can be refunded
  const paid = pr.pay({ ...request, partialAllowed: true }, { amount: payment.amount, method: payment.method, ...settings, holdsExcess: true }, now);
  await commit(unit, request, { ...paid, request: { ...paid.request, partialAllowed: request.partialAllowed } });
  return true;
}

/** An attempt the channel refused on its own (a mobile-money prompt the patron declined). */
export interface ChannelRefusal {
  /** The channel's own id of the event. */
  id: string;
  paymentRequestId: string;
}

/**
 * Takes a refused attempt for a request without a command of ours: nothing moved, so the request
 * stays payable (core `declineAttempt`: the instructions dropped, `payment_request.payment_declined`
 * raised) for another attempt. False when the event was taken before; a request with no attempt
 * under way (or one that ended) refuses it with its domain error.
 */
export async function receiveChannelRefusal(app: App, refusal: ChannelRefusal): Promise<boolean> {
  return inTransaction(app, async (unit) => {
    const taken = await takeInbound(unit, refusal.id, refusal.paymentRequestId, 'the channel answered');
    if (!taken) return false;
    const { request, now } = taken;
    if (request.status !== 'pending' || request.methodDetails === null) throw pr.refusal(request, 'decline_attempt');
    await commit(unit, request, pr.declineAttempt(request, now));
    return true;
  });
}

/**
 * Takes an inbound channel event: the answer to a command still waiting for one, or the end of a
 * refund the channel had answered `pending`. False when the event was seen before or concerns
 * nothing open.
 */
export async function receiveChannelEvent(app: App, event: ChannelEvent): Promise<boolean> {
  return inTransaction(app, async (unit) => {
    const now = unit.app.clock.now();
    const command = await unit.tx.getChannelCommand(event.commandId);
    // an event for a command not known (yet) is not taken, so that its redelivery can be
    if (!command || !(await unit.tx.recordChannelEvent(event.id, event.commandId, now))) return false;
    if (command.status === 'pending') {
      const request = await unit.tx.lockPaymentRequest(command.paymentRequestId);
      if (!request) return false;
      await unit.tx.recordChannelOutcome(command.id, event.outcome, now);
      // taken even when not applicable: the answer is kept (executed), for the sweep to try again and the operator to see
      await applyAnswer(unit, { ...command, status: 'executed', outcome: event.outcome }, request);
      return true;
    }
    if (command.kind !== 'refund' || command.outcome !== 'pending') return false;
    if (command.status === 'executed') {
      // answered pending and not applied yet (its unit never came back; the sweep would apply it):
      // applied now, as answered, so that the refund it makes is there for this event to settle.
      // Not taken, it would be lost: the event id is recorded, so its redelivery is refused
      const request = await unit.tx.lockPaymentRequest(command.paymentRequestId);
      if (!request || !(await applyAnswer(unit, command, request))) return false;
    }
    const refund = await unit.tx.getRefund((command.intent.refund as Refund).id);
    if (!refund || refund.status !== 'pending') return false;
    const request = await unit.tx.lockPaymentRequest(refund.paymentRequestId);
    if (!request) return false;
    await applyRefund(unit, refund, request, isRefusal(event.outcome) ? 'fail' : 'settle', await merchantNow(unit.app, unit.tx, request.merchantId, request.livemode));
    return true;
  }, undefined, { applying: event.commandId });
}
