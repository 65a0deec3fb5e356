// The merchant's dashboard in chromium: a wrong password does not sign in; the owner signs in,
// sees a new request arrive live, filters the list, opens a request, refunds part of it (confirmed),
// sees the refund on the timeline and in the audit log, and downloads the settlement CSV whose sums
// equal the API's.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createBody } from '../harness.js';
import { browserSuite, foreignRequests, screenshot, waitForText, waitVisible } from './browser.js';

const s = browserSuite();
const DESKTOP = { width: 1280, height: 900 };

async function paid(amount: number, reference: string) {
  const { t } = s;
  const created = (await t.api('POST', '/v1/payment-requests', { key: t.terminalKey, body: createBody(t, { amount, reference, allowConcurrent: true }) })).body;
  const pay = await t.api('POST', `/v1/sandbox/payment-requests/${created.id}/pay`, { body: { outcome: 'approve', method: 'card' } });
  expect(pay.body.status).toBe('succeeded');
  return pay.body;
}

describe('dashboard', () => {
  it('signs in, filters, refunds part of a request, sees it on the timeline and in the audit log, and downloads a CSV that sums as the API does', async () => {
    const { t } = s;
    const owner = t.gateway.demo.dashboard!;
    const target = await paid(4200, 'TABLE-7');
    await paid(1300, 'TABLE-8');

    const { page, requests, errors } = await s.open(`${t.url}/`, DESKTOP);
    await page.waitForURL(/\/dashboard\/login/);

    // a wrong password does not sign in
    await page.fill('#email', owner.email);
    await page.fill('#password', 'certainly not the password');
    await page.click('button[type=submit]');
    await waitForText(page, '.error-box', /do not match an account/);
    expect(page.url()).toContain('/dashboard/login');

    await page.fill('#password', owner.password);
    await page.click('button[type=submit]');
    await waitForText(page, 'h1', /Demo merchant/);
    expect(await page.locator('svg[role=img]').count()).toBeGreaterThan(0);
    await screenshot(page, 'dashboard-overview');

    // the list: a request made meanwhile is announced live
    await page.click('nav >> text=Payments');
    await waitForText(page, '#live-status', /Live/);
    await t.api('POST', '/v1/payment-requests', { key: t.terminalKey, body: createBody(t, { amount: 999, allowConcurrent: true }) });
    await waitForText(page, '#live-status', /1 new payment request/);

    // filter by the reference, open the one result
    await page.fill('#f-q', 'TABLE-7');
    await page.click('form.filters button[type=submit]');
    await page.waitForURL(/q=TABLE-7/);
    expect(await page.locator('#requests tbody tr').count()).toBe(1);
    await page.click(`#requests a[href="/dashboard/payment-requests/${target.id}"]`);
    await waitForText(page, 'h1', /NZD 42\.00/);

    // refund part of it: confirmed on a page of its own
    await page.fill('#refund-amount', '12.50');
    await page.fill('#refund-reason', 'one dish sent back');
    await page.click('form[aria-label=Refund] button[type=submit]');
    await waitForText(page, 'p.lead', /Refund NZD 12\.50 of payment request/);
    await page.click('button.primary:has-text("Yes, refund")');
    await waitForText(page, '.flash', /Done: refund/);
    await waitForText(page, '#timeline', /refund\.succeeded/);
    await waitForText(page, '#refunds', /NZD 12\.50/);
    await waitForText(page, '#audit', /payment_request\.refund/);
    await screenshot(page, 'dashboard-request');
    const refunds = (await t.api('GET', `/v1/payment-requests/${target.id}/refunds`)).body.data;
    expect(refunds.map((r: any) => r.amount)).toEqual([1250]);

    // the audit log page names who did it
    await page.click('nav >> text=Audit log');
    await waitForText(page, '#audit-log', new RegExp(`${owner.email}.*payment_request\\.refund`, 's'));

    // the report and its CSV: the CSV's sums are the API's totals
    await page.click('nav >> text=Reports');
    await waitVisible(page, '#report');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#csv')]);
    const csv = readFileSync((await download.path())!, 'utf8');
    const [header, ...lines] = csv.trimEnd().split('\r\n');
    expect(header).toBe('date,currency,channel,terminalId,count,gross,refunded,net');
    const from = new URL(page.url()).searchParams.get('from') ?? (await page.inputValue('#r-from'));
    const to = await page.inputValue('#r-to');
    const api = (await t.api('GET', `/v1/reports/settlement?from=${from}&to=${to}`)).body;
    const cents = (text: string) => Number(text.replace('.', ''));
    const column = (name: string) => lines.reduce((sum, line) => sum + cents(line.split(',')[header!.split(',').indexOf(name)]!), 0);
    const nzd = api.totals.find((x: any) => x.currency === 'NZD');
    expect(nzd).toMatchObject({ count: 2, gross: 5500, refunded: 1250, net: 4250 });
    expect(column('gross')).toBe(nzd.gross);
    expect(column('refunded')).toBe(nzd.refunded);
    expect(column('net')).toBe(nzd.net);

    expect(foreignRequests(requests, t.url)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('a viewer sees a request but no refund form', async () => {
    const { t } = s;
    const target = await paid(800, 'VIEW-1');
    const { inTransaction } = await import('../../src/app/unit-of-work.js');
    const { createUser, newPassword } = await import('../../src/app/use-cases/users.js');
    const password = await newPassword('viewer password 1');
    await inTransaction(t.gateway.app, (unit) => createUser(unit, { merchantId: t.gateway.demo.merchantId, email: 'viewer@example.com', role: 'viewer', password }));
    const { page } = await s.open(`${t.url}/dashboard/payment-requests/${target.id}`, DESKTOP);
    await page.waitForURL(/\/dashboard\/login\?next=/);
    await page.fill('#email', 'viewer@example.com');
    await page.fill('#password', 'viewer password 1');
    await page.click('button[type=submit]');
    // back where it was going, after signing in
    await waitForText(page, 'h1', /NZD 8\.00/);
    await waitForText(page, 'section[aria-labelledby=h-actions]', /reads only/);
    expect(await page.locator('form[aria-label=Refund]').count()).toBe(0);
  });
});
