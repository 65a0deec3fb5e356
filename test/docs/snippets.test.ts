// Every snippet of the README and docs/ works when pasted (README.md, "Documentation snippets"):
// shell blocks run in order, one bash per file, against a gateway started here; JS blocks run with
// node; the rest have their shape checked. Plus what a reader trips over that no run can show:
// links out of the repository, a layout tree missing a folder, a snippet assigning TERM.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_EXPIRY_SECONDS } from '../../src/app/use-cases/payment-requests.js';
import { loadConfig } from '../../src/config/config.js';
import { DIALECTS } from '../../src/dialects/registry.js';
import { createGateway, type Gateway } from '../../src/main.js';
import { createLogger } from '../../src/observability/logger.js';
import { baseEnv, ROOT } from '../cli/spawn-cli.js';
import { allSnippets, documents, elidedJson, JS, NO_RUN, SHELL, TS, type Snippet } from './snippets.js';

const SNIPPETS = allSnippets(ROOT);
const where = (s: Snippet) => `${s.file}:${s.line}`;
const runnable = (s: Snippet) => !s.flags.includes(NO_RUN);

/** Runs a command to its end (generous: each `npx posgate` in a script starts the CLI through tsx). */
function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd: options.cwd ?? ROOT, env: options.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/**
 * What the test puts around a file's shell blocks: `set -e` and pipefail, so a failing command
 * fails the run; `curl` that fails on an HTTP error (the blocks use `curl -s`, which would not),
 * and on a provider's refusal that comes as HTTP 200 (see REFUSED_IN_200); `npx posgate` running
 * the CLI from src/ (no build needed); each block announcing itself on stderr.
 */
const PRELUDE = `set -eo pipefail
curl() {
  local body status=0
  body=$(mktemp)
  command curl --fail-with-body --max-time 60 "$@" >"$body" || status=$?
  cat "$body"
  if [ $status -eq 0 ] && grep -qE '"responseCode"|"success": ?false|"status": ?"nok"' "$body"; then node -e "$REFUSED_IN_200" "$body" || status=$?; fi
  rm -f "$body"
  return $status
}
npx() { if [ "$1" = posgate ]; then shift; node --import tsx "$POSGATE_ROOT/src/cli/main.ts" "$@"; else command npx "$@"; fi; }
`;

/**
 * Some provider APIs refuse with HTTP 200 and say so in the body (../shared/specs/dialects.md):
 * KPAY's envelope `responseCode` other than 00 (done) and 09 (pending), Kowri's and MobilePay's
 * `success: false`, CLIQ's `status: "nok"`. Only the envelope counts: a Kowri payment still
 * pending has `success: false` inside its `result`, and is no refusal. Run by node on the body's file.
 */
const REFUSED_IN_200 = `
let answer;
try { answer = JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8')); } catch { process.exit(0); }
if (answer === null || typeof answer !== 'object' || Array.isArray(answer)) process.exit(0);
const refused = ('responseCode' in answer && !['00', '09'].includes(answer.responseCode)) || answer.success === false || answer.status === 'nok';
if (refused) { console.error('\\nthe provider API refused (HTTP 200): ' + JSON.stringify(answer).slice(0, 300)); process.exit(22); }
`;

