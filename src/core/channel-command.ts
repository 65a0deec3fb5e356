// A channel command: one instruction to the payment channel that moves money (authorize, capture,
// release, refund). It is recorded before the channel is called and carries an id that the same
// logical operation always gets again, so that the channel, told the same id twice, acts once.

export const CHANNEL_COMMAND_KINDS = ['authorize', 'capture', 'release', 'refund'] as const;
export type ChannelCommandKind = (typeof CHANNEL_COMMAND_KINDS)[number];

/** pending: recorded, the channel's answer not known; executed: answered, not yet applied; applied: its outcome is in the request. */
export const CHANNEL_COMMAND_STATUSES = ['pending', 'executed', 'applied'] as const;
export type ChannelCommandStatus = (typeof CHANNEL_COMMAND_STATUSES)[number];

export interface ChannelCommand {
  id: string;
  kind: ChannelCommandKind;
  paymentRequestId: string;
  amount: number;
  /** What the operation asked, enough to apply the outcome without the code that asked it. */
  intent: Record<string, unknown>;
  status: ChannelCommandStatus;
  /** The channel's answer ('approved', 'declined', 'succeeded', 'failed', 'pending', 'released'). */
  outcome: string | null;
  createdAt: number;
  updatedAt: number;
}

/** FNV-1a over UTF-16 code units, 32 bits, from a given basis: a short, stable digest (not a secret). */
function fnv1a(text: string, basis: number): string {
  let hash = basis >>> 0;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, '0');
}

/**
 * The id of the `sequence`-th command on a request: every run of the code asking for the same
 * operation finds the same id (the request names its command in flight), and a new operation after
 * an earlier one's end gets the next sequence number. `operation` tells apart operations of the
 * same kind and amount asked at once (two refunds of 300 with other references).
 */
export function channelCommandId(paymentRequestId: string, sequence: number, kind: ChannelCommandKind, amount: number, operation: string): string {
  return `cmd_${paymentRequestId}_${sequence}_${kind}_${amount}_${fnv1a(operation, 0x811c9dc5)}${fnv1a(operation, 0x050c5d1f)}`;
}

/** Answers that leave the request as it was: applying them changes nothing but the command. */
export function isRefusal(outcome: string | null): boolean {
  return outcome === 'declined' || outcome === 'failed';
}
