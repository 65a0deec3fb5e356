// Modes and terminals are separate worlds: nothing of one leaks into or blocks the other.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startGateway, type TestGateway } from '../harness.js';

let t: TestGateway;
let liveKey: string;
let otherTerminal: { id: string; key: string };
beforeAll(async () => {
  t = await startGateway();
  const merchantId = t.gateway.demo.merchantId;
  liveKey = (await t.api('POST', `/admin/v1/merchants/${merchantId}/keys`, { key: ADMIN_TOKEN, body: { mode: 'live' } })).body.secretKey;
  const terminal = (await t.api('POST', '/v1/terminals', { body: { name: 'till-2' } })).body;
  otherTerminal = { id: terminal.id, key: (await t.api('POST', `/v1/terminals/${terminal.id}/keys`, { body: {} })).body.terminalKey };
});
afterAll(async () => t.close());

describe('modes', () => {
  it('a test-mode request in progress does not block a live sale on the same terminal', async () => {
    const test = await t.api('POST', '/v1/payment-requests', { body: { amount: 100, currency: 'NZD', terminalId: t.terminalId } });
    const live = await t.api('POST', '/v1/payment-requests', { key: liveKey, body: { amount: 100, currency: 'NZD', terminalId: t.terminalId } });
    expect(live.status).toBe(201);
    expect(live.body.livemode).toBe(true);
    expect(JSON.stringify(live.body)).not.toContain(test.body.id);
    await t.api('POST', `/v1/payment-requests/${live.body.id}/cancel`, { key: liveKey });
    await t.api('POST', `/v1/payment-requests/${test.body.id}/cancel`);
  });

  it('a sandbox check-in never engages a live request', async () => {
    await t.api('POST', `/v1/sandbox/terminals/${t.terminalId}/check-in`, { body: {} });
    const live = await t.api('POST', '/v1/payment-requests', { key: liveKey, body: { amount: 100, currency: 'NZD', terminalId: t.terminalId } });
    expect(live.body.status).toBe('created');
    await t.api('POST', `/v1/payment-requests/${live.body.id}/cancel`, { key: liveKey });
  });

  it("live mode refuses a request webhookUrl on a private address; test mode allows it for local development", async () => {
    const body = { amount: 100, currency: 'NZD', terminalId: t.terminalId, allowConcurrent: true };
    for (const url of ['http://127.0.0.1:9/hook', 'http://169.254.169.254/latest', 'http://[::1]/hook', 'http://10.1.2.3/hook']) {
      const refused = await t.api('POST', '/v1/payment-requests', { key: liveKey, body: { ...body, webhookUrl: url } });
      expect([refused.status, refused.body.code, refused.body.param]).toEqual([400, 'parameter_invalid', 'webhookUrl']);
    }
    const test = await t.api('POST', '/v1/payment-requests', { body: { ...body, webhookUrl: 'http://127.0.0.1:9/hook' } });
    expect(test.status).toBe(201);
  });

  it('a test key cannot revoke a live key', async () => {
    const liveTerminalKey = await t.api('POST', `/admin/v1/terminals/${t.terminalId}/keys`, { key: ADMIN_TOKEN, body: { mode: 'live' } });
    const revoke = await t.api('DELETE', `/v1/terminals/${t.terminalId}/keys/${liveTerminalKey.body.id}`);
    expect([revoke.status, revoke.body.code]).toEqual([404, 'not_found']);
    expect((await t.api('GET', '/v1/terminals', { key: liveTerminalKey.body.terminalKey })).status).toBe(200);
  });
});

describe('terminals', () => {
  it("a terminal key never gets another terminal's request through a shared reference", async () => {
    const body = { amount: 700, currency: 'NZD', reference: 'shared-ref', allowConcurrent: true };
    const mine = await t.api('POST', '/v1/payment-requests', { key: t.terminalKey, body });
    expect(mine.status).toBe(201);
    const theirs = await t.api('POST', '/v1/payment-requests', { key: otherTerminal.key, body });
    expect([theirs.status, theirs.body.code]).toEqual([409, 'duplicate_reference']);
    expect(JSON.stringify(theirs.body)).not.toContain(mine.body.id);
  });
});
