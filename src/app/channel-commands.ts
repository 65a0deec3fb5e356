// How a channel command (core/channel-command.ts) is asked: recorded first, as the one operation in
// flight on its request, then the channel is called outside any transaction with the command's id.
// The unit of work that needed the answer runs again with it in hand and applies it
// (unit-of-work.ts); if that unit never comes back, the sweep asks again, records the answer and
// applies it (use-cases/channel-events.ts).
import type { ChannelCommand } from '../core/channel-command.js';
import { DomainError } from '../core/errors.js';
import type { Refund } from '../core/refund.js';
import { leaseFor, type App } from './context.js';
import type { Connector } from './ports/connector.js';
import type { PaymentRequest } from '../core/payment-request.js';

/** Thrown inside a unit of work that needs the channel's answer: the unit runs again once it has it. */
export class ChannelAnswerNeeded extends Error {
  constructor(
    readonly command: ChannelCommand,
    /** The request as the unit saw it when it decided: what the channel is told. */
    readonly request: PaymentRequest,
    /** A command of this unit's that holds the request now: the new one takes its hold over. */
    readonly handOverFrom: string | null,
    /** The request's version the unit decided on, as it read it from the database (null: not read). */
    readonly basedOn: number | null = null,
  ) {
    super(`the channel's answer to ${command.id} is needed`);
    this.name = 'ChannelAnswerNeeded';
  }
}

/** A channel's answer to a command, held by the unit that asked until it applies it. */
export interface ChannelAnswer {
  id: string;
  outcome: string;
  paymentRequestId: string;
  kind: string;
  amount: number;
  /** What tells the operation apart from others of its kind and amount (core/channel-command.ts). */
  operation: string;
}

/**
 * Records `command` as its request's operation in flight, then asks the channel. The answer is
 * not written here: the unit that asked applies it (with the answer) in its next run, and should
 * that run never commit, the sweep asks again with the same id and the channel answers the same.
 */
export async function askChannel(app: App, command: ChannelCommand, request: PaymentRequest, handOverFrom: string | null, basedOn: number | null = null): Promise<string> {
  await app.db.transaction((tx) => tx.beginChannelCommand(command, leaseFor(app), handOverFrom, basedOn));
  return askRecorded(app, command, request);
}

/**
 * The channel's answer to a command recorded as its request's operation in flight, or a 503 when it
 * gives none in half a lease (the sweep asks again, same id, once the lease has run out).
 */
export async function askRecorded(app: App, command: ChannelCommand, request: PaymentRequest): Promise<string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('no answer')), Math.max(1, Math.floor(app.config.leaseMs / 2)));
  });
  try {
    return await Promise.race([call(app.connector, request, command), timeout]);
  } catch {
    throw new DomainError('service_unavailable', 'The payment channel did not answer; the operation is kept and completes when it does. Retry it (with the same Idempotency-Key, if it had one).');
  } finally {
    clearTimeout(timer);
  }
}

function call(connector: Connector, request: PaymentRequest, command: ChannelCommand): Promise<string> {
  switch (command.kind) {
    case 'authorize':
      return connector.authorize(request, { amount: command.amount, method: String(command.intent.method ?? 'card') }, command.id);
    case 'capture':
      return connector.capture(request, command.amount, { final: command.intent.final !== false }, command.id);
    case 'release':
      return connector.release(request, command.id).then(() => 'released');
    case 'refund':
      return connector.refund(request, command.intent.refund as Refund, command.id);
  }
}

/**
 * Calls the channel for a recorded command, outside any transaction, and records its answer. A
 * channel that does not answer leaves the command pending: it is asked again, with the same id.
 */
export async function callChannel(app: App, command: ChannelCommand): Promise<string> {
  const request = await app.db.read.getPaymentRequest(command.paymentRequestId);
  if (!request) throw new Error(`channel command ${command.id}: no payment request ${command.paymentRequestId}`);
  const outcome = await askRecorded(app, command, request);
  await app.db.transaction((tx) => tx.recordChannelOutcome(command.id, outcome, app.clock.now()));
  return outcome;
}

/** Runs a command that holds nothing (a release) to its end: asked (if not yet answered) and applied. */
export async function runChannelCommand(app: App, command: ChannelCommand): Promise<void> {
  const stored = await app.db.read.getChannelCommand(command.id);
  if (!stored || stored.status === 'applied') return;
  if (stored.status === 'pending') await callChannel(app, stored);
  await app.db.transaction((tx) => tx.applyChannelCommand(command.id, app.clock.now(), undefined, command.paymentRequestId));
}

/** Refusals a unit consumed and then threw on: they stand, and free their requests for the next operation. */
export async function standRefusals(app: App, refusals: readonly ChannelAnswer[]): Promise<void> {
  await app.db.transaction(async (tx) => {
    for (const { id, outcome, paymentRequestId } of refusals) await tx.applyChannelCommand(id, app.clock.now(), outcome, paymentRequestId);
  });
}
