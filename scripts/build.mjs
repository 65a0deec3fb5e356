#!/usr/bin/env node
// `npm run build` (and so `npm start`, through prestart): compiles src/ into dist/ only when
// something changed, and says what it is doing. tsc runs incrementally (dist/.tsbuildinfo: only the
// files that changed and those depending on them are checked and emitted again); when no file
// under src/ and no build setting is newer than the last build, tsc is not run at all, so a restart
// takes no compile time. `--force` rebuilds everything.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const buildInfo = join(root, 'dist', '.tsbuildinfo');
const inputs = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package.json'].map((name) => join(root, name));
const say = (text) => process.stdout.write(`posgate build: ${text}\n`);

/** The newest modification time under `path`: a file's, or a directory's (a file added or removed). */
function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((max, name) => Math.max(max, newest(join(path, name))), stat.mtimeMs);
}

const force = process.argv.includes('--force');
if (force) rmSync(buildInfo, { force: true });
const built = existsSync(buildInfo) && existsSync(join(root, 'dist', 'main.js')) && existsSync(join(root, 'dist', 'web', 'browser')) ? statSync(buildInfo).mtimeMs : 0;
const changed = Math.max(...inputs.filter((path) => existsSync(path)).map(newest));
if (built > 0 && changed <= built) {
  say(`dist/ is up to date (nothing in src/ changed since ${new Date(built).toISOString()}); not compiling.`);
  process.exit(0);
}

say(built === 0 ? 'compiling src/ into dist/ (first build: every file, about half a minute)…' : 'compiling what changed in src/ since the last build into dist/…');
const started = Date.now();
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  say('compilation failed (see above); dist/ is unchanged where it failed.');
  process.exit(result.status ?? 1);
}
// the browser's scripts (src/web/browser/), bundled by esbuild where the built server reads them
const browser = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'build-browser.ts')], { cwd: root, stdio: 'inherit' });
if (browser.status !== 0) {
  say('bundling the browser scripts failed (see above).');
  process.exit(browser.status ?? 1);
}
// tsc leaves its build info untouched when nothing needed emitting: mark this build as the last one
const now = new Date();
utimesSync(buildInfo, now, now);
say(`done in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
