// The engine seam (design.md, Layers): a provider's name appears only in its own dialect folder and
// the registry. Anywhere else in src/, a provider's name is a place where the engine learned one
// provider's rule instead of a general one.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = new URL('../src/', import.meta.url).pathname;
const PROVIDERS = ['kpay', 'kowri', 'centrapay', 'cliq', 'mobilepay'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.ts$/.test(entry.name) && !/\.(test|contract)\.ts$/.test(entry.name) ? [path] : [];
  });
}

describe('provider names', () => {
  it('appear in src/ only inside their own dialect folder and the registry', () => {
    const leaks: string[] = [];
    for (const path of sourceFiles(SRC)) {
      const file = relative(SRC, path);
      if (file === 'dialects/registry.ts') continue;
      const text = readFileSync(path, 'utf8');
      for (const provider of PROVIDERS) {
        if (file.startsWith(`dialects/${provider}/`)) continue;
        if (new RegExp(`\\b${provider}\\b`, 'i').test(text)) leaks.push(`${file} names ${provider}`);
      }
    }
    expect(leaks).toEqual([]);
  });
});
