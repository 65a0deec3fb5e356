// Every money movement goes through the Connector: its answers decide, and it is told of releases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connector } from '../../src/app/ports/connector.js';
import { createSandboxConnector } from '../../src/connectors/sandbox/connector.js';
import { createBody, startGateway, type TestGateway } from '../harness.js';

const calls: string[] = [];
let decline = false;
let failCapture = false;
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
  refund: (request, refund, id) => sandbox.refund(request, refund, id),
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
});
