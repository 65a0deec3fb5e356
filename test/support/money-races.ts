// What the tests of races (test/e2e/money-races*.test.ts) share: a gateway whose payment channel
// counts every money call (test/support/counted-channel.ts) and whose events all go to a webhook
// receiver, the calls the races make, and the audit each round ends with. The audit checks
// invariants, never an interleaving: Σ refunds ≤ captured ≤ authorized and the totals agree with
// the refund rows; the events of each object are numbered 1..n, the request's last one shows it as
// it is, each ending happened once and each refund's events end as it did; each money movement was
// asked of the channel once (one command id) and is recorded, and nothing recorded moved no money.
import { afterAll, beforeAll, expect } from 'vitest';
import { createBody, startGateway, type ApiResponse, type TestGateway } from '../harness.js';
import type { CpResponse } from '../dialects/centrapay/client.js';
import type { MpResponse } from '../dialects/mobilepay/client.js';
import { countedChannel, type MoneyCall } from './counted-channel.js';
import { startReceiver, type Receiver } from './receiver.js';

export const PR = '/v1/payment-requests';
/** How often each race runs, each time on a fresh request. */
export const ROUNDS = 20;

export type Answer = ApiResponse | CpResponse | MpResponse;
export const outcome = (r: Answer) => (r.status < 300 ? String(r.status) : `${r.status} ${r.body?.code ?? ''}`.trim());
export const ok = (r: Answer) => r.status >= 200 && r.status < 300;

/** The refusals each native operation documents (native-api.md, docs/api-decisions.md); anything else fails the round. */
export const DOCUMENTED: Record<string, readonly string[]> = {
  refund: ['400 amount_exceeds_refundable', '409 invalid_state', '409 duplicate_reference', '409 conflict', '409 idempotency_in_progress', '422 idempotency_key_reused'],
  capture: ['409 not_authorized', '400 amount_exceeds_authorized', '409 invalid_state', '409 request_expired', '409 conflict'],
  cancel: ['409 already_succeeded', '409 invalid_state', '409 conflict'],
  void: ['409 invalid_state', '409 void_window_exceeded', '409 conflict'],
  pay: ['409 invalid_state', '409 request_expired', '400 partial_payment_not_allowed', '409 conflict'],
  advance: [],
};

export function expectDocumented(op: keyof typeof DOCUMENTED, answers: readonly Answer[], round: number): void {
  for (const r of answers) {
    if (ok(r)) continue;
    expect({ round, op, outcome: outcome(r), documented: DOCUMENTED[op]!.includes(outcome(r)) }, JSON.stringify(r.body)).toMatchObject({ documented: true });
  }
}

/** A dialect's answer: its own success or a refusal in the 4xx range, never a 5xx. */
export function expectNoServerError(answers: readonly Answer[], round: number): void {
  for (const r of answers) expect({ round, status: r.status < 500 }, typeof r.body === 'string' ? r.body : JSON.stringify(r.body)).toStrictEqual({ round, status: true });
}

export const sum = (calls: readonly MoneyCall[]) => calls.reduce((total, c) => total + c.amount, 0);
const ENDINGS = ['payment_request.succeeded', 'payment_request.cancelled', 'payment_request.expired', 'payment_request.failed'];
const REFUND_EVENT: Record<string, string | null> = { succeeded: 'refund.succeeded', failed: 'refund.failed', cancelled: 'refund.cancelled', expired: 'refund.expired', pending: null, requires_capture: null };

