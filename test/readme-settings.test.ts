// The README's table of dialect variables is the dialects' own declarations (src/dialects/*/index.ts):
// a variable added, renamed or re-described there fails here until the README says the same.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { settingsTable } from '../src/dialects/dialect.js';
import { DIALECTS } from '../src/dialects/registry.js';

const START = '<!-- dialect settings: generated from src/dialects/*/index.ts -->';
const END = '<!-- end of dialect settings -->';

describe('README configuration', () => {
  it('lists every variable a dialect declares, with its default and meaning', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const block = readme.slice(readme.indexOf(START) + START.length, readme.indexOf(END)).trim();
    expect(readme.indexOf(START)).toBeGreaterThan(0);
    expect(block, `paste between the markers in README.md:\n${settingsTable(DIALECTS)}`).toBe(settingsTable(DIALECTS));
    expect(block).toContain('MOBILEPAY_PAYMENT_TIMEOUT_SECONDS');
  });
});
