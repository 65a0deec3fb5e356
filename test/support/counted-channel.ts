// The sandbox channel as it is, with every money call recorded (kind, command id, request, amount),
// answering a little later (so that concurrent requests really interleave around it, on SQLite too),
// and a hook a test can set to act while one call of a kind is in flight (to move the clock while
// the channel answers, say). The tests of races count from it what money moved, and how often.
import type { Connector } from '../../src/app/ports/connector.js';
import type { Refund } from '../../src/core/refund.js';
import { createSandboxConnector } from '../../src/connectors/sandbox/connector.js';

export type MoneyCallKind = 'authorize' | 'capture' | 'release' | 'refund';

export interface MoneyCall {
  kind: MoneyCallKind;
  /** The command's idempotency id: one money movement, however often it is asked. */
  id: string;
  requestId: string;
  amount: number;
  /** A refund's id (the refund row the command makes or settles). */
  refundId?: string;
}

export interface CountedChannel {
  readonly connector: Connector;
  readonly calls: MoneyCall[];
  /** Runs once inside the next call of that kind, before it answers. */
  during: Partial<Record<MoneyCallKind, () => Promise<void>>>;
  /** The distinct money movements asked on a request (one per command id). */
  movements(requestId: string, kind?: MoneyCallKind): MoneyCall[];
}

export function countedChannel(options: { delayMs?: number } = {}): CountedChannel {
  const sandbox = createSandboxConnector({ delayMs: options.delayMs ?? 2 });
  const channel: CountedChannel = {
    calls: [],
    during: {},
    movements(requestId, kind) {
      const seen = new Map<string, MoneyCall>();
      for (const call of channel.calls) if (call.requestId === requestId && (!kind || call.kind === kind) && !seen.has(call.id)) seen.set(call.id, call);
      return [...seen.values()];
    },
    connector: {
      channels: (request) => sandbox.channels(request),
      instructions: (request, choice, amount, now) => sandbox.instructions(request, choice, amount, now),
      authorize: async (request, payment, id) => (await record({ kind: 'authorize', id, requestId: request.id, amount: payment.amount }), sandbox.authorize(request, payment, id)),
      capture: async (request, amount, o, id) => (await record({ kind: 'capture', id, requestId: request.id, amount }), sandbox.capture(request, amount, o, id)),
      release: async (request, id) => (await record({ kind: 'release', id, requestId: request.id, amount: request.amountAuthorized - request.amountCaptured }), sandbox.release(request, id)),
      refund: async (request, refund: Refund, id) => (await record({ kind: 'refund', id, requestId: request.id, amount: refund.amount, refundId: refund.id }), sandbox.refund(request, refund, id)),
    },
  };
  async function record(call: MoneyCall): Promise<void> {
    channel.calls.push(call);
    const during = channel.during[call.kind];
    if (!during) return;
    delete channel.during[call.kind];
    await during();
  }
  return channel;
}
