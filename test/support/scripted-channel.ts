// A payment channel for the tests of the channel-command protocol: it answers once per idempotency
// id (a second call with the same id answers the same, as the Connector contract asks of a real
// channel), records every call, and can be made to stop answering (a timeout), answer late, or
// answer otherwise. Its fields are the script: set them between calls.
import type { Connector } from '../../src/app/ports/connector.js';
import { createSandboxConnector } from '../../src/connectors/sandbox/connector.js';
import { createBody, type TestGateway } from '../harness.js';

export interface ScriptedChannel {
  readonly connector: Connector;
  /** `<kind> <id>` of every call, in order (kind: authorize, capture, release, refund). */
  readonly calls: string[];
  /** Every call fails as a timeout would while set. */
  away: boolean;
  /** New authorizations are declined while set. */
  declineAuthorizations: boolean;
  /** What a new refund is answered. */
  refundAnswer: 'succeeded' | 'pending';
  /** Runs once inside the next call, before it answers (a channel slower than the lease). */
  duringNextCall: (() => Promise<void>) | null;
  /** The next call answers this much later (the calls after it do not). */
  slowNextMs: number;
}

export function scriptedChannel(): ScriptedChannel {
  const sandbox = createSandboxConnector();
  const seen = new Map<string, string>();
  const script: ScriptedChannel = {
    calls: [], away: false, declineAuthorizations: false, refundAnswer: 'succeeded', duringNextCall: null, slowNextMs: 0,
    connector: {
      channels: (request) => sandbox.channels(request),
      instructions: (request, choice, amount, now) => sandbox.instructions(request, choice, amount, now),
      authorize: (_request, _payment, id) => once('authorize', id, () => (script.declineAuthorizations ? 'declined' : 'approved')),
      capture: (_request, _amount, _options, id) => once('capture', id, () => 'succeeded'),
      release: (_request, id) => once('release', id, () => 'released').then(() => undefined),
      refund: (_request, _refund, id) => once('refund', id, () => script.refundAnswer),
    },
  };
  async function once<T extends string>(kind: string, id: string, answer: () => T): Promise<T> {
    script.calls.push(`${kind} ${id}`);
    if (script.away) throw new Error('channel timeout');
    const [during, slow] = [script.duringNextCall, script.slowNextMs];
    script.duringNextCall = null;
    script.slowNextMs = 0;
    if (during) await during();
    if (slow) await new Promise((done) => setTimeout(done, slow));
    if (!seen.has(id)) seen.set(id, answer());
    return seen.get(id) as T;
  }
  return script;
}

/** The ids of the refunds the channel was asked (each once, however often it was asked). */
export const refundIdsAsked = (channel: ScriptedChannel) => new Set(channel.calls.filter((c) => c.startsWith('refund ')).map((c) => c.split(' ')[1]));

/** What the protocol's tests read of a request: the command holding it, and its commands not yet applied. */
export function commandsOf(t: TestGateway) {
  return {
    held: async (id: string) => (await t.query<{ channel_command_id: string | null }>(`select channel_command_id from payment_requests where id = '${id}'`))[0]!.channel_command_id,
    open: (id: string) => t.query<{ id: string }>(`select id from channel_commands where payment_request_id = '${id}' and status != 'applied'`),
  };
}

/**
 * The calls the protocol's scenarios make of a gateway whose channel is `channel` and whose clock
 * runs `clock.offsetMs` ahead: requests that take part payments and stay open an hour unless told
 * otherwise. `gateway` is read at each call (the gateway starts in a beforeAll).
 */
export function scenarioCalls(gateway: () => TestGateway, channel: ScriptedChannel, clock: { offsetMs: number }) {
  const t = gateway;
  return {
    create: (extra: Record<string, unknown> = {}) =>
      t().api('POST', '/v1/payment-requests', { body: createBody(t(), { allowConcurrent: true, expiresInSeconds: 3600, partialAllowed: true, ...extra }) }),
    pay: (id: string, amount?: number, headers: Record<string, string> = {}) =>
      t().api('POST', `/v1/sandbox/payment-requests/${id}/pay`, { body: { outcome: 'approve', ...(amount ? { amount } : {}) }, headers }),
    voidRequest: (id: string) => t().api('POST', `/v1/payment-requests/${id}/void`, { body: {} }),
    read: async (id: string) => (await t().api('GET', `/v1/payment-requests/${id}`)).body,
    held: (id: string) => commandsOf(t()).held(id),
    open: (id: string) => commandsOf(t()).open(id),
    refundIdsAsked: () => refundIdsAsked(channel),
    /** Lets every lease run out, then sweeps. */
    async sweepAfterLease(): Promise<void> {
      clock.offsetMs += 60_000;
      await t().gateway.tick();
    },
    /** A call made while the channel does not answer (its client is told 503). */
    async whileAway<T>(call: () => Promise<T>): Promise<T> {
      channel.away = true;
      try {
        return await call();
      } finally {
        channel.away = false;
      }
    },
  };
}
