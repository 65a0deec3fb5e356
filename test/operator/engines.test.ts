// package.json's engines promises only Node versions that every locked dependency declares support
// for (npm install warned that two needed Node 22 while the README said 20), and includes the
// version the tests run on (CI's).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../cli/spawn-cli.js';

// semver comes with npm's own dependencies (a hoisted package of the lock): the rules npm applies
const semver = createRequire(import.meta.url)('semver') as { subset(sub: string, sup: string): boolean; satisfies(version: string, range: string): boolean };

interface Lock {
  packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
}

describe('engines', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as Lock;

  it('every locked dependency supports every Node version package.json promises', () => {
    const promised = pkg.engines.node;
    const narrower = Object.entries(lock.packages).flatMap(([path, entry]) => {
      const node = !entry.engines || Array.isArray(entry.engines) ? undefined : entry.engines.node;
      return path && node && !semver.subset(promised, node) ? [`${path}@${entry.version}: node ${node}`] : [];
    });
    expect(narrower).toEqual([]);
  });

  it('the version this runs on (CI\'s) is one package.json promises', () => {
    expect(semver.satisfies(process.versions.node, pkg.engines.node)).toBe(true);
    expect(semver.subset(pkg.engines.node, '>=20')).toBe(true);
  });
});
