// Every money movement goes through the Connector: its answers decide, and it is told of releases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connector } from '../../src/app/ports/connector.js';
import { createSandboxConnector } from '../../src/connectors/sandbox/connector.js';
import { createBody, startGateway, type TestGateway } from '../harness.js';

const calls: string[] = [];
let decline = false;
let failCapture = false;
let refundAnswer: 'succeeded' | 'pending' | 'failed' | null = null;
const sandbox = createSandboxConnector();
const recording: Connector = {
  channels: (request) => sandbox.channels(request),
  instructions: (request, choice, amount, now) => sandbox.instructions(request, choice, amount, now),
  async authorize(request, payment) {
    calls.push(`authorize ${request.id} ${payment.amount} ${payment.method}`);
    return decline ? 'declined' : 'approved';
  },
  async capture(request, amount) {
    calls.push(`capture ${request.id} ${amount}`);
    return failCapture ? 'failed' : 'succeeded';
  },
  async release(request) {
    calls.push(`release ${request.id}`);
  },
  async refund(request, refund, id) {
    calls.push(`refund ${request.id} ${refund.id} ${refund.amount}`);
    return refundAnswer ?? sandbox.refund(request, refund, id);
  },
};

let t: TestGateway;
beforeAll(async () => { t = await startGateway({ connector: recording }); });
afterAll(async () => t.close());

const create = (extra: Record<string, unknown> = {}) => t.api('POST', '/v1/payment-requests', { body: createBody(t, { allowConcurrent: true, ...extra }) });
const pay = (id: string) => t.api('POST', `/v1/sandbox/payment-requests/${id}/pay`, { body: { outcome: 'approve', method: 'wallet' } });

