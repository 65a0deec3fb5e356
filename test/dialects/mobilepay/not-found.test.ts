// A payment MobilePay cannot find is named by the paymentId the caller sent (a GUID it knows), never
// by posgate's internal pr_ id.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../../harness.js';
import { demoCredentials, PREFIX, query } from './client.js';

let t: TestGateway;
beforeAll(async () => { t = await startGateway(); });
afterAll(async () => t.close());

describe('MobilePay: an unknown payment', () => {
  it.each(['payment/status', 'payment/details', 'payment/cancel', 'payment/capture'])('%s names the paymentId the caller sent', async (path) => {
    const { bioCode, accessToken } = demoCredentials(t);
    const paymentId = '0f6c1c5e-1111-4222-8333-944445555666';
    const res = await fetch(`${t.url}${PREFIX}${path}${query({ bioCode, accessToken, paymentId, amount: '1.00' })}`);
    const body = (await res.json()) as { success: boolean; errors: string[] };
    expect(res.status).toBe(404);
    expect(body.success).toBe(false);
    expect(body.errors.join(' ')).toContain(paymentId);
    expect(body.errors.join(' ')).not.toMatch(/pr_[0-9A-Za-z]/);
  });
});
