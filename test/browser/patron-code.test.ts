// Patron codes end to end: a sandbox patron's page shows a code; the POS "scans" it (passes it as
// patronCode); the request appears on the patron's page, the patron approves, the POS sees succeeded.
import { describe, expect, it } from 'vitest';
import { createBody } from '../harness.js';
import { browserSuite, foreignRequests, markerKept, screenshot, setMarker, waitForFinal, waitVisible } from './browser.js';

const s = browserSuite();

describe('patron code', () => {
  it('the POS creates a request with the code on the patron page; the patron approves it there', async () => {
    const { t } = s;
    const patron = await t.api('POST', '/v1/sandbox/patrons', { body: { name: 'Aroha' } });
    expect(patron.status).toBe(201);
    expect(patron.body.pageUrl).toBe(`${t.url}/patron/${patron.body.id}`);

    const { page, requests, errors } = await s.open(patron.body.pageUrl);
    await setMarker(page);
    await waitVisible(page, '[data-testid=patron-code]');
    const code = (await page.locator('[data-testid=patron-code]').innerText()).trim();
    expect(code).not.toBe('');
    await waitVisible(page, '[data-testid=patron-qr]');
    await waitVisible(page, '[data-testid=patron-barcode]');

    const created = await t.api('POST', '/v1/payment-requests', { body: createBody(t, { amount: 1999, patronCode: code }) });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const pr = created.body;
    expect(pr.status).toBe('pending');
    const pos = waitForFinal(t, pr.id);

    // pushed to the patron: it appears on the open page without a reload
    const item = page.locator('[data-testid=request]').filter({ has: page.locator('button[data-action=approve]') }).first();
    await item.waitFor({ state: 'visible', timeout: 15_000 });
    expect(await item.innerText()).toContain('19.99');
    await screenshot(page, 'patron-code');
    await item.locator('button[data-action=approve]').click();

    expect(await pos).toMatchObject({ id: pr.id, status: 'succeeded', amountReceived: 1999 });
    // a code is single-use: the one just used is refused
    const reuse = await t.api('POST', '/v1/payment-requests', { body: createBody(t, { amount: 500, patronCode: code, allowConcurrent: true }) });
    expect([reuse.status, reuse.body.code]).toEqual([400, 'patron_code_invalid']);

    expect(await markerKept(page), 'the patron page was reloaded or navigated away').toBe(true);
    expect(foreignRequests(requests, t.url)).toEqual([]);
    expect(errors).toEqual([]);
  });
});
