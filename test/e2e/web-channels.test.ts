// What the pay page offers and tells the patron always matches what is still owed, and nobody
// at the till can take a request that is already with another patron.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBody, startGateway, type TestGateway } from '../harness.js';

let t: TestGateway;
beforeAll(async () => { t = await startGateway(); });
afterAll(async () => t.close());

const pub = (method: string, path: string, body?: unknown) => t.api(method, path, { key: null, body });
const create = (extra: Record<string, unknown> = {}) => t.api('POST', '/v1/payment-requests', { body: createBody(t, { allowConcurrent: true, ...extra }) });

describe('pay page channels', () => {
  it('after a partial payment the instructions describe the remainder', async () => {
    const { body: pr } = await create({ amount: 1000, currency: 'USD', partialAllowed: true });
    const chosen = await pub('POST', `/pay/${pr.id}/method`, { channel: 'bank_transfer' });
    expect(chosen.body.paymentMethodDetails).toMatchObject({ amount: 1000 });
    await pub('POST', `/pay/${pr.id}/decision`, { outcome: 'approve', amount: 333 });
    const state = await pub('GET', `/pay/${pr.id}/state`);
    expect(state.body).toMatchObject({ remaining: 667, paymentMethodDetails: { amount: 667 } });
  });

  it('a crypto quote that has run out is replaced when the page reads the state', async () => {
    const { body: pr } = await create({ amount: 2000, currency: 'USD', expiresInSeconds: 3600 });
    const first = (await pub('POST', `/pay/${pr.id}/method`, { channel: 'crypto', network: 'onchain' })).body.paymentMethodDetails;
    await t.api('POST', '/v1/sandbox/clock/advance', { body: { seconds: 15 * 60 } });
    const fresh = (await pub('GET', `/pay/${pr.id}/state`)).body.paymentMethodDetails;
    expect(fresh.address).not.toBe(first.address);
    expect(Number(fresh.expiresAt)).toBeGreaterThan(Number(first.expiresAt));
    expect((await pub('POST', `/pay/${pr.id}/decision`, { outcome: 'approve' })).body.status).toBe('succeeded');
  });

  it('Bitcoin is offered only where the sandbox has a rate for the currency', async () => {
    const { body: pr } = await create({ amount: 1500, currency: 'KWD' });
    const state = await pub('GET', `/pay/${pr.id}/state`);
    expect(state.body.allowedMethods).not.toContain('crypto');
    const refused = await pub('POST', `/pay/${pr.id}/method`, { channel: 'crypto' });
    expect([refused.status, refused.body.code]).toEqual([400, 'method_not_allowed']);
  });
});

describe('check-in', () => {
  it('a second patron checking in does not take a request already with the first', async () => {
    const terminal = (await t.api('POST', '/v1/terminals', { body: { name: 'till-steal' } })).body;
    const pr = await t.api('POST', '/v1/payment-requests', { body: { amount: 500, currency: 'NZD', terminalId: terminal.id } });
    const first = await pub('POST', `/check-in/${terminal.id}`, {});
    expect(first.status).toBeLessThan(300);
    const second = await pub('POST', `/check-in/${terminal.id}`, {});
    expect(second.status).toBeLessThan(300);
    const request = (await t.api('GET', `/v1/payment-requests/${pr.body.id}`)).body;
    expect(request.status).toBe('pending');
    const firstPatron = first.body.patronId;
    const firstPage = await pub('GET', `/patron/${firstPatron}/state`);
    expect(JSON.stringify(firstPage.body)).toContain(request.id);
    const secondPage = await pub('GET', `/patron/${second.body.patronId}/state`);
    expect(JSON.stringify(secondPage.body)).not.toContain(request.id);
  });
});
