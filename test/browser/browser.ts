// Browser suites' plumbing: Debian's chromium driven by playwright-core (no downloaded browser),
// one browser and one real gateway (test/harness.ts, SQLite) per test file.
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import jsqrModule from 'jsqr';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { ACTIVE_STATUSES } from '../../src/core/payment-request.js';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startGateway, type TestGateway } from '../harness.js';

// jsqr is CommonJS: under NodeNext its default import is the function itself
const jsQR = jsqrModule as unknown as typeof jsqrModule.default;

export const CHROMIUM = '/usr/bin/chromium';

/** Flags for a root user on a machine with no network: nothing phones home, nothing sandboxed. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** A fresh chromium (playwright gives it a new temporary user-data-dir, removed on close). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const RESULTS_DIR = join(ROOT, 'test-results');

/** Saves a full-page screenshot to test-results/<name>.png (git-ignored) and returns its path. */
export async function screenshot(page: Page, name: string, dir = RESULTS_DIR): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

export const PHONE = { width: 390, height: 844 };
export const DISPLAY = { width: 800, height: 600 };

export interface OpenedPage {
  page: Page;
  context: BrowserContext;
  /** Every URL the page requested (documents, scripts, styles, images, fetches). */
  requests: string[];
  /** Uncaught exceptions in the page: a working page has none. */
  errors: string[];
}

export interface BrowserSuite {
  readonly browser: Browser;
  readonly t: TestGateway;
  /** A page in its own fresh context (no shared cookies or storage), closed after the test. */
  open(url: string, viewport?: { width: number; height: number }): Promise<OpenedPage>;
}

/** Registers the hooks of a browser suite: the browser and the gateway start once for the file. */
export function browserSuite(): BrowserSuite {
  let browser: Browser | undefined;
  let t: TestGateway | undefined;
  let contexts: BrowserContext[] = [];
  beforeAll(async () => {
    [browser, t] = await Promise.all([launchBrowser(), startGateway()]);
  });
  afterEach(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    contexts = [];
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} did not start`);
    return value;
  };
  return {
    get browser() { return need(browser, 'chromium'); },
    get t() { return need(t, 'the gateway'); },
    async open(url, viewport = PHONE) {
      const context = await need(browser, 'chromium').newContext({ viewport, locale: 'en-NZ' });
      contexts.push(context);
      context.setDefaultTimeout(15_000);
      const page = await context.newPage();
      const requests: string[] = [];
      const errors: string[] = [];
      page.on('request', (request) => requests.push(request.url()));
      page.on('pageerror', (error) => errors.push(String(error)));
      await page.goto(url);
      return { page, context, requests, errors };
    },
  };
}

/** A request's long-poll as the POS does it: answers once the status is no longer `unlessStatus`. */
export async function waitForStatusChange(t: TestGateway, id: string, unlessStatus: string, waitSeconds = 30) {
  const res = await t.api('GET', `/v1/payment-requests/${id}?waitSeconds=${waitSeconds}&unlessStatus=${unlessStatus}`);
  if (res.status !== 200) throw new Error(`long-poll answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

const ACTIVE: readonly string[] = ACTIVE_STATUSES;

/**
 * The POS's loop: long-polls until the request reaches a final status (or `deadlineMs` passes).
 * Started before the patron acts and awaited after; a failure is reported where it is awaited.
 */
export function waitForFinal(t: TestGateway, id: string, deadlineMs = 45_000): Promise<any> {
  const until = Date.now() + deadlineMs;
  const loop = async () => {
    let current = (await t.api('GET', `/v1/payment-requests/${id}`)).body;
    while (ACTIVE.includes(current.status) && Date.now() < until) {
      const seconds = Math.max(1, Math.min(30, Math.floor((until - Date.now()) / 1000)));
      current = await waitForStatusChange(t, id, current.status, seconds);
    }
    return current;
  };
  const waiting = loop();
  waiting.catch(() => undefined); // not unhandled if the test fails before awaiting it
  return waiting;
}

/**
 * Waits (bounded, no fixed sleep) until the element matching `selector` shows text matching `text`;
 * on timeout the error says what it showed instead.
 */
export async function waitForText(page: Page, selector: string, text: RegExp, timeout = 15_000): Promise<string> {
  const target = page.locator(selector).filter({ hasText: text }).first();
  try {
    await target.waitFor({ state: 'visible', timeout });
  } catch {
    const shown = await page.locator(selector).allInnerTexts().catch(() => []);
    throw new Error(`${selector} never showed ${text} within ${timeout} ms; it shows ${JSON.stringify(shown)}`);
  }
  return target.innerText();
}

/** Waits until `selector` matches a visible element; on timeout the error names the selector. */
export async function waitVisible(page: Page, selector: string, timeout = 15_000): Promise<void> {
  try {
    await page.locator(selector).first().waitFor({ state: 'visible', timeout });
  } catch {
    throw new Error(`no visible ${selector} within ${timeout} ms (page: ${page.url()})`);
  }
}

/** Requests that left the page's own gateway (data: and blob: URLs are not network requests). */
export function foreignRequests(requests: string[], gatewayUrl: string): string[] {
  return requests.filter((u) => !u.startsWith(`${gatewayUrl}/`) && !/^(data|blob):/.test(u));
}

/** A marker in the page's window: still there later means the page was never reloaded or left. */
export async function setMarker(page: Page): Promise<void> {
  await page.evaluate(() => { (globalThis as any).__posgateMarker = 1; });
}
export async function markerKept(page: Page): Promise<boolean> {
  return page.evaluate(() => (globalThis as any).__posgateMarker === 1);
}

/**
 * Decodes the QR code the page shows in `selector` (an inline SVG, or an element holding one): the
 * SVG is drawn large on white with a quiet zone in a scratch page, screenshotted, and read by jsQR.
 */
export async function decodeQr(page: Page, selector: string): Promise<string | null> {
  const svg = await page.locator(selector).first().evaluate((el: any) =>
    String(el.tagName).toLowerCase() === 'svg' ? el.outerHTML : (el.querySelector('svg')?.outerHTML ?? null));
  if (!svg) return null;
  const scratch = await page.context().newPage();
  try {
    await scratch.setViewportSize({ width: 480, height: 480 });
    await scratch.setContent(
      '<style>body{margin:0;background:#fff}div{padding:40px;width:400px;height:400px}svg{width:400px;height:400px;display:block}</style>' +
      `<div>${svg}</div>`,
    );
    const png = PNG.sync.read(await scratch.screenshot());
    return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data ?? null;
  } finally {
    await scratch.close();
  }
}
