// The browser and the server share their constants by import, not by copy: the bundles are made
// from the server's own modules, and the browser refuses exactly the amounts the server refuses.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHANNELS } from '../../app/ports/connector.js';
import { MAX_AMOUNT, minorToDecimal } from '../../core/money.js';
import { BROWSER_SCRIPTS, bundleBrowserScripts } from './bundler.js';
import { CLIENT_JS } from './client.js';

const bundles = bundleBrowserScripts();
const BROWSER = new URL('../browser/', import.meta.url);

describe('browser bundles', () => {
  it('take MAX_AMOUNT and CHANNELS from the modules the server uses', () => {
    expect(bundles.inputs.client).toContain('src/core/money.ts');
    expect(bundles.inputs.pay).toContain('src/app/ports/connector.ts');
    expect(bundles.scripts.pay).toContain(JSON.stringify(CHANNELS).replace(/,/g, ', '));
  });

  it('copy neither constant into a browser source', () => {
    const sources = readdirSync(BROWSER).filter((name) => name.endsWith('.ts'));
    expect(sources.map((name) => name.replace(/\.ts$/, '')).sort()).toEqual(expect.arrayContaining([...BROWSER_SCRIPTS].sort()));
    for (const name of sources) {
      const text = readFileSync(new URL(name, BROWSER), 'utf8');
      expect(text, name).not.toMatch(/1_?000_?000_?000_?000|1e12/);
      expect(text, name).not.toMatch(/\[\s*['"]card['"]\s*,\s*['"]mobile_money['"]/); // the channel list, written out
    }
  });

  it('refuse in the browser exactly above the server MAX_AMOUNT', () => {
    const window: { posgate?: { parseMajor(text: string, exponent: number): { minor?: number; error?: string } } } = {};
    new Function('window', CLIENT_JS)(window);
    const parse = window.posgate!.parseMajor;
    expect(parse(minorToDecimal(MAX_AMOUNT, 2), 2)).toEqual({ minor: MAX_AMOUNT });
    expect(parse(minorToDecimal(MAX_AMOUNT + 1, 2), 2).error).toMatch(/too large/);
    expect(parse(minorToDecimal(MAX_AMOUNT, 0), 0)).toEqual({ minor: MAX_AMOUNT });
  });

  it('are self-contained classic scripts: no import, no other origin', () => {
    for (const name of BROWSER_SCRIPTS) {
      const script = bundles.scripts[name];
      expect(() => new Function(script), name).not.toThrow();
      expect(script, name).not.toMatch(/^\s*import\b|\brequire\(|https?:\/\//m);
    }
  });
});