describe('documentation snippets', () => {
  it('are found: the README has runnable shell blocks, and every block has a known language or none', () => {
    expect(SNIPPETS.filter((s) => s.file === 'README.md' && SHELL.has(s.lang) && runnable(s)).length).toBeGreaterThanOrEqual(4);
    const known = new Set([...SHELL, ...JS, ...TS, 'json', '']);
    expect(SNIPPETS.filter((s) => !known.has(s.lang)).map((s) => `${where(s)} ${s.lang}`)).toEqual([]);
    // a flag that is not the documented marker is a typo that would run a block meant not to
    expect(SNIPPETS.flatMap((s) => s.flags.filter((f) => f !== NO_RUN).map((f) => `${where(s)}: ${f}`))).toEqual([]);
  });

  it('never assign a variable the shell or the terminal relies on', () => {
    const reserved = /(?:^|[\s;&|(])(?:export\s+)?(TERM|PATH|HOME|PWD|OLDPWD|SHELL|USER|IFS|PS1|PS2|LANG|HOSTNAME|UID|RANDOM|SECONDS)=/m;
    expect(SNIPPETS.filter((s) => SHELL.has(s.lang) && reserved.test(s.code)).map((s) => `${where(s)}: ${reserved.exec(s.code)?.[1]}`)).toEqual([]);
  });

  it('have the syntax of their language (not-runnable ones included)', () => {
    const bad: string[] = [];
    const dir = mkdtempSync(join(tmpdir(), 'posgate-snippets-'));
    try {
      for (const [i, s] of SNIPPETS.entries()) {
        if (SHELL.has(s.lang)) {
          const check = spawnSync('bash', ['-n'], { input: s.code, encoding: 'utf8' });
          if (check.status !== 0) bad.push(`${where(s)}: ${check.stderr.trim()}`);
        } else if (JS.has(s.lang)) {
          const file = join(dir, `snippet-${i}.mjs`);
          writeFileSync(file, s.code);
          const check = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8' });
          if (check.status !== 0) bad.push(`${where(s)}: ${check.stderr.trim()}`);
        } else if (TS.has(s.lang)) {
          const out = ts.transpileModule(s.code, { reportDiagnostics: true, compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
          for (const d of out.diagnostics ?? []) bad.push(`${where(s)}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
        } else if (s.lang === 'json') {
          try {
            JSON.parse(elidedJson(s.code));
          } catch (error) {
            bad.push(`${where(s)}: ${(error as Error).message}`);
          }
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(bad).toEqual([]);
  });

  describe('run against a started gateway', () => {
    let gateway: Gateway;
    let dataDir: string;
    let port: number;

    beforeAll(async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'posgate-snippets-data-'));
      // background work on, as `npm start` runs it: webhooks are delivered, requests expire
      gateway = await createGateway(loadConfig({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' }), { logger: createLogger('silent') });
      port = Number(new URL(await gateway.listen()).port);
    });

    afterAll(async () => {
      await gateway?.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    const files = [...new Set(SNIPPETS.filter((s) => runnable(s) && (SHELL.has(s.lang) || JS.has(s.lang))).map((s) => s.file))];
    it.each(files)('%s: every runnable block works as pasted', async (file) => {
      const blocks = SNIPPETS.filter((s) => s.file === file && runnable(s) && (SHELL.has(s.lang) || JS.has(s.lang)));
      // the gateway listens where the docs say 8080 is. The benches run on their own knobs turned
      // down (a block that sets one itself still wins): this checks that each command works as
      // pasted, not its figures, and keeps three minutes of full-length benches out of the suite.
      const benchesShort = { BENCH_SECONDS: '1', BENCH_DELIVERY_BACKLOG: '500', BENCH_REQUESTS: '2000' };
      const env = { ...baseEnv(dataDir), ...benchesShort, HOST: '127.0.0.1', PORT: String(port), POSGATE_ROOT: ROOT, NODE_NO_WARNINGS: '1', REFUSED_IN_200 };
      const here = (code: string) => code.replaceAll('127.0.0.1:8080', `127.0.0.1:${port}`).replaceAll('localhost:8080', `localhost:${port}`);
      const script = blocks
        .map((s) => (SHELL.has(s.lang) ? `echo ${JSON.stringify(`### ${where(s)}`)} >&2\n${here(s.code)}` : `echo ${JSON.stringify(`### ${where(s)}`)} >&2\nnode --input-type=module <<'POSGATE_JS'\n${here(s.code)}POSGATE_JS\n`))
        .join('\n');
      const result = await run('bash', ['-c', PRELUDE + script], { env });
      const failedIn = [...result.stderr.matchAll(/^### (\S+)$/gm)].at(-1)?.[1];
      expect(result.code, `${failedIn ?? file} failed (exit ${result.code}).\nstderr:\n${result.stderr.slice(-3000)}\nstdout:\n${result.stdout.slice(-3000)}`).toBe(0);
      expect(result.stdout.length).toBeGreaterThan(0);
      // URLSearchParams, [object Object], undefined: a value that was never turned into text
      expect(result.stdout).not.toMatch(/URLSearchParams \{|\[object Object\]|\bundefined\b/);
    }, 300_000);
  });
});

describe('the documentation a user clones', () => {
  it('is every README of the repository (the client package\'s included) and every page of docs/', () => {
    const listed = spawnSync('git', ['ls-files', '--', 'README.md', '*/README.md', 'docs/*.md'], { cwd: ROOT, encoding: 'utf8' });
    expect(listed.status, listed.stderr).toBe(0);
    const tracked = listed.stdout.split('\n').filter(Boolean);
    expect(tracked).toContain('packages/client/README.md');
    expect(tracked.filter((file) => !documents(ROOT).includes(file))).toEqual([]);
  });

  it('links only to files inside the repository, and they exist', () => {
    const broken: string[] = [];
    for (const file of documents(ROOT)) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      for (const target of Array.from(text.matchAll(/\]\(([^)\s]+)\)|(?:src|href)="([^"]+)"/g), (m) => m[1] ?? m[2])) {
        if (!target || /^(https?:|mailto:|#)/.test(target)) continue;
        const path = resolve(dirname(join(ROOT, file)), target.split('#')[0] as string);
        const inside = !relative(ROOT, path).startsWith('..');
        if (!inside || !existsSync(path)) broken.push(`${file}: ${target}${inside ? ' (missing)' : ' (outside the repository)'}`);
      }
      // a path into the workspace outside the clone, written as text rather than a link
      if (/\.\.\/shared\/|`shared\//.test(text)) broken.push(`${file}: mentions shared/ (outside the repository)`);
    }
    expect(broken).toEqual([]);
  });

  it('the README layout names every folder of src/', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const folders = readdirSync(join(ROOT, 'src'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => `src/${e.name}/`);
    expect(folders.filter((folder) => !readme.includes(folder))).toEqual([]);
  });

  it('the README says how long a payment request lasts by default', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain(`${DEFAULT_EXPIRY_SECONDS} s`);
    expect(readme).toMatch(/expires?\b[^.]*\*\*120 s\*\*|\*\*120 s\*\*[^.]*expire/);
  });

  it('package.json does not count the dialects (they land one by one)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { description: string };
    const providers = DIALECTS.length - 1;
    const words = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];
    const counted = new RegExp(`\\b(\\d+|${words.join('|')})\\s+(?:provider\\s+)?(?:dialects|providers)\\b`, 'i').exec(pkg.description);
    // a count, if any, is the registry's
    if (counted) expect(/\d/.test(counted[1]!) ? Number(counted[1]) : words.indexOf(counted[1]!.toLowerCase()) + 1).toBe(providers);
    expect(pkg.description.length).toBeGreaterThan(20);
  });
});
