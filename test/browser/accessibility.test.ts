// Accessibility smoke on the pay page (names for every control, keyboard reach, text contrast) and
// its promise of no external network requests: everything it loads comes from the gateway.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createBody } from '../harness.js';
import { browserSuite, foreignRequests, screenshot, waitForText, waitVisible } from './browser.js';

const s = browserSuite();

interface Control { tag: string; id: string; name: string; labelled: boolean }

/**
 * Every rendered input, select, textarea and button with the accessible name chromium computes for it
 * (its accessibility tree, over CDP) and, for form fields, whether a label or aria-label(ledby) gives it.
 */
async function controls(page: Page): Promise<Control[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('DOM.enable');
    await cdp.send('Accessibility.enable');
    const { root } = await cdp.send('DOM.getDocument', { depth: -1 });
    const { nodeIds } = await cdp.send('DOM.querySelectorAll', { nodeId: root.nodeId, selector: 'input:not([type=hidden]), select, textarea, button' });
    const { nodes } = await cdp.send('Accessibility.getFullAXTree', {});
    const byBackendId = new Map(nodes.filter((n) => n.backendDOMNodeId !== undefined).map((n) => [n.backendDOMNodeId, n]));
    const found: Control[] = [];
    for (const nodeId of nodeIds) {
      const { node } = await cdp.send('DOM.describeNode', { nodeId });
      const ax = byBackendId.get(node.backendNodeId);
      if (!ax || ax.ignored) continue; // not rendered (display: none, hidden): nothing to name yet
      const attributes = new Map<string, string>();
      for (let i = 0; i + 1 < (node.attributes ?? []).length; i += 2) attributes.set(node.attributes![i]!, node.attributes![i + 1]!);
      const { object } = await cdp.send('DOM.resolveNode', { nodeId });
      const { result } = await cdp.send('Runtime.callFunctionOn', {
        objectId: object.objectId!,
        functionDeclaration: 'function () { return (this.labels && this.labels.length > 0) || this.hasAttribute("aria-label") || this.hasAttribute("aria-labelledby"); }',
        returnByValue: true,
      });
      const id = attributes.get('id') ?? attributes.get('data-channel') ?? '';
      found.push({ tag: node.localName, id, name: String(ax.name?.value ?? '').trim(), labelled: result.value === true });
    }
    return found;
  } finally {
    await cdp.detach();
  }
}

/** WCAG contrast ratio of an element's text against the first opaque background behind it. */
async function contrast(page: Page, selector: string) {
  return page.locator(selector).first().evaluate((el: any) => {
    const view = el.ownerDocument.defaultView;
    const rgba = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
    const luminance = ([r, g, b]: number[]) => {
      const lin = (v: number) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * lin(r ?? 0) + 0.7152 * lin(g ?? 0) + 0.0722 * lin(b ?? 0);
    };
    const style = view.getComputedStyle(el);
    let background = [255, 255, 255];
    for (let node = el; node; node = node.parentElement) {
      const c = rgba(view.getComputedStyle(node).backgroundColor);
      if (c.length >= 3 && (c.length < 4 || c[3] === 1)) { background = c.slice(0, 3); break; }
    }
    const foreground = rgba(style.color).slice(0, 3);
    const [light, dark] = [luminance(foreground), luminance(background)].sort((a, b) => b - a) as [number, number];
    const size = Number(String(style.fontSize).replace("px", ""));
    const bold = Number(style.fontWeight) >= 700;
    return { ratio: (light + 0.05) / (dark + 0.05), large: size >= 24 || (bold && size >= 18.66), color: style.color, background: `rgb(${background.join(', ')})` };
  });
}

describe('pay page accessibility and network', () => {
  it('names every control, reaches approve by keyboard, keeps text legible, and loads nothing from elsewhere', async () => {
    const { t } = s;
    const lineItems = [{ name: 'Flat white', quantity: 2, unitAmount: 550 }, { name: 'Cheese scone', quantity: 1, unitAmount: 650 }];
    const created = await t.api('POST', '/v1/payment-requests', { body: createBody(t, { amount: 1750, lineItems, partialAllowed: true }) });
    expect(created.status).toBe(201);
    const { page, requests, errors } = await s.open(created.body.payUrl);
    await waitForText(page, '[data-testid=status]', /Waiting for payment/);

    // bring out the mobile money form and the partial amount, so that every control is on screen
    await page.locator('button[data-channel="mobile_money"]').click();
    await waitVisible(page, 'input#phone');
    await waitVisible(page, 'input#partial-amount');

    const found = await controls(page);
    const ids = found.map((c) => c.id);
    for (const id of ['card', 'mobile_money', 'bank_transfer', 'wallet', 'crypto', 'provider', 'phone', 'send-prompt', 'partial-amount', 'approve', 'decline'])
      expect(ids, `the control ${id} was not found rendered`).toContain(id);
    expect(found.filter((c) => c.name === '').map((c) => `${c.tag}#${c.id}`), 'controls without an accessible name').toEqual([]);
    expect(found.filter((c) => c.tag !== 'button' && !c.labelled).map((c) => `${c.tag}#${c.id}`), 'form fields without a label').toEqual([]);

    expect(await page.locator('html').getAttribute('lang'), '<html lang>').toBeTruthy();
    expect((await page.title()).trim(), '<title>').not.toBe('');

    // keyboard: Tab reaches the approve button
    let focused = '';
    for (let i = 0; i < 60 && focused !== 'approve'; i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => String((globalThis as any).document.activeElement?.id ?? ''));
    }
    expect(focused, 'Tab never reached button#approve').toBe('approve');

    for (const selector of ['h1', '[data-testid=amount]', '[data-testid=status]', '[data-testid=time-left]', '[data-testid=line-items] li', 'button#approve', 'button#decline']) {
      const c = await contrast(page, selector);
      expect(c.ratio, `${selector}: ${c.color} on ${c.background}`).toBeGreaterThanOrEqual(c.large ? 3 : 4.5);
    }

    await screenshot(page, 'accessibility');
    expect(requests.length).toBeGreaterThan(0);
    expect(foreignRequests(requests, t.url), 'requests that left the gateway').toEqual([]);
    expect(errors).toEqual([]);
  });
});
