// Makes the README's screenshots: docs/screenshots/pay-page.png (a phone) and display.png (the
// customer display at a till), dashboard-overview.png and dashboard-request.png. Not part of the test run:  npx tsx test/browser/make-screenshots.ts
// Uses pngquant to shrink them when it is installed (apt-get install pngquant).
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { createBody, startGateway } from '../harness.js';
import { DISPLAY, launchBrowser, PHONE } from './browser.js';

const OUT = join(resolve(dirname(fileURLToPath(import.meta.url)), '../..'), 'docs/screenshots');

async function shoot(browser: Browser, url: string, viewport: { width: number; height: number }, path: string, prepare: (page: Page) => Promise<void>) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, locale: 'en-NZ' });
  context.setDefaultTimeout(15_000);
  try {
    const page = await context.newPage();
    await page.goto(url);
    await prepare(page);
    await page.screenshot({ path, animations: 'disabled', caret: 'hide' });
  } finally {
    await context.close();
  }
}

function compress(path: string) {
  try {
    execFileSync('pngquant', ['--force', '--skip-if-larger', '--quality=60-90', '--strip', '--output', path, '--', path], { stdio: 'inherit' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const status = (error as { status?: number }).status;
    if (code === 'ENOENT') console.warn('pngquant is not installed: keeping the PNG as is');
    else if (status !== 98 && status !== 99) throw error; // 98/99: already small enough / quality not reachable
  }
}

const t = await startGateway();
const browser = await launchBrowser();
try {
  mkdirSync(OUT, { recursive: true });
  const lineItems = [
    { name: 'Jollof rice', quantity: 2, unitAmount: 3500 },
    { name: 'Kelewele', quantity: 1, unitAmount: 1200 },
    { name: 'Sobolo', quantity: 1, unitAmount: 1500 },
  ];
  const created = await t.api('POST', '/v1/payment-requests', { body: createBody(t, { amount: 9700, currency: 'GHS', lineItems, description: 'Table 4' }) });
  if (created.status !== 201) throw new Error(`create answered ${created.status}: ${JSON.stringify(created.body)}`);
  const pr = created.body;

  const payPage = join(OUT, 'pay-page.png');
  await shoot(browser, pr.payUrl, PHONE, payPage, async (page) => {
    await page.locator('[data-testid=status]').waitFor();
    await page.locator('button[data-channel="mobile_money"]').click();
    await page.locator('select#provider').selectOption('MTN');
    await page.locator('input#phone').fill('024 123 4567');
    await page.locator('input#phone').blur();
    await page.evaluate(() => (globalThis as any).scrollTo(0, 0)); // the top: merchant, amount, status
  });

  const display = join(OUT, 'display.png');
  await shoot(browser, `${t.url}/display/${t.terminalId}?token=${encodeURIComponent(t.gateway.demo.displayToken!)}`, DISPLAY, display, async (page) => {
    await page.locator('[data-testid=display-state][data-state=active]').waitFor();
    await page.locator('[data-testid=pay-qr]').waitFor();
  });

  // the dashboard: two weeks of sales (the test clock moves a day at a time), one refunded in part
  const sale = async (amount: number, method: string, currency = 'NZD') => {
    const made = (await t.api('POST', '/v1/payment-requests', { key: t.terminalKey, body: createBody(t, { amount, currency, allowConcurrent: true }) })).body;
    return (await t.api('POST', `/v1/sandbox/payment-requests/${made.id}/pay`, { body: { outcome: 'approve', method } })).body;
  };
  let last: any = null;
  for (let day = 0; day < 14; day++) {
    for (let n = 0; n < 1 + (day * 7) % 5; n++) last = await sale(1500 + ((day * 37 + n * 211) % 60) * 100, n % 3 === 0 ? 'mobile_money' : 'card');
    if (day < 13) await t.api('POST', '/v1/sandbox/clock/advance', { body: { seconds: 86_400 } });
  }
  await t.api('POST', `/v1/payment-requests/${last.id}/refunds`, { body: { amount: 500, reference: 'cold-soup', reason: 'requested_by_customer' } });
  const owner = t.gateway.demo.dashboard!;
  const signIn = async (page: Page, path: string) => {
    await page.fill('#email', owner.email);
    await page.fill('#password', owner.password);
    await page.click('button[type=submit]');
    await page.waitForURL(new RegExp(`${path}$`));
  };
  const overview = join(OUT, 'dashboard-overview.png');
  await shoot(browser, `${t.url}/dashboard`, { width: 1200, height: 1080 }, overview, (page) => signIn(page, '/dashboard'));
  const request = join(OUT, 'dashboard-request.png');
  await shoot(browser, `${t.url}/dashboard/payment-requests/${last.id}`, { width: 1200, height: 1100 }, request, (page) => signIn(page, `/dashboard/payment-requests/${last.id}`));

  for (const path of [payPage, display, overview, request]) {
    compress(path);
    console.log(`${path}: ${Math.round(statSync(path).size / 1024)} KB`);
  }
} finally {
  await browser.close();
  await t.close();
}