describe('the connector decides', () => {
  it('an approval counts only once the channel authorizes it; a declined authorization fails the request', async () => {
    const { body: ok } = await create();
    expect((await pay(ok.id)).body.status).toBe('succeeded');
    expect(calls).toContain(`authorize ${ok.id} 1500 wallet`);
    decline = true;
    const { body: refused } = await create();
    expect((await pay(refused.id)).body).toMatchObject({ status: 'failed', statusReason: 'declined', amountReceived: 0 });
    decline = false;
  });

  it('an approval above what is owed asks the channel for what is owed: the channel takes what the request records as taken', async () => {
    const { body: over } = await create();
    calls.length = 0;
    const paid = await t.api('POST', `/v1/sandbox/payment-requests/${over.id}/pay`, { body: { outcome: 'approve', method: 'wallet', amount: 2000 } });
    expect(paid.body).toMatchObject({ status: 'succeeded', amountReceived: 2000, amountCaptured: 1500, overpaid: true });
    expect(calls).toEqual([`authorize ${over.id} 1500 wallet`]);
    // after a part payment, the rest of what is owed, not the rest of the offer
    const { body: parts } = await create({ partialAllowed: true });
    calls.length = 0;
    await t.api('POST', `/v1/sandbox/payment-requests/${parts.id}/pay`, { body: { outcome: 'approve', method: 'wallet', amount: 1000 } });
    const rest = await t.api('POST', `/v1/sandbox/payment-requests/${parts.id}/pay`, { body: { outcome: 'approve', method: 'wallet', amount: 700 } });
    expect(rest.body).toMatchObject({ status: 'succeeded', amountReceived: 1700, amountCaptured: 1500, overpaid: true });
    expect(calls).toEqual([`authorize ${parts.id} 1000 wallet`, `authorize ${parts.id} 500 wallet`]);
  });

  it('capture asks the channel; a refused capture leaves the authorization as it was', async () => {
    const { body: pr } = await create({ captureMode: 'manual' });
    await pay(pr.id);
    failCapture = true;
    const refused = await t.api('POST', `/v1/payment-requests/${pr.id}/capture`, { body: { amount: 1000 } });
    expect([refused.status, refused.body.code]).toEqual([409, 'invalid_state']);
    expect((await t.api('GET', `/v1/payment-requests/${pr.id}`)).body).toMatchObject({ status: 'authorized', amountCaptured: 0 });
    failCapture = false;
    expect((await t.api('POST', `/v1/payment-requests/${pr.id}/capture`, { body: { amount: 1000 } })).body.amountCaptured).toBe(1000);
    expect(calls.filter((c) => c === `capture ${pr.id} 1000`)).toHaveLength(2);
  });

  it('an authorization that is cancelled or expires is released on the channel', async () => {
    const { body: cancelled } = await create({ captureMode: 'manual' });
    await pay(cancelled.id);
    await t.api('POST', `/v1/payment-requests/${cancelled.id}/cancel`);
    expect(calls).toContain(`release ${cancelled.id}`);
    const { body: expiring } = await create({ captureMode: 'manual' });
    await pay(expiring.id);
    await t.api('POST', '/v1/sandbox/clock/advance', { body: { seconds: 7 * 24 * 3600 } });
    expect((await t.api('GET', `/v1/payment-requests/${expiring.id}`)).body.status).toBe('expired');
    expect(calls).toContain(`release ${expiring.id}`);
  });

  it('a manual refund is sent to the channel when it is captured, not before, and only then counts as refunded', async () => {
    const { body: pr } = await create();
    expect((await pay(pr.id)).body.status).toBe('succeeded');
    const made = await t.api('POST', `/v1/payment-requests/${pr.id}/refunds`, { body: { amount: 500, reference: 'manual-1', captureMode: 'manual' } });
    expect([made.status, made.body.status]).toEqual([201, 'requires_capture']);
    expect(calls.filter((c) => c.startsWith(`refund ${pr.id}`))).toEqual([]);
    const captured = await t.api('POST', `/v1/refunds/${made.body.id}/capture`);
    expect([captured.status, captured.body.status]).toEqual([200, 'succeeded']);
    expect(calls.filter((c) => c.startsWith(`refund ${pr.id}`))).toEqual([`refund ${pr.id} ${made.body.id} 500`]);
    expect((await t.api('GET', `/v1/payment-requests/${pr.id}`)).body).toMatchObject({ amountRefunded: 500, refundStatus: 'partial' });
  });

  it('a manual refund whose capture the channel refuses fails, and its amount is refundable again', async () => {
    const { body: pr } = await create();
    await pay(pr.id);
    const made = await t.api('POST', `/v1/payment-requests/${pr.id}/refunds`, { body: { amount: 1500, reference: 'manual-2', captureMode: 'manual' } });
    expect(made.body.status).toBe('requires_capture');
    refundAnswer = 'failed';
    try {
      const captured = await t.api('POST', `/v1/refunds/${made.body.id}/capture`);
      expect(captured.body.status).toBe('failed');
    } finally {
      refundAnswer = null;
    }
    expect(calls.filter((c) => c.startsWith(`refund ${pr.id}`))).toHaveLength(1);
    expect((await t.api('GET', `/v1/payment-requests/${pr.id}`)).body).toMatchObject({ amountRefunded: 0, refundStatus: 'none' });
    const again = await t.api('POST', `/v1/payment-requests/${pr.id}/refunds`, { body: { amount: 1500, reference: 'manual-2b' } });
    expect([again.status, again.body.status]).toEqual([201, 'succeeded']);
  });

  it('a manual refund the channel answers pending on capture is pending until the channel settles it', async () => {
    const { body: pr } = await create();
    await pay(pr.id);
    const made = await t.api('POST', `/v1/payment-requests/${pr.id}/refunds`, { body: { amount: 700, reference: 'manual-3', captureMode: 'manual' } });
    refundAnswer = 'pending';
    try {
      const captured = await t.api('POST', `/v1/refunds/${made.body.id}/capture`);
      expect([captured.status, captured.body.status]).toEqual([200, 'pending']);
    } finally {
      refundAnswer = null;
    }
    expect((await t.api('GET', `/v1/payment-requests/${pr.id}`)).body).toMatchObject({ amountRefunded: 0, refundStatus: 'none' });
    // still reserved while the channel sends it: no more than the rest may be refunded meanwhile
    const more = await t.api('POST', `/v1/payment-requests/${pr.id}/refunds`, { body: { amount: 801, reference: 'manual-3b' } });
    expect([more.status, more.body.code]).toEqual([400, 'amount_exceeds_refundable']);
  });
});
