// The customer-facing display at the till: idle with the terminal's check-in QR, then the active
// request's amount and QR, then paid: all without a reload.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createBody } from '../harness.js';
import { browserSuite, decodeQr, DISPLAY, foreignRequests, markerKept, screenshot, setMarker, waitVisible } from './browser.js';

const s = browserSuite();

const state = (page: Page) => page.locator('[data-testid=display-state]').getAttribute('data-state');

describe('customer display', () => {
  it('flips from idle to the request and its QR to paid, without navigating', async () => {
    const { t } = s;
    const { page, requests, errors } = await s.open(`${t.url}/display/${t.terminalId}?token=${encodeURIComponent(t.gateway.demo.displayToken!)}`, DISPLAY);
    await setMarker(page);

    await waitVisible(page, '[data-testid=display-state][data-state=idle]');
    await waitVisible(page, '[data-testid=checkin-qr]');
    const terminal = await t.api('GET', `/v1/terminals/${t.terminalId}`, { key: t.terminalKey });
    expect(terminal.body.checkInUrl).toBe(`${t.url}/check-in/${t.terminalId}`);
    expect(await decodeQr(page, '[data-testid=checkin-qr]')).toBe(terminal.body.checkInUrl);
    await screenshot(page, 'display-idle');

    const created = await t.api('POST', '/v1/payment-requests', { body: createBody(t, { amount: 4250 }) });
    expect(created.status).toBe(201);
    const pr = created.body;

    await waitVisible(page, '[data-testid=display-state][data-state=active]');
    expect(await page.locator('[data-testid=amount]').innerText()).toContain('42.50');
    await waitVisible(page, '[data-testid=pay-qr]');
    expect(await decodeQr(page, '[data-testid=pay-qr]')).toBe(pr.payUrl);
    await screenshot(page, 'display-active');

    const paid = await t.api('POST', `/v1/sandbox/payment-requests/${pr.id}/pay`, { body: { outcome: 'approve' } });
    expect(paid.body.status).toBe('succeeded');
    await waitVisible(page, '[data-testid=display-state][data-state=paid]');
    expect(await state(page)).toBe('paid');
    await screenshot(page, 'display-paid');

    expect(await markerKept(page), 'the display was reloaded or navigated away').toBe(true);
    expect(foreignRequests(requests, t.url)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('fits an 800×600 screen: nothing of the active request is cut off (a display cannot be scrolled)', async () => {
    const { t } = s;
    const { page } = await s.open(`${t.url}/display/${t.terminalId}?token=${encodeURIComponent(t.gateway.demo.displayToken!)}`, DISPLAY);
    const created = await t.api('POST', '/v1/payment-requests', { body: createBody(t, { amount: 123456, allowConcurrent: true }) });
    expect(created.status).toBe(201);
    await waitVisible(page, '[data-testid=display-state][data-state=active]');
    await waitVisible(page, '[data-testid=pay-qr]');
    const size = await page.evaluate(() => {
      const doc = (globalThis as any).document.documentElement;
      return { content: Number(doc.scrollHeight), screen: Number((globalThis as any).innerHeight) };
    });
    await screenshot(page, 'display-fit');
    expect(size.content, `the active display is ${size.content} px tall on a ${size.screen} px screen`).toBeLessThanOrEqual(size.screen);
    for (const selector of ['[data-testid=amount]', '[data-testid=pay-qr]']) {
      const box = await page.locator(selector).first().boundingBox();
      expect(box, `${selector} is not laid out`).not.toBeNull();
      const { x, y, width, height } = box!;
      expect({ selector, inside: x >= 0 && y >= 0 && x + width <= DISPLAY.width + 0.5 && y + height <= DISPLAY.height + 0.5 }).toEqual({ selector, inside: true });
    }
    await t.api('POST', `/v1/payment-requests/${created.body.id}/cancel`, { body: {} });
  });

  it('refuses a display without its display token', async () => {
    const { t } = s;
    const res = await fetch(`${t.url}/display/${t.terminalId}?token=dt_test_wrong`);
    expect([401, 403, 404]).toContain(res.status);
  });
});
