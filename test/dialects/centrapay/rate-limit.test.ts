// Centrapay dialect: the per-merchant rate limit (docs/dialects/centrapay.md "Rate limit"):
// CENTRAPAY_RATE_LIMIT_PER_MINUTE calls per merchant account per minute, counted on the Clock; off in
// test mode unless CENTRAPAY_RATE_LIMIT_IN_TEST=true.
import { describe, expect, it } from 'vitest';
import type { TestGateway } from '../../harness.js';
import { advance, Centrapay, clockNow, expectOk, expectRefused, otherMerchant, rowCounts, useGateway } from './client.js';

describe('rate limit on (5 per minute, in test mode too)', () => {
  let t: TestGateway;
  let cp: Centrapay;
  useGateway((gateway, client) => { t = gateway; cp = client; }, { env: { CENTRAPAY_RATE_LIMIT_PER_MINUTE: '5', CENTRAPAY_RATE_LIMIT_IN_TEST: 'true' } });

  it('the 6th call within a minute is 429 RATE_LIMIT_EXCEEDED with Retry-After; another merchant is not held back; after 60 s calls work again', async () => {
    // the windows are the clock's minutes: start at the beginning of one, so that the calls below
    // cannot straddle two (they did, now and then, on the real clock)
    await advance(t, 60 - Math.floor(((await clockNow(t)) % 60_000) / 1000));
    const pr = await cp.createOk(); // 1
    for (let i = 2; i <= 5; i += 1) expectOk(await cp.get(pr.id));
    const limited = await cp.get(pr.id); // 6
    expectRefused(limited, 429, 'RATE_LIMIT_EXCEEDED');
    const retryAfter = limited.headers.get('retry-after');
    expect(retryAfter).toMatch(/^\d+$/);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(retryAfter)).toBeLessThanOrEqual(60);
    // a limited create writes nothing
    const before = await rowCounts(t);
    expectRefused(await cp.create(), 429, 'RATE_LIMIT_EXCEEDED');
    expect(await rowCounts(t)).toEqual(before);
    // the limit is per merchant account
    const set = await otherMerchant(t, 'Busy Ltd');
    expectOk(await new Centrapay(t, set.apiKey, set).create());
    // the native API is not the dialect's limit
    expect((await t.api('GET', '/v1/payment-requests')).status).toBe(200);

    await advance(t, 60);
    expectOk(await cp.get(pr.id));
    expectOk(await cp.create());
  });
});

describe('rate limit in test mode by default', () => {
  let cp: Centrapay;
  useGateway((_gateway, client) => { cp = client; });

  it('is off: 250 calls within a minute all answer', async () => {
    const pr = await cp.createOk();
    const statuses: number[] = [];
    for (let batch = 0; batch < 25; batch += 1) {
      const answers = await Promise.all(Array.from({ length: 10 }, () => cp.get(pr.id)));
      statuses.push(...answers.map((a) => a.status));
    }
    expect(statuses).toHaveLength(250);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  });
});
