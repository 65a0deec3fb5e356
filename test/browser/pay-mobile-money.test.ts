// A POS creates a request; the patron opens its payUrl in chromium and pays by mobile money; the
// POS's long-poll answers succeeded, and the page shows "Paid" without a reload.
import { describe, expect, it } from 'vitest';
import { createBody } from '../harness.js';
import { browserSuite, foreignRequests, markerKept, screenshot, setMarker, waitForFinal, waitForText, waitVisible } from './browser.js';

const s = browserSuite();

describe('pay page: mobile money', () => {
  it('the patron picks mobile money, sends the prompt and approves; the POS long-poll returns succeeded', async () => {
    const { t } = s;
    const lineItems = [
      { name: 'Jollof rice', quantity: 2, unitAmount: 3500 },
      { name: 'Sobolo', quantity: 1, unitAmount: 1500 },
    ];
    const created = await t.api('POST', '/v1/payment-requests', { body: createBody(t, { amount: 8500, currency: 'GHS', lineItems, description: 'Table 4' }) });
    expect(created.status).toBe(201);
    const pr = created.body;
    expect(pr.payUrl).toBe(`${t.url}/pay/${pr.id}`);

    // the POS waits for the outcome while the patron pays
    const pos = waitForFinal(t, pr.id);

    const { page, requests, errors } = await s.open(pr.payUrl);
    await setMarker(page);
    expect((await page.locator('h1').innerText()).trim()).toBe('Demo merchant');
    expect(await page.locator('[data-testid=amount]').innerText()).toContain('85.00');
    await waitForText(page, '[data-testid=status]', /Waiting for payment/);
    expect((await page.locator('[data-testid=time-left]').innerText()).trim()).not.toBe('');
    const items = await page.locator('[data-testid=line-items] li').allInnerTexts();
    expect(items).toHaveLength(2);
    expect(items[0]).toContain('Jollof rice');
    expect(items[1]).toContain('Sobolo');
    for (const channel of ['card', 'mobile_money', 'bank_transfer', 'wallet', 'crypto']) {
      expect(await page.locator(`button[data-channel="${channel}"]`).count(), `a button for ${channel}`).toBe(1);
    }

    await page.locator('button[data-channel="mobile_money"]').click();
    await waitVisible(page, 'select#provider');
    const providers = await page.locator('select#provider option').evaluateAll((options: any[]) => options.map((o) => String(o.value)));
    expect(providers).toEqual(expect.arrayContaining(['MTN', 'VODAFONE', 'AIRTELTIGO']));
    await page.locator('select#provider').selectOption('VODAFONE');
    await page.locator('input#phone').fill('+233 24 123 4567');
    await page.locator('#send-prompt').click();

    // the prompt is recorded on the request before the patron approves
    await expect.poll(async () => (await t.api('GET', `/v1/payment-requests/${pr.id}`)).body.paymentMethodDetails, { timeout: 15_000 })
      .toMatchObject({ channel: 'mobile_money', provider: 'VODAFONE', phone: '+233241234567' });

    await page.locator('button#approve').click();
    const final = await pos;
    expect(final).toMatchObject({ id: pr.id, status: 'succeeded', amountReceived: 8500, paymentMethod: 'mobile_money' });

    await waitForText(page, '[data-testid=status]', /Paid/);
    expect(await markerKept(page), 'the page was reloaded or navigated away').toBe(true);
    await screenshot(page, 'pay-mobile-money');
    expect(foreignRequests(requests, t.url)).toEqual([]);
    expect(errors).toEqual([]);
  });
});
