// No module of src/ imports itself back through others: a cycle (as sandbox.ts ↔ sweeps.ts once
// was) means two modules are one concern split wrongly, and makes load order matter.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = new URL('../src/', import.meta.url).pathname;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !/\.(test|contract)\.ts$/.test(entry.name) ? [path] : [];
  });
}

/** Each file's relative imports that are not type-only, as absolute .ts paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^import (?!type )[^;]*? from '(\.[^']+)\.js';/gms)].map((m) => resolve(dirname(file), `${m[1]}.ts`));
}

describe('imports', () => {
  it('form no cycle in src/', () => {
    const graph = new Map(sourceFiles(SRC).map((file) => [file, importsOf(file)]));
    const cycles: string[] = [];
    const done = new Set<string>();
    const path: string[] = [];
    const visit = (file: string) => {
      const at = path.indexOf(file);
      if (at >= 0) return void cycles.push(path.slice(at).concat(file).map((f) => relative(SRC, f)).join(' → '));
      if (done.has(file)) return;
      path.push(file);
      for (const next of graph.get(file) ?? []) visit(next);
      path.pop();
      done.add(file);
    };
    for (const file of graph.keys()) visit(file);
    expect(cycles).toEqual([]);
  });
});
