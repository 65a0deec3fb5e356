// What a POS developer met in the first hour, in the native API: a validation failure names every
// bad field (errors); an endpoint whose format is signed with posgate's own key (a dialect's
// webhookSigning) is given no whsec_ secret it would never use, and has none to rotate.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../src/dialects/registry.js';
import { startGateway, type TestGateway } from '../harness.js';

let t: TestGateway;
beforeAll(async () => { t = await startGateway(); });
afterAll(async () => t.close());

describe('validation errors', () => {
  it('name every bad field, as a list in the problem body (the first is code and param)', async () => {
    const res = await t.api('POST', '/v1/payment-requests', { body: { amount: -1, currency: 'xx', terminalId: 5, colour: 'red' } });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ code: 'amount_invalid', param: 'amount' });
    expect(res.body.errors.map((e: { param: string }) => e.param)).toEqual(['amount', 'currency', 'terminalId', 'colour']);
    expect(res.body.errors.map((e: { code: string }) => e.code)).toEqual(['amount_invalid', 'currency_invalid', 'parameter_invalid', 'unknown_field']);
    for (const e of res.body.errors) expect(e.detail).toContain(e.param);
    expect(res.body.detail).toContain('4 fields are invalid');
  });

  it('one bad field: the list holds it alone', async () => {
    const res = await t.api('POST', '/v1/payment-requests', { body: { amount: 100, currency: 'NZD', terminalId: t.terminalId, colour: 'red' } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'unknown_field', param: 'colour', errors: [{ code: 'unknown_field', param: 'colour', detail: 'Unknown field colour.' }] });
    expect(res.body.detail).toBe('Unknown field colour.');
  });
});

describe('webhook endpoints of each format', () => {
  const formats = DIALECTS.filter((dialect) => dialect.webhook);
  it.each(formats.map((dialect) => [dialect.name, dialect.webhookSigning ?? 'endpoint-secret'] as const))('%s (%s): a secret only when the format signs with it', async (format, signing) => {
    const created = await t.api('POST', '/v1/webhook-endpoints', { body: { url: 'http://127.0.0.1:9/hooks', format } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const rotated = await t.api('POST', `/v1/webhook-endpoints/${created.body.id}/rotate-secret`);
    if (signing === 'gateway-key') {
      expect(created.body).not.toHaveProperty('secret');
      expect(JSON.stringify(created.body)).not.toContain('whsec_');
      expect(rotated.status).toBe(409);
      expect(rotated.body.code).toBe('invalid_state');
    } else {
      expect(created.body.secret).toMatch(/^whsec_/);
      expect(rotated.status).toBe(200);
      expect(rotated.body.secret).toMatch(/^whsec_/);
    }
    await t.api('DELETE', `/v1/webhook-endpoints/${created.body.id}`);
  });

  it('at least one registered format is signed with posgate\'s own key, and the native one with the secret', () => {
    expect(formats.some((dialect) => dialect.webhookSigning === 'gateway-key')).toBe(true);
    expect(formats.find((dialect) => dialect.prefix === '')?.webhookSigning ?? 'endpoint-secret').toBe('endpoint-secret');
  });
});
