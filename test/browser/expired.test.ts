// The pay page notices expiry on its own: the test clock passes expiresAt and the open page says so.
import { describe, expect, it } from 'vitest';
import { createBody } from '../harness.js';
import { browserSuite, foreignRequests, markerKept, screenshot, setMarker, waitForText } from './browser.js';

const s = browserSuite();

describe('pay page: expiry', () => {
  it('shows "Expired" once the test clock passes expiresAt, without a reload', async () => {
    const { t } = s;
    const created = await t.api('POST', '/v1/payment-requests', { body: createBody(t, { amount: 1200, expiresInSeconds: 60 }) });
    expect(created.status).toBe(201);
    const pr = created.body;

    const { page, requests, errors } = await s.open(pr.payUrl);
    await setMarker(page);
    await waitForText(page, '[data-testid=status]', /Waiting for payment/);

    const advanced = await t.api('POST', '/v1/sandbox/clock/advance', { body: { seconds: 61 } });
    expect(advanced.status).toBeLessThan(300);
    expect((await t.api('GET', `/v1/payment-requests/${pr.id}`)).body.status).toBe('expired');

    await waitForText(page, '[data-testid=status]', /Expired/, 20_000);
    expect(await page.locator('button#approve:enabled').filter({ visible: true }).count(), 'an expired request cannot be approved').toBe(0);
    expect(await markerKept(page), 'the page was reloaded or navigated away').toBe(true);
    await screenshot(page, 'expired');
    expect(foreignRequests(requests, t.url)).toEqual([]);
    expect(errors).toEqual([]);
  });
});
