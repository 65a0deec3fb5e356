// The README's walkthrough with @posgate/client, run as a user runs it: its code block as a
// module of the repository, against a gateway on an ephemeral port.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../harness.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startGateway();
});
afterAll(async () => {
  await t?.close();
});

/** The first ```js block after the heading (marked `no-run` for test/docs/snippets.test.ts: this test runs it, with credentials). */
function snippet(heading: string): string {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf(heading));
  const match = /```js[^\n]*\n([\s\S]*?)```/.exec(section);
  if (!readme.includes(heading) || !match) throw new Error(`README.md has no js block under ${heading}`);
  return match[1]!;
}

it('runs the README walkthrough written with the client', async () => {
  const code = snippet('### The same flow with `@posgate/client`');
  // asynchronous: the gateway answering it runs in this process
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', code], {
    env: { ...process.env, POSGATE_URL: t.url, POSGATE_KEY: t.secretKey, POSGATE_TERMINAL: t.terminalId },
    timeout: 60_000,
  });
  const lines = stdout.trim().split('\n');
  expect(lines[0]).toMatch(/^pr_\S+ [A-Z0-9]{3}-[A-Z0-9]{3}-[A-Z0-9]{3} http/);
  expect(lines).toContain('succeeded');
  expect(lines).toContain('payment_request.succeeded');
  expect(lines).toContain('refund succeeded');
  expect(lines.at(-1)).toBe('409 not_authorized');
});

it("the client's engines admit no Node.js it cannot run on (AbortSignal.any: 20.3), as its README says", () => {
  const pkg = JSON.parse(readFileSync('packages/client/package.json', 'utf8')) as { engines: { node: string } };
  const least = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(pkg.engines.node.trim());
  expect(least, pkg.engines.node).not.toBeNull();
  const [major, minor] = [Number(least![1]), Number(least![2] ?? 0)];
  expect(major > 20 || (major === 20 && minor >= 3), pkg.engines.node).toBe(true);
  expect(readFileSync('packages/client/README.md', 'utf8')).toContain('Node.js 20.3+');
  // every call of the client builds its signal with it
  expect(readFileSync('packages/client/src/transport.ts', 'utf8')).toContain('AbortSignal.any(');
});