/** A gateway for races, started before the file's tests and closed after them. */
export function raceGateway() {
  const channel = countedChannel();
  let t: TestGateway;
  let receiver: Receiver;
  beforeAll(async () => {
    t = await startGateway({ connector: channel.connector });
    receiver = await startReceiver();
    const endpoint = await t.api('POST', '/v1/webhook-endpoints', { body: { url: receiver.url } });
    expect(endpoint.status, JSON.stringify(endpoint.body)).toBe(201);
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  async function allEvents(id: string): Promise<any[]> {
    const events: any[] = [];
    let cursor: string | null = null;
    do {
      const res: ApiResponse = await t.api('GET', `${PR}/${id}/events?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      events.push(...res.body.data);
      cursor = res.body.hasMore ? res.body.nextCursor : null;
    } while (cursor);
    return events;
  }


  /**
   * The request as it ended and what it says it moved, against its refund rows, its events and the
   * channel's calls. Returns the request (after the checks).
   */
  async function audit(id: string, round: number, paidBy: 'commands' | 'transfers' = 'commands'): Promise<any> {
    const request = (await t.api('GET', `${PR}/${id}`)).body;
    const refunds: any[] = (await t.api('GET', `${PR}/${id}/refunds?limit=100`)).body.data;
    const events = await allEvents(id);
    const at = { round, id, status: request.status, statusReason: request.statusReason };

    // the totals within each other and agreeing with the refund rows
    expect({ ...at, capturedWithinAuthorized: request.amountCaptured <= request.amountAuthorized, refundedWithinCaptured: request.amountRefunded <= request.amountCaptured }).toMatchObject({ capturedWithinAuthorized: true, refundedWithinCaptured: true });
    expect({ ...at, amountRefunded: request.amountRefunded }).toStrictEqual({ ...at, amountRefunded: refunds.filter((r) => r.status === 'succeeded').reduce((s, r) => s + r.amount, 0) });
    const holding = refunds.filter((r) => ['pending', 'requires_capture', 'succeeded'].includes(r.status)).reduce((s, r) => s + r.amount, 0);
    expect({ ...at, refundRowsWithinCaptured: holding <= request.amountCaptured }).toMatchObject({ refundRowsWithinCaptured: true });

    // every object's events numbered 1..n; the request's last one shows it as it is
    const byObject = new Map<string, any[]>();
    for (const e of events) byObject.set(e.objectId, [...(byObject.get(e.objectId) ?? []), e]);
    for (const [objectId, list] of byObject) expect({ ...at, objectId, sequences: list.map((e) => e.sequence) }).toStrictEqual({ ...at, objectId, sequences: list.map((_, i) => i + 1) });
    const own = byObject.get(id) ?? [];
    const last = own.at(-1)?.data.object;
    const shown = (r: any) => ({ status: r.status, statusReason: r.statusReason, amountReceived: r.amountReceived, amountAuthorized: r.amountAuthorized, amountCaptured: r.amountCaptured });
    expect({ ...at, lastEvent: shown(last) }).toStrictEqual({ ...at, lastEvent: shown(request) });
    // each ending once; a request ends once, unless it succeeded and was then voided
    const endings = own.map((e) => e.type).filter((type) => ENDINGS.includes(type));
    expect({ ...at, endings: [...new Set(endings)].length === endings.length }).toMatchObject({ endings: true });
    const expectedEnding = request.status === 'cancelled' && request.statusReason === 'voided' ? ['payment_request.succeeded', 'payment_request.cancelled']
      : ENDINGS.includes(`payment_request.${request.status}`) ? [`payment_request.${request.status}`] : [];
    expect({ ...at, endings }).toStrictEqual({ ...at, endings: expectedEnding });
    // each refund: created first, then the event of how it ended (if it did), once
    for (const refund of refunds) {
      const types = (byObject.get(refund.id) ?? []).map((e) => e.type);
      const end = REFUND_EVENT[refund.status];
      const expected = end === null ? ['refund.created'] : ['refund.created', end];
      expect({ ...at, refund: refund.id, refundStatus: refund.status, types: types.filter((type) => type !== 'refund.pending') }).toStrictEqual({ ...at, refund: refund.id, refundStatus: refund.status, types: expected });
    }
    expect({ ...at, objects: [...byObject.keys()].sort() }).toStrictEqual({ ...at, objects: [id, ...refunds.map((r) => r.id)].sort() });

    // the channel: each movement once, each recorded; nothing recorded that moved nothing
    const sent = channel.movements(id, 'refund');
    // (a failed refund was sent, and refused by the channel; one cancelled or expired before its capture never was)
    const asked = refunds.filter((r) => ['succeeded', 'pending', 'failed'].includes(r.status));
    expect({ ...at, refundsSent: sent.map((c) => c.refundId).sort() }).toStrictEqual({ ...at, refundsSent: asked.map((r) => r.id).sort() });
    const succeeded = new Set(refunds.filter((r) => r.status === 'succeeded').map((r) => r.id));
    expect({ ...at, refundedByChannel: sum(sent.filter((c) => succeeded.has(c.refundId))) }).toStrictEqual({ ...at, refundedByChannel: request.amountRefunded });
    expect({ ...at, capturedByChannel: sum(channel.movements(id, 'capture')) }).toStrictEqual({ ...at, capturedByChannel: request.captureMode === 'manual' ? request.amountCaptured : 0 });
    // (money a channel delivered on its own, a transfer, was asked of no one)
    const authorized = sum(channel.movements(id, 'authorize'));
    expect({ ...at, authorizedByChannel: authorized }).toStrictEqual({ ...at, authorizedByChannel: paidBy === 'transfers' ? 0 : Math.min(request.amountReceived, request.amount ?? Infinity) });
    const releases = channel.movements(id, 'release');
    // an authorization that ends without a full capture (cancelled, expired, a pre-authorization's
    // release) is released; a capture of part takes the rest off with it, and a void ends a capture
    const released = request.captureMode === 'manual' && request.amountAuthorized > request.amountCaptured
      && ((['cancelled', 'expired', 'failed'].includes(request.status) && request.statusReason !== 'voided') || request.statusReason === 'released');
    expect({ ...at, releases: releases.length }).toStrictEqual({ ...at, releases: released ? 1 : 0 });
    return request;
  }

  async function create(extra: Record<string, unknown> = {}): Promise<any> {
    const res = await t.api('POST', PR, { body: createBody(t, { allowConcurrent: true, amount: 10000, expiresInSeconds: 3600, ...extra }) });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  }

  async function paid(extra: Record<string, unknown> = {}): Promise<any> {
    const request = await create(extra);
    const res = await t.api('POST', `/v1/sandbox/payment-requests/${request.id}/pay`, { body: { outcome: 'approve' } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  }

  const refund = (id: string, amount: number, reference: string, headers: Record<string, string> = {}) => t.api('POST', `${PR}/${id}/refunds`, { body: { amount, reference }, headers });
  const action = (id: string, verb: 'capture' | 'cancel' | 'void', body: Record<string, unknown> = {}) => t.api('POST', `${PR}/${id}/${verb}`, { body });
  const pay = (id: string, body: Record<string, unknown> = { outcome: 'approve' }) => t.api('POST', `/v1/sandbox/payment-requests/${id}/pay`, { body });
  const advance = (seconds: number) => t.api('POST', '/v1/sandbox/clock/advance', { body: { seconds } });

  /** Every committed event reached the receiver once delivered (at least once, under its own id), and no other did. */
  async function expectEveryEventDelivered(): Promise<void> {
    for (let i = 0; i < 5; i++) await t.gateway.tick();
    const committed = await t.query<{ id: string }>("select id from events where type not in ('payment_request.payment_seen', 'payment_request.quote_renewed')");
    const received = new Set(receiver.received.map((r) => r.headers['webhook-id'] as string));
    expect([...received].sort()).toStrictEqual(committed.map((e) => e.id).sort());
  }

  return { channel, gateway: () => t, audit, allEvents, create, paid, refund, action, pay, advance, expectEveryEventDelivered };
}
