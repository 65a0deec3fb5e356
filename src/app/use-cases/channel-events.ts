// A channel's answer applied on its own, in a transaction of its own: how a channel command ends
// when the unit of work that asked for it is gone (its process died, its client gave up, the channel
// answered late), and how an inbound channel event lands. Idempotent: a command is applied once,
// an inbound event (by the channel's own id) is taken once.
import { isRefusal, type ChannelCommand } from '../../core/channel-command.js';
import { isDomainError } from '../../core/errors.js';
import * as pr from '../../core/payment-request.js';
import { createRefund, RETURN_REFERENCE, returnOwed, type Refund } from '../../core/refund.js';
import { callChannel, runChannelCommand } from '../channel-commands.js';
import type { App } from '../context.js';
import { merchantNow } from '../time.js';
import { inTransaction, type Work } from '../unit-of-work.js';
import { paymentSettings } from './patron-payments.js';
import { commit } from './payment-requests.js';
import { applyRefund } from './refund-writes.js';

const BATCH = 50;

/** The state change an answered command stands for, as the unit that asked would have made it. */
async function applyOutcome(unit: Work, command: ChannelCommand): Promise<void> {
  const request = await unit.tx.lockPaymentRequest(command.paymentRequestId);
  if (!request) return;
  const now = await merchantNow(unit.app, unit.tx, request.merchantId, request.livemode);
  const refused = isRefusal(command.outcome);
  try {
    switch (command.kind) {
      case 'authorize':
        if (refused) await commit(unit, request, pr.decline(request, now));
        else await commit(unit, request, pr.pay(request, { amount: command.amount, method: String(command.intent.method ?? 'card'), ...(await paymentSettings(unit, request.merchantId)) }, now));
        return;
      case 'capture':
        if (refused) return;
        await commit(unit, request, command.intent.final === false ? pr.confirm(request, command.amount, now) : pr.capture(request, command.amount, now));
        return;
      case 'refund': {
        const asked = command.intent.refund as Refund;
        const reserved = asked.reference === RETURN_REFERENCE
          ? returnOwed(request, asked.id, now)
          : createRefund(request, { id: asked.id, amount: asked.amount, reference: asked.reference, reason: asked.reason, captureMode: 'automatic' }, now);
        await unit.tx.updatePaymentRequest(reserved.request);
        await unit.tx.insertRefund(reserved.refund);
        await unit.emitForRefund(reserved.refund, reserved.request, reserved.events);
        if (command.outcome !== 'pending') await applyRefund(unit, reserved.refund, reserved.request, refused ? 'fail' : 'settle', now);
        return;
      }
      case 'release':
        return;
    }
  } catch (error) {
    if (!isDomainError(error)) throw error;
    // the request can no longer take what the channel did (it ended meanwhile): an authorization
    // it cannot use is given back; anything else stays on record in the command for the operator
    if (command.kind === 'authorize' && !refused) await unit.moveMoneyAfterCommit(request.id, request.version, 'release', command.amount, { unused: command.id });
  }
}

/** Applies an answered command that nobody applied; false if it was applied already or is unanswered. */
export async function applyChannelAnswer(app: App, commandId: string): Promise<boolean> {
  return inTransaction(app, async (unit) => {
    const command = await unit.tx.getChannelCommand(commandId);
    if (!command || command.status !== 'executed') return false;
    // freed first, so that the change it stands for may be written
    if (!(await unit.tx.applyChannelCommand(command.id, unit.app.clock.now()))) return false;
    await applyOutcome(unit, command);
    return true;
  });
}

/**
 * Takes over the commands whose lease ran out unapplied (their process died, or the channel did
 * not answer): asks the channel again, with the same id, and applies the answer. Run by the sweep.
 */
export async function resumeChannelCommands(app: App): Promise<number> {
  const now = app.clock.now();
  const claimed = await app.db.transaction((tx) => tx.claimChannelCommands(now, BATCH, { owner: app.config.workerId, until: now + app.config.leaseMs }));
  let done = 0;
  for (const command of claimed) {
    try {
      if (command.kind === 'release') await runChannelCommand(app, command);
      else {
        if (command.status === 'pending') await callChannel(app, command);
        await applyChannelAnswer(app, command.id);
      }
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
 * Takes an inbound channel event: the answer to a command still waiting for one, or the end of a
 * refund the channel had answered `pending`. False when the event was seen before or concerns
 * nothing open.
 */
export async function receiveChannelEvent(app: App, event: ChannelEvent): Promise<boolean> {
  return inTransaction(app, async (unit) => {
    const now = unit.app.clock.now();
    if (!(await unit.tx.recordChannelEvent(event.id, event.commandId, now))) return false;
    const command = await unit.tx.getChannelCommand(event.commandId);
    if (!command) return false;
    if (command.status === 'pending') {
      await unit.tx.recordChannelOutcome(command.id, event.outcome, now);
      await unit.tx.applyChannelCommand(command.id, now);
      await applyOutcome(unit, { ...command, status: 'executed', outcome: event.outcome });
      return true;
    }
    if (command.kind !== 'refund' || command.outcome !== 'pending') return false;
    const refund = await unit.tx.getRefund((command.intent.refund as Refund).id);
    if (!refund || refund.status !== 'pending') return false;
    const request = await unit.tx.lockPaymentRequest(refund.paymentRequestId);
    if (!request) return false;
    await applyRefund(unit, refund, request, isRefusal(event.outcome) ? 'fail' : 'settle', await merchantNow(unit.app, unit.tx, request.merchantId, request.livemode));
    return true;
  });
}
