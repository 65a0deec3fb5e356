// The pages as a browser loads them: HTML with a strict CSP, every asset served by posgate itself,
// nothing fetched from another origin, accessible structure.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, createBody, startGateway, type TestGateway } from '../harness.js';

let t: TestGateway;
let pages: Record<string, string>;
beforeAll(async () => {
  t = await startGateway();
  const { body: patron } = await t.api('POST', '/v1/sandbox/patrons', { body: {} });
  const { body: pr } = await t.api('POST', '/v1/payment-requests', { body: createBody(t, { lineItems: [{ name: 'Flat white <b>', quantity: 3, unitAmount: 500 }], description: '"Quoted" & <escaped>' }) });
  pages = {
    pay: `/pay/${pr.id}`,
    display: `/display/${t.terminalId}?token=${t.gateway.demo.displayToken}`,
    patron: `/patron/${patron.id}`,
    checkIn: `/check-in/${t.terminalId}`,
  };
});
afterAll(async () => t.close());

const EXPECTED_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'";

/** Every absolute http(s) URL in a text. */
const urlsIn = (text: string) => [...text.matchAll(/https?:\/\/[^\s"'<>)\\]+/g)].map((m) => m[0]);

describe('pages', () => {
  it.each(['pay', 'display', 'patron', 'checkIn'])('%s: 200 HTML, strict CSP, no inline script or style, nothing from another origin', async (name) => {
    const res = await fetch(t.url + pages[name]);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain(EXPECTED_CSP);
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await res.text();
    expect(html).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(html).toContain('<main');
    expect(html).toContain('<meta name="viewport"');
    expect(html).toMatch(/<h1[^>]*>[^<]+<\/h1>/);
    // scripts only from /assets (data blocks are not scripts), no inline handlers or styles
    const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1] as string);
    for (const attrs of scripts) expect(attrs).toMatch(/src="\/assets\/[^"]+\.js"|type="application\/json"/);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    expect(html).not.toMatch(/<style|\sstyle=/i);
    // every linked asset is ours and every URL anywhere is the gateway's own
    const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1] as string);
    expect(assets.length).toBeGreaterThan(name === 'checkIn' ? 1 : 2);
    const texts = [html];
    for (const path of assets) {
      const asset = await fetch(t.url + path);
      expect(asset.status, path).toBe(200);
      texts.push(await asset.text());
    }
    for (const text of texts) for (const url of urlsIn(text)) expect(url.startsWith(t.url), url).toBe(true);
    expect(html).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
  });

  it('escapes what the merchant typed', async () => {
    const html = await (await fetch(t.url + pages.pay)).text();
    expect(html).toContain('Flat white &lt;b&gt;');
    expect(html).toContain('&quot;Quoted&quot; &amp; &lt;escaped&gt;');
    expect(html).not.toContain('<b>');
    // the data block cannot be closed by the data
    const block = /<script type="application\/json" id="initial-state">([^<]*)<\/script>/.exec(html)?.[1] ?? '';
    expect(JSON.parse(block).lineItems[0].name).toBe('Flat white <b>');
  });

  it('labels every input and gives every button text', async () => {
    for (const name of ['pay', 'patron', 'checkIn', 'display']) {
      const html = await (await fetch(t.url + pages[name])).text();
      for (const m of html.matchAll(/<(input|select)[^>]*id="([^"]+)"/g)) expect(html, `${name} #${m[2]}`).toContain(`<label for="${m[2]}">`);
      for (const m of html.matchAll(/<button[^>]*>([^<]*)<\/button>/g)) expect((m[1] as string).trim(), name).not.toBe('');
    }
    const pay = await (await fetch(t.url + pages.pay)).text();
    for (const channel of ['card', 'mobile_money', 'bank_transfer', 'wallet', 'crypto']) expect(pay).toContain(`data-channel="${channel}"`);
    for (const id of ['provider', 'phone', 'send-prompt', 'approve', 'decline', 'partial-amount', 'refresh-quote', 'network'])
      expect(pay).toContain(`id="${id}"`);
    for (const testid of ['amount', 'status', 'time-left', 'line-items', 'received', 'remaining', 'overpaid', 'account-number', 'crypto-amount', 'crypto-address', 'quote-expires'])
      expect(pay).toContain(`data-testid="${testid}"`);
    expect(pay).toMatch(/data-testid="status"[^>]*aria-live="polite"/);
    for (const option of ['MTN', 'VODAFONE', 'AIRTELTIGO']) expect(pay).toContain(`<option value="${option}">`);
  });

  it('shows only the channels a request allows', async () => {
    const { body: pr } = await t.api('POST', '/v1/payment-requests', { body: createBody(t, { allowConcurrent: true, allowedMethods: ['mobile_money', 'crypto'] }) });
    const html = await (await fetch(`${t.url}/pay/${pr.id}`)).text();
    const channels = [...html.matchAll(/data-channel="([^"]+)"/g)].map((m) => m[1]);
    expect(channels).toEqual(['mobile_money', 'crypto']);
  });

  it('serves assets with long-lived caching under content-hashed names', async () => {
    const html = await (await fetch(t.url + pages.pay)).text();
    const css = /href="(\/assets\/styles\.[0-9a-f]{12}\.css)"/.exec(html)?.[1];
    const js = /src="(\/assets\/pay\.[0-9a-f]{12}\.js)"/.exec(html)?.[1];
    expect(css && js).toBeTruthy();
    const res = await fetch(t.url + js);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const etag = res.headers.get('etag') as string;
    expect((await fetch(t.url + js, { headers: { 'if-none-match': etag } })).status).toBe(304);
    expect((await fetch(t.url + css)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await fetch(`${t.url}/assets/pay.000000000000.js`)).status).toBe(404);
  });

  it('a dead pay link: problem+json for API clients, a small HTML page for browsers', async () => {
    const api = await fetch(`${t.url}/pay/pr_nothing`);
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toContain('application/problem+json');
    const browser = await fetch(`${t.url}/pay/pr_nothing`, { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(browser.status).toBe(404);
    expect(browser.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(browser.headers.get('content-security-policy')).toContain(EXPECTED_CSP);
    expect(await browser.text()).toContain('<h1>Not found</h1>');
  });

  it('live mode: the pay page hides the sandbox buttons behind a note', async () => {
    const live = await t.api('POST', `/admin/v1/merchants/${t.gateway.demo.merchantId}/keys`, { key: ADMIN_TOKEN, body: { mode: 'live' } });
    const { body: pr } = await t.api('POST', '/v1/payment-requests', { key: live.body.secretKey, body: createBody(t) });
    const html = await (await fetch(`${t.url}/pay/${pr.id}`)).text();
    expect(html).toMatch(/<button id="approve"[^>]* hidden>/);
    expect(html).toMatch(/<button id="decline"[^>]* hidden>/);
    expect(html).toMatch(/<p id="live-note" class="card note">/);
    expect(html).not.toContain('Test mode</p>');
  });
});
