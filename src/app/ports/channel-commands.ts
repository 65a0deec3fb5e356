// The storage port's part for channel commands (core/channel-command.ts): recorded before the
// channel is called, executed outside any transaction, applied in a transaction of their own.
import type { ChannelCommand } from '../../core/channel-command.js';
import type { Lease } from './persistence.js';

/** What may be read of channel commands outside a transaction. */
export interface ChannelCommandReads {
  getChannelCommand(id: string): Promise<ChannelCommand | null>;
  /**
   * Every command recorded for a request, oldest first (the next one's sequence is their count + 1),
   * and the one among them in flight on it, if any: one read.
   */
  channelCommandsOf(paymentRequestId: string): Promise<{ commands: ChannelCommand[]; inFlight: ChannelCommand | null }>;
}

export interface ChannelCommandWrites {
  /**
   * This transaction is the unit that asked for `commandId` and now applies its answer: it may write
   * the request that command holds (any other transaction may not, until the command is applied).
   */
  actForChannelCommand(commandId: string): void;
  /**
   * Records `command` (once: a second record of the same id changes nothing) and makes it the one
   * operation in flight on its request: the request's other writes wait until it is applied.
   * ChannelBusy when another command is in flight on the request (unless it is `handOverFrom`, a
   * command of the same unit of work that passes its hold on). A command another asker of the
   * same operation applied meanwhile is not made the request's again: ConcurrentUpdate. So is a
   * request no longer at `basedOn`, the version the unit decided on (a unit that wrote first asks in
   * a transaction of its own, after its own rolled back: the request may have changed between).
   */
  beginChannelCommand(command: ChannelCommand, lease: Lease, handOverFrom?: string | null, basedOn?: number | null): Promise<void>;
  /** Records a command that holds nothing (a release after the request has ended). */
  insertChannelCommand(command: ChannelCommand, lease: Lease | null): Promise<void>;
  /** The channel's answer to a pending command (no change once it has one). */
  recordChannelOutcome(id: string, outcome: string, now: number): Promise<void>;
  /**
   * Marks a command applied (with the channel's answer, when it was not recorded before) and frees
   * its request; the command as applied, or null if it was applied already (or there is none).
   */
  applyChannelCommand(id: string, now: number, outcome: string | undefined, paymentRequestId: string): Promise<ChannelCommand | null>;
  /** Leases commands not applied whose lease is free (a process died, or the channel did not answer). */
  claimChannelCommands(realNow: number, limit: number, lease: Lease): Promise<ChannelCommand[]>;
  /** Records an inbound channel event's id, with what it concerns (a command, or a request it paid); false if it was seen before. */
  recordChannelEvent(id: string, concerns: string, now: number): Promise<boolean>;
}
